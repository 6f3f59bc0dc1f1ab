import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/*/test/**/*.test.ts"],
    // The install tests (a fresh clone, the packed tarball) build and install whole copies of
    // fislat: they run after the rest, alone (vitest.install.config.ts), not beside timing tests.
    exclude: [...configDefaults.exclude, "**/*.install.test.ts"],
    // Fails the run if a test leaves a temporary folder or a process behind.
    globalSetup: ["./vitest.tmpdir-guard.ts"],
    // End-to-end tests start real processes and wait for real (injected) latency.
    testTimeout: 60_000,
    hookTimeout: 30_000,
    // Two cores: more workers only make the latency measurements noisier.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
