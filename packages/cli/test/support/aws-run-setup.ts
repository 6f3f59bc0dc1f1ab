// Around each whole `fislat run` against the simulated AWS: the AWS modules loaded before the fake
// clock runs (a flow must not wait on real file reads while virtual time races ahead), the fake
// clock at the suite's date, test credentials, a folder for the reports, and a command context
// whose stdout and stderr are kept in memory, so a test can read what a person would have seen.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeAll, beforeEach, vi } from "vitest";
import { memoryOutput, type TestContext, testContext } from "./context.js";

export interface AwsRunSetup {
  /** This test's folder for reports and files. */
  readonly dir: string;
  /** This test's context, to run a command with: what it writes stays in it. */
  readonly ctx: TestContext;
  stdout(): string;
  stderr(): string;
  /** Calls `listener` with each chunk written to stderr from now on, to react to a message as it is written. */
  onStderr(listener: (text: string) => void): void;
}

/** Registers the hooks; `reset` undoes the test's own simulation after it. */
export function useAwsRunSetup(reset: () => void): AwsRunSetup {
  let dir = "";
  let ctx: TestContext | undefined;
  let listener: ((text: string) => void) | undefined;

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
    listener = undefined;
    ctx = testContext({ stderr: memoryOutput((text) => listener?.(text)) });
  });
  afterEach(() => {
    reset();
    rmSync(dir, { recursive: true, force: true });
    vi.unstubAllEnvs();
    vi.useRealTimers();
  });

  return {
    get dir() {
      return dir;
    },
    get ctx() {
      return ctx as TestContext;
    },
    stdout: () => ctx?.stdout.text() ?? "",
    stderr: () => ctx?.stderr.text() ?? "",
    onStderr: (next) => {
      listener = next;
    },
  };
}
