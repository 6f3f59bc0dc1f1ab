// Around each whole `fislat run` against the simulated AWS: the AWS modules loaded before the fake
// clock runs (a flow must not wait on real file reads while virtual time races ahead), the fake
// clock at the suite's date, test credentials, a folder for the reports, and stdout and stderr
// captured (quiet) so a test can read what a person would have seen.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeAll, beforeEach, type MockInstance, vi } from "vitest";

export interface AwsRunSetup {
  /** This test's folder for reports and files. */
  readonly dir: string;
  stdout(): string;
  stderr(): string;
  /** The spy on process.stderr.write, to react to a message as it is written. */
  readonly stderrSpy: MockInstance<typeof process.stderr.write>;
}

/** Registers the hooks; `reset` undoes the test's own simulation after it. */
export function useAwsRunSetup(reset: () => void): AwsRunSetup {
  let dir = "";
  let out: MockInstance<typeof process.stdout.write> | undefined;
  let err: MockInstance<typeof process.stderr.write> | undefined;
  const written = (spy: MockInstance | undefined) => (spy?.mock.calls ?? []).map((c) => String(c[0])).join("");

  beforeAll(async () => {
    await import("../../src/aws/clients.js");
    await import("../../src/aws/environment.js");
  });
  beforeEach(() => {
    vi.useFakeTimers({
      now: new Date("2026-11-25T10:00:00.000Z"),
      toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date", "performance"],
    });
    vi.stubEnv("AWS_REGION", "us-east-1");
    vi.stubEnv("AWS_ACCESS_KEY_ID", "test");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "test");
    dir = mkdtempSync(path.join(os.tmpdir(), "fislat-aws-"));
    out = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
  });
  afterEach(() => {
    reset();
    rmSync(dir, { recursive: true, force: true });
    out?.mockRestore();
    err?.mockRestore();
    vi.unstubAllEnvs();
    vi.useRealTimers();
  });

  return {
    get dir() {
      return dir;
    },
    stdout: () => written(out),
    stderr: () => written(err),
    get stderrSpy() {
      return err as MockInstance<typeof process.stderr.write>;
    },
  };
}
