#!/usr/bin/env node
// The latency proxy's command. A committed file, not build output: pnpm links a bin when it
// installs, and warns about one whose file does not exist yet (`pnpm install` runs before `pnpm build`).
import { existsSync } from "node:fs";

const bin = new URL("../dist/bin.js", import.meta.url);
if (!existsSync(bin)) {
  process.stderr.write(
    "fislat-latency-proxy: not built yet: run `pnpm build` in the fislat checkout, then try again\n",
  );
  process.exit(2);
}
await import(bin.href);
