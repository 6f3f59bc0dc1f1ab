// fislat run --local, interrupted: Ctrl-C or SIGTERM while the fault is on must remove it, write
// the report marked interrupted, exit 4, and leave no process or port behind.
import { afterAll, describe, expect, it } from "vitest";
import { startCli } from "../support/cli.js";
import { isAlive, portRefuses, probePidOf, reportFolder, SHORT_PHASES } from "../support/local-run.js";

const reports = reportFolder();
const running: ReturnType<typeof startCli>[] = [];
afterAll(() => {
  for (const r of running) r.child.kill("SIGKILL");
  reports.remove();
});

describe("fislat run --local, interrupted", () => {
  it.each(["SIGINT", "SIGTERM"] as const)(
    "on %s during the injection removes the fault, writes the report marked interrupted, exits 4, leaves nothing running",
    async (signal) => {
      const name = `interrupted-${signal}`;
      const run = startCli(["run", "--local", ...SHORT_PHASES, "--duration", "60s", "--json", reports.file(name)]);
      running.push(run);
      await run.waitForStderr(/fault injected at/);
      run.child.kill(signal);
      expect(await run.exit).toBe(4);
      const report = reports.read(name);
      expect(report).toMatchObject({
        outcome: "interrupted",
        exitCode: 4,
        interrupted: { reason: `${signal} received` },
      });
      expect(report.fault.removal).toBe("confirmed");
      expect(report.thresholds).toEqual([]);
      expect(isAlive(probePidOf(report))).toBe(false);
      const { proxyPort, dynamoPort } = report.environment;
      expect(await portRefuses(proxyPort)).toBe(true);
      expect(await portRefuses(dynamoPort)).toBe(true);
      expect(await portRefuses(report.environment.probe?.port)).toBe(true);
      // The headline says how long the fault was really in place, not the 60 s planned.
      expect(run.stdout()).toMatch(/injected 800 ms ± 50 ms of latency for \d+(\.\d+)? (ms|s)[;:]/);
      expect(run.stdout()).not.toMatch(/for 1 min;/);
      // Piped, the summary is laid out for 80 columns: wrapped lines continue indented.
      expect(run.stdout().replace(/\n {2}(?=\S)/g, " ")).toMatch(
        /: INTERRUPTED\ntimeout: interrupted \(.*\); the fault was removed \(exit 4\)/,
      );
    },
  );
});
