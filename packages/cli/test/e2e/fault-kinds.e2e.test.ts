// Each fault kind end to end: the real CLI, dynalite, the real probe and the proxy's behaviour for
// the kind, judged by its built-in scenario. Seeds are fixed so a verdict rests on no luck.
import { afterAll, describe, expect, it } from "vitest";
import { EXIT } from "../../src/errors.js";
import { runCli } from "../support/cli.js";
import { isAlive, probePidOf, reportFolder } from "../support/local-run.js";

const reports = reportFolder();
afterAll(() => reports.remove());

const PHASES = ["--baseline", "3s", "--recovery", "3s", "--interval", "200ms", "--health-failure", "2s"];

describe("fislat run --local, each fault kind", () => {
  it("packet-loss at 30% moves the p99 of round trips, not the median, and says how faithful the twin is", async () => {
    const { code, stdout, stderr } = await runCli([
      "run",
      "--local",
      "--scenario",
      "lossy",
      ...PHASES,
      "--duration",
      "10s",
      "--seed",
      "7",
      "--json",
      reports.file("lossy"),
    ]);
    expect(code, `${stdout}\n${stderr}`).toBe(EXIT.passed);
    const report = reports.read("lossy");
    expect(report.parameters).toMatchObject({ fault: { kind: "packet-loss" }, lossPercent: 30 });
    expect(report.parameters.fault.fidelity).toMatch(/models what TCP shows of a loss/);
    const base = report.phases.baseline.latency?.p50 ?? 0;
    const injection = report.phases.injection.latency;
    expect(injection?.p50).toBeLessThan(base + 100);
    expect(injection?.p99).toBeGreaterThanOrEqual(base + 200);
    expect(stdout).toMatch(/injected 30% packet loss for 10 s/);
    expect(isAlive(probePidOf(report))).toBe(false);
  });

  it("unreachable with the timeout scenario's probe fails every round trip, turns /health 503, and recovers", async () => {
    const { code, stdout, stderr } = await runCli([
      "run",
      "--local",
      "--scenario",
      "unreachable",
      ...PHASES,
      "--duration",
      "6s",
      "--json",
      reports.file("unreachable"),
    ]);
    expect(code, `${stdout}\n${stderr}`).toBe(EXIT.passed);
    const report = reports.read("unreachable");
    const injection = report.phases.injection;
    expect(injection.count).toBeGreaterThanOrEqual(5);
    expect(injection.successes).toBe(0);
    // The connection open at the cut waits out its read timeout; the new ones, their connect timeout.
    const kinds = new Set(
      report.roundTrips
        .filter((r) => !r.ok && Date.parse(r.ts) >= Date.parse(report.fault.startedAt as string))
        .map((r) => r.errorKind),
    );
    expect(kinds).toEqual(new Set(["timeout", "connect_timeout"]));
    expect(report.times.unhealthyAfterFirstFailureMs).not.toBeNull();
    expect(report.phases.recovery.successes).toBeGreaterThan(0);
    expect(report.parameters.fault.fidelity).toMatch(/stops accepting/);
  });
});
