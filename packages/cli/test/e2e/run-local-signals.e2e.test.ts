// fislat run --local and signals at any moment: SIGHUP (a closed terminal) like Ctrl-C, a signal
// while the local world is still starting (also to the whole process group), and SIGTERM after
// the reports are written: each ends in the documented exit code that matches the report.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it, onTestFinished } from "vitest";
import { EXIT } from "../../src/errors.js";
import { CLI, startCli } from "../support/cli.js";
import { isAlive, probePidOf, processesWithPathEntry, reportFolder, SHORT_PHASES } from "../support/local-run.js";

const reports = reportFolder();
const running: ReturnType<typeof startCli>[] = [];
afterAll(() => {
  for (const r of running) r.child.kill("SIGKILL");
  reports.remove();
});

function start(args: string[]) {
  const run = startCli(["run", "--local", ...SHORT_PHASES, ...args]);
  running.push(run);
  return run;
}

describe("fislat run --local and signals", () => {
  it("handles SIGHUP during the injection as Ctrl-C: fault removed, report interrupted, exit 4", async () => {
    const run = start(["--json", reports.file("hup")]);
    await run.waitForStderr(/fault injected at/);
    run.child.kill("SIGHUP");
    expect(await run.exit).toBe(4);
    const report = reports.read("hup");
    expect(report).toMatchObject({ outcome: "interrupted", exitCode: 4, interrupted: { reason: "SIGHUP received" } });
    expect(report.fault.removal).toBe("confirmed");
    expect(isAlive(probePidOf(report))).toBe(false);
  });

  it("stops with exit 4, no report and nothing left on SIGINT to the process group while starting", async () => {
    // A fresh folder first in PATH marks fislat and every process it spawns (the probe gets its PATH).
    const marker = mkdtempSync(path.join(os.tmpdir(), "fislat-marker-"));
    onTestFinished(() => rmSync(marker, { recursive: true, force: true }));
    // Its own process group, as a shell gives a job: Ctrl-C goes to the whole group.
    const child = spawn(
      process.execPath,
      [CLI, "run", "--local", ...SHORT_PHASES, "--json", reports.file("starting")],
      {
        env: { ...process.env, PATH: `${marker}:${process.env.PATH}`, NO_COLOR: "1", CI: "true" },
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
      },
    );
    running.push({ child } as ReturnType<typeof startCli>);
    let stderr = "";
    child.stdout.resume();
    const exit = once(child, "exit");
    // The run's first line is printed just before the local world starts (dynalite, the proxy,
    // the probe: a second or more), so the signal arrives while it is starting.
    await new Promise<void>((resolve) => {
      child.stderr.setEncoding("utf8").on("data", (d: string) => {
        stderr += d;
        if (/(scenario|experiment) timeout: /.test(stderr)) resolve();
      });
    });
    // The marker finds what it should: fislat itself, while it runs.
    expect(processesWithPathEntry(marker)).toContain(child.pid);
    process.kill(-(child.pid as number), "SIGINT");
    const [code] = await exit;
    expect(code).toBe(EXIT.interrupted);
    expect(stderr).toMatch(/SIGINT received while starting: stopped; nothing was injected, no report/);
    expect(stderr).not.toMatch(/fault injected/);
    expect(existsSync(reports.file("starting"))).toBe(false);
    expect(processesWithPathEntry(marker)).toEqual([]);
  });

  // End to end only: the SIGTERM lands after the result is decided, most often after fislat has
  // already exited, so this cannot tell which line of the policy answered it. signals.test.ts
  // checks each (a settled result, a finished command, nothing started) on its own.
  it("a SIGTERM as the reports appear does not change the code: the process exits with the report's", async () => {
    const run = start(["--json", reports.file("after")]);
    await new Promise<void>((resolve) => {
      run.child.stdout?.on("data", () => {
        if (/report: /.test(run.stdout())) resolve();
      });
    });
    run.child.kill("SIGTERM");
    const code = await run.exit;
    const report = reports.read("after");
    expect([EXIT.passed, EXIT.failed, EXIT.inconclusive]).toContain(report.exitCode);
    expect(code).toBe(report.exitCode);
  });
});
