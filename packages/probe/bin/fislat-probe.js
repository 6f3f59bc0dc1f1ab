#!/usr/bin/env node
// The probe's command. A committed file, not build output: pnpm links a bin when it installs, and
// warns about one whose file does not exist yet (`pnpm install` runs before `pnpm build`).
import { existsSync } from "node:fs";

const main = new URL("../dist/main.js", import.meta.url);
if (!existsSync(main)) {
  process.stderr.write("fislat-probe: not built yet: run `pnpm build` in the fislat checkout, then try again\n");
  process.exit(1);
}
await import(main.href);
