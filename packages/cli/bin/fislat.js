#!/usr/bin/env node
// fislat's command. A committed file, not build output: pnpm links a bin when it installs, and
// skips one whose file does not exist yet (`pnpm install` runs before `pnpm build`).
import { existsSync } from "node:fs";

const cli = new URL("../dist/cli.js", import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write("fislat: not built yet: run `pnpm build` in the fislat checkout, then try again\n");
  process.exit(3);
}
await import(cli.href);
