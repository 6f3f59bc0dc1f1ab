// Loaded with `node --import` before the CLI: on exit, prints (to stderr, as one JSON line) every
// package the process resolved, so a test can see what a command loads at start-up.
import { registerHooks } from "node:module";

const packages = new Set();
registerHooks({
  resolve(specifier, context, next) {
    const resolved = next(specifier, context);
    // The last node_modules in the path names the package (pnpm nests them under .pnpm/).
    const m = [...resolved.url.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)\//g)].at(-1);
    if (m) packages.add(m[1]);
    return resolved;
  },
});
process.on("exit", () => process.stderr.write(`loaded-packages ${JSON.stringify([...packages].sort())}\n`));
