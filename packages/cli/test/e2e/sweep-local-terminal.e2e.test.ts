// fislat sweep in a person's terminal: Ctrl-C typed (byte 0x03 through a pseudo-terminal) during
// the second level's fault removes that fault, stops what the level started, writes the sweep
// report marked interrupted with the level that ran, and exits 4.
import { readFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import type { SweepReport } from "../../src/engine/sweep-report.js";
import { EXIT } from "../../src/errors.js";
import { isAlive, portRefuses, probePidOf, reportFolder } from "../support/local-run.js";
import { type PtyRun, startInPty } from "../support/pty.js";

const reports = reportFolder();
const running: PtyRun[] = [];
afterAll(() => {
  for (const r of running) r.driver.kill("SIGKILL");
  reports.remove();
});

const CTRL_C = "\u0003";

describe("fislat sweep --local in a terminal", () => {
  it("stops on a typed Ctrl-C during a level's fault: fault removed, sweep report interrupted, exit 4, nothing left", async () => {
    const file = reports.file("ctrl-c");
    const r = startInPty(
      [
        "sweep",
        "--local",
        "--threshold",
        "injection.failed:rate<0.05",
        "--read-timeout",
        "500",
        "--connection-timeout",
        "500",
        "--delay",
        "300ms,400ms,500ms",
        "--baseline",
        "1s",
        "--duration",
        "8s",
        "--recovery",
        "1s",
        "--interval",
        "100ms",
        "--json",
        file,
      ],
      { columns: 120, rows: 40 },
    );
    running.push(r);
    // The second level's fault is on (the spinner runs: a live terminal that must keep ISIG).
    await r.waitFor(/level 400 ms[\s\S]*fault injected at[\s\S]*injection [\d.]+ \w+ left/);
    r.type(CTRL_C);
    expect(await r.exit).toBe(EXIT.interrupted);
    const report = JSON.parse(readFileSync(file, "utf8")) as SweepReport;
    expect(report).toMatchObject({
      end: "interrupted",
      exitCode: EXIT.interrupted,
      interrupted: { reason: "SIGINT received" },
      skipped: [500],
    });
    expect(report.levels.map((l) => [l.level, l.outcome])).toEqual([
      [300, "passed"],
      [400, "interrupted"],
    ]);
    const stopped = report.levels[1]?.report;
    expect(stopped?.fault.removal).toBe("confirmed");
    expect(stopped?.interrupted?.reason).toBe("SIGINT received");
    expect(isAlive(probePidOf(stopped as NonNullable<typeof stopped>))).toBe(false);
    const [, proxyPort, dynamoPort] =
      /latency proxy :(\d+) \(--seed \d+\) -> dynalite :(\d+)/.exec(stopped?.environment.target ?? "") ?? [];
    expect(await portRefuses(Number(proxyPort))).toBe(true);
    expect(await portRefuses(Number(dynamoPort))).toBe(true);
    expect(r.output()).toMatch(/SIGINT: removing the fault, stopping the sweep and writing its report/);
    expect(r.output()).toMatch(/sweep interrupted \(SIGINT received\): 2 level runs/);
  }, 90_000);
});
