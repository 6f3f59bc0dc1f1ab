// The install tests: a fresh clone set up as the README says, and the packed tarball installed
// with npm. Each builds or installs a whole copy of fislat, so they run one at a time, after the
// rest of the suite (pnpm test), with the same guard against leftovers.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/*/test/**/*.install.test.ts"],
    globalSetup: ["./vitest.tmpdir-guard.ts"],
    testTimeout: 300_000,
    hookTimeout: 180_000,
    maxWorkers: 1,
    minWorkers: 1,
  },
});
