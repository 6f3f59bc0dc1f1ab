// Each fault kind end to end: the real CLI, dynalite, the real probe and the proxy's behaviour for
// the kind, judged by its built-in scenario. Seeds are fixed so a verdict rests on no luck.
import { createRequire } from "node:module";
import { Ajv } from "ajv";
import { afterAll, describe, expect, it } from "vitest";
import { EXIT } from "../../src/errors.js";
import { runCli } from "../support/cli.js";
import { expectHeadlineAgreesWithTable } from "../support/headline.js";
import { isAlive, probePidOf, reportFolder } from "../support/local-run.js";

const reports = reportFolder();
const validReport = new Ajv({ strict: false, validateFormats: false, allErrors: true }).compile(
  createRequire(import.meta.url)("../../schemas/report.schema.json"),
);
const INCONCLUSIVE = EXIT.inconclusive;
afterAll(() => reports.remove());

/** Piped, the summary wraps at 80 columns: read it unwrapped. */
const unwrap = (text: string) => text.replace(/\n {2,}(?=\S)/g, " ");

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
    expect(validReport(report), JSON.stringify(validReport.errors)).toBe(true);
    expect(report.parameters.fault.fidelity).toMatch(/models what TCP shows of a loss/);
    const base = report.phases.baseline.latency?.p50 ?? 0;
    const injection = report.phases.injection.latency;
    expect(injection?.p50).toBeLessThan(base + 100);
    expect(injection?.p99).toBeGreaterThanOrEqual(base + 150);
    expect(stdout).toMatch(/injected 30% packet loss for 10 s/);
    expect(stdout).toMatch(/local twin: the proxy cannot drop packets/);
    expectHeadlineAgreesWithTable(unwrap(stdout), report);
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
    expect(kinds).toContain("timeout");
    expect(kinds).toContain("connect_timeout");
    // A connect in the moment the proxy hands its port over is refused (the fidelity note says so).
    expect([...kinds].filter((k) => k !== "timeout" && k !== "connect_timeout")).toEqual(
      kinds.has("network") ? ["network"] : [],
    );
    expect(report.times.unhealthyAfterFirstFailureMs).not.toBeNull();
    expect(report.phases.recovery.successes).toBeGreaterThan(0);
    expect(report.parameters.fault.fidelity).toMatch(/stops accepting/);
    expectHeadlineAgreesWithTable(unwrap(stdout), report);
  });

  it("errors at rate 0.5 with MAX_ATTEMPTS 1: the failed share agrees with 0.5, each failure throttled as the SDK classifies it", async () => {
    // Seed 2's decisions keep every running share from 30 to 60 requests within its 95% interval of 0.5.
    const { code, stdout, stderr } = await runCli([
      "run",
      "--local",
      "--scenario",
      "throttled",
      ...PHASES,
      "--duration",
      "10s",
      "--seed",
      "2",
      "--json",
      reports.file("throttled"),
    ]);
    expect(code, `${stdout}\n${stderr}`).toBe(EXIT.passed);
    const report = reports.read("throttled");
    const check = report.thresholds.find((t) => t.id === "injection.failed: rate~=predicted_failed");
    expect(check).toMatchObject({ status: "passed", bound: 0.5 });
    const [low, high] = check?.interval ?? [1, 0];
    expect(low).toBeLessThanOrEqual(0.5);
    expect(high).toBeGreaterThanOrEqual(0.5);
    const failures = report.roundTrips.filter((r) => !r.ok);
    expect(failures.length).toBeGreaterThan(5);
    expect(new Set(failures.map((r) => r.errorKind))).toEqual(new Set(["throttled"]));
    expect(new Set(failures.map((r) => r.httpStatus))).toEqual(new Set([400]));
    expect(report.parameters).toMatchObject({ fault: { kind: "errors" }, error: "ThrottlingException", rate: 0.5 });
    expect(validReport(report), JSON.stringify(validReport.errors)).toBe(true);
    // The sentence over the verdict: the throttled half counted as failed, as the table counts it.
    expectHeadlineAgreesWithTable(unwrap(stdout), report);
    expect(unwrap(stdout)).toMatch(/failed: \d+ throttled; the other \d+ succeeded, median/);
  });

  it("--fault errors alone is judged by the throttled scenario, not the timeout one (which would fail it)", async () => {
    // As the throttled run above (the same plan, the same seed), named by its fault kind only.
    const { code, stdout, stderr } = await runCli([
      "run",
      "--local",
      "--fault",
      "errors",
      ...PHASES,
      "--duration",
      "10s",
      "--seed",
      "2",
      "--json",
      reports.file("errors-alone"),
    ]);
    expect(code, `${stdout}\n${stderr}`).toBe(EXIT.passed);
    const report = reports.read("errors-alone");
    expect(report.experiment.name).toBe("throttled");
    expect(report.thresholds.map((t: { id: string }) => t.id)).not.toContain("injection.timeouts: rate>=0.9");
    expect(unwrap(stdout)).toMatch(/throttled: .*\(exit 0\)/);
  });

  it("errors nobody received is inconclusive (exit 3), not passed", async () => {
    // At 1 in 10,000, seed 2 draws no error for the fifty or so requests of the fault.
    const { code, stdout } = await runCli([
      "run",
      "--local",
      "--scenario",
      "throttled",
      "--error-rate",
      "0.0001",
      ...PHASES,
      "--duration",
      "10s",
      "--seed",
      "2",
    ]);
    expect(code, stdout).toBe(INCONCLUSIVE);
    // Piped, the summary wraps at 80 columns: read it unwrapped.
    expect(stdout.replace(/\n {2}(?=\S)/g, " ")).toMatch(
      /the fault never landed: the local proxy counted no requests answered with an error/,
    );
  });

  it("refuses errors on AWS before anything starts, saying FIS cannot and what comes closest (exit 2)", async () => {
    const { code, stderr } = await runCli(
      ["run", "--fault", "errors", "--cluster", "c", "--service", "s", "--role-arn", "arn:aws:iam::1:role/r"],
      { AWS_ENDPOINT_URL: "http://127.0.0.1:9" },
    );
    expect(code).toBe(EXIT.badInput);
    expect(stderr).toMatch(/--fault errors runs only with --local: FIS cannot make DynamoDB return errors/);
    expect(stderr).toMatch(/Closest on AWS: --fault packet-loss .* or --fault unreachable/);
  });
});
