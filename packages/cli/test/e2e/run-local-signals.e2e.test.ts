// fislat run --local and signals at any moment: SIGHUP (a closed terminal) like Ctrl-C, a signal
// while the local world is still starting (also to the whole process group), and SIGTERM after
// the reports are written: each ends in the documented exit code that matches the report.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { afterAll, describe, expect, it } from "vitest";
import { EXIT } from "../../src/errors.js";
import { CLI, startCli } from "../support/cli.js";
import { isAlive, probePidOf, reportFolder, SHORT_PHASES } from "../support/local-run.js";

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

  it("stops with exit 4 and a report marked interrupted on SIGINT to the process group while starting", async () => {
    // Its own process group, as a shell gives a job: Ctrl-C goes to the whole group.
    const child = spawn(
      process.execPath,
      [CLI, "run", "--local", ...SHORT_PHASES, "--json", reports.file("starting")],
      { env: { ...process.env, NO_COLOR: "1", CI: "true" }, stdio: ["ignore", "pipe", "pipe"], detached: true },
    );
    running.push({ child } as ReturnType<typeof startCli>);
    let stderr = "";
    child.stderr.setEncoding("utf8");
    child.stdout.resume();
    const exit = once(child, "exit");
    for await (const chunk of child.stderr) {
      stderr += chunk;
      if (/(scenario|experiment) timeout: /.test(stderr)) break;
    }
    process.kill(-(child.pid as number), "SIGINT");
    const [code] = await exit;
    expect(code).toBe(4);
    const report = reports.read("starting");
    expect(report).toMatchObject({ outcome: "interrupted", exitCode: 4, interrupted: { reason: "SIGINT received" } });
    expect(report.fault.removal).toBe("not-started");
    expect(isAlive(probePidOf(report))).toBe(false);
  });

  it("exits with the report's code, not 143, on SIGTERM right after the reports are written", async () => {
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
