// The sweep's plan (flags and the experiment file's `sweep` section -> levels and one run request
// per level, by run's planner), the refusal of hypotheses that want the fault to bite, and the
// break the timeout model predicts.
import { describe, expect, it } from "vitest";
import { parseExperimentText } from "../src/engine/experiment-file.js";
import { FAULT_KINDS } from "../src/engine/fault.js";
import type { ExperimentSource } from "../src/engine/planner.js";
import { scenarioFile } from "../src/engine/scenario.js";
import { checksWantingHarm, planSweep } from "../src/engine/sweep-plan.js";
import { predictBreak } from "../src/engine/sweep-predict.js";

const thresholds: ExperimentSource = {
  kind: "file",
  name: "the --threshold flags",
  data: { version: 1, name: "thresholds" },
};
const scenario = (name: "timeout" | "succeed" | "edge" | "lossy" | "throttled"): ExperimentSource => ({
  kind: "scenario",
  name,
  data: scenarioFile(name),
});
const fromYaml = (text: string): ExperimentSource => ({
  kind: "file",
  name: "slow.yaml",
  data: parseExperimentText(text, "slow.yaml"),
});
const local = { local: true, threshold: ["injection.failed:rate<0.05"] };

describe("the sweep's plan", () => {
  it("makes each level the run its flags would give, with only the swept field changed", () => {
    const plan = planSweep(
      { ...local, delay: "100ms..800ms", jitter: "20", readTimeout: "500", json: "x.json" },
      thresholds,
    );
    expect(plan.field).toBe("delay");
    expect(plan.settings.levels).toEqual([100, 200, 400, 800]);
    const level = plan.requestAt(450);
    expect(level.fault).toEqual({ kind: "latency", delayMs: 450, jitterMs: 20 });
    expect(level.probe.readTimeoutMs).toBe(500);
    expect(level.hypothesis.map((c) => c.id)).toEqual(["injection.failed: rate<0.05"]);
    // The sweep writes its own reports; a level writes none.
    expect(level.reports).toEqual({ json: undefined, junit: undefined, markdown: undefined });
    expect(plan.settings.levelMs).toBe(60_000);
  });

  it("reads the experiment file's sweep section, and flags override it", () => {
    const file = fromYaml(`
version: 1
fault: { kind: latency, delay: 300ms, jitter: 10ms }
hypothesis: { injection: { rtt: ["p(99)<1000"] } }
sweep: { levels: 100ms..900ms, steps: 5, bisect: 20ms, allLevels: true, expectHoldsAt: 250ms, maxDuration: 1h }
`);
    const plan = planSweep({ local: true }, file);
    expect(plan.settings).toMatchObject({
      levels: [100, 250, 300, 500, 700, 900],
      bisect: 20,
      allLevels: true,
      maxDurationMs: 3_600_000,
    });
    expect(plan.expectHoldsAt).toBe(250);
    expect(plan.addedForGate).toBe(250);
    expect(plan.maxRuns).toEqual({ listed: 6, bisection: 4 });
    const flagged = planSweep({ local: true, delay: "200ms,400ms", bisect: "50ms" }, file);
    expect(flagged.settings.levels).toEqual([200, 250, 400]);
    expect(flagged.settings.bisect).toBe(50);
  });

  it("refuses a sweep section the schema does not know, and a field the fault cannot step", () => {
    expect(() => fromYaml("sweep: { level: 100ms }")).toThrow(/sweep\.level: unknown field; allowed: field, levels/);
    expect(() => planSweep({ local: true }, fromYaml("sweep: { field: loss, levels: [100ms] }"))).toThrow(
      /sweep.field "loss" cannot be swept: the latency fault's sweepable fields are delay, jitter/,
    );
  });

  it("refuses the built-in scenarios that want the fault to bite, and takes succeed", () => {
    expect(() => planSweep({ local: true, delay: "100ms,200ms" }, scenario("timeout"))).toThrow(
      /scenario timeout cannot be swept as it is: its hypothesis expects the fault to bite/,
    );
    expect(() => planSweep({ local: true, delay: "100ms,200ms" }, scenario("edge"))).toThrow(
      /injection.timeouts: rate~=predicted wants timeouts/,
    );
    expect(planSweep({ local: true, delay: "100ms,200ms" }, scenario("succeed")).settings.levels).toEqual([100, 200]);
    const want = (t: string) => planSweep({ local: true, delay: "300ms", threshold: [t] }, thresholds);
    expect(() => want("injection.failed:count>0")).toThrow(/wants failures/);
    expect(() => want("run.went_unhealthy:count>=1")).toThrow(/wants \/health to turn 503/);
    expect(checksWantingHarm(want("injection.failed:rate==0").request.hypothesis)).toEqual([]);
    expect(checksWantingHarm(want("run.unhealthy?:value>1000").request.hypothesis)).toEqual([]);
    // A latency floor that does not follow the fault (lossy's tail) fails below it; one that does, holds.
    expect(() => planSweep({ local: true, fault: "packet-loss", loss: "5,10" }, scenario("lossy"))).toThrow(
      /injection.ok_rtt: p\(99\)>=baseline_med\+150 wants round trips slowed at every level/,
    );
    expect(() => planSweep({ local: true, fault: "errors", errorRate: "0.1,0.2" }, scenario("throttled"))).toThrow(
      /injection.failed: rate~=predicted_failed wants failures/,
    );
    expect(checksWantingHarm(want("injection.ok_rtt:med>=predicted_median-jitter").request.hypothesis)).toEqual([]);
  });

  it("steps each kind's own numeric field through its own flag: the loss in percent, the error rate as a share", () => {
    const judged = { local: true, threshold: ["injection.failed:rate<0.05"] };
    const loss = planSweep(
      { ...judged, fault: "packet-loss", loss: "5..40", bisect: "2", expectHoldsAt: "15%" },
      thresholds,
    );
    expect(loss).toMatchObject({ field: "loss", flag: "--loss", settings: { levels: [5, 10, 15, 20, 40], bisect: 2 } });
    expect(loss.format(15)).toBe("15%");
    expect(loss.requestAt(20).fault).toEqual({ kind: "packet-loss", lossPercent: 20 });
    const errors = planSweep({ ...judged, fault: "errors", errorRate: "0.05..0.4", bisect: "0.01" }, thresholds);
    expect(errors).toMatchObject({ field: "rate", flag: "--error-rate", settings: { levels: [0.05, 0.1, 0.2, 0.4] } });
    expect(errors.requestAt(0.15).fault).toMatchObject({ kind: "errors", rate: 0.15 });
    expect(() => planSweep({ ...judged, fault: "packet-loss", loss: "50,150" }, thresholds)).toThrow(
      /--loss "150" is not valid: expected a whole percentage \(FIS's lossPercent\) from 1 to 100/,
    );
    expect(() => planSweep({ ...judged, fault: "unreachable" }, thresholds)).toThrow(
      /the unreachable fault has no numeric field a sweep can step: sweep --fault latency \(--delay, --jitter\), packet-loss \(--loss\), errors \(--error-rate\)/,
    );
  });

  it("refuses two fields with several levels, a --bisect below the field's step, and bad --steps", () => {
    expect(() => planSweep({ ...local, delay: "100ms..800ms", steps: "x" }, thresholds)).toThrow(
      /--steps "x" is not valid/,
    );
    expect(() => planSweep({ ...local, delay: "100ms..800ms", bisect: "0" }, thresholds)).toThrow(
      /--bisect "0" is below the smallest step of delay \(1 ms\)/,
    );
  });

  it("names --expect-holds-at when the level it adds is the one refused, and the level when a listed one is", () => {
    expect(() => planSweep({ ...local, delay: "100ms,200ms", expectHoldsAt: "0" }, thresholds)).toThrow(
      /^at the level 0 ms of delay \(--expect-holds-at\): --jitter 50 ms .*is not allowed/,
    );
    expect(() => planSweep({ ...local, delay: "10ms,200ms" }, thresholds)).toThrow(
      /^at the level 10 ms of delay: --jitter 50 ms/,
    );
  });
});

describe("the predicted break", () => {
  it("is where the timeout model first breaks the failed-rate threshold: about 450 ms at 500 ms timeouts and ±50 ms", () => {
    const plan = planSweep(
      { ...local, delay: "100ms..1600ms", readTimeout: "500", connectionTimeout: "500" },
      thresholds,
    );
    const baseline = { p50: 4, p90: 8, p99: 12, max: 12, mean: 5 };
    const predicted = predictBreak(
      (l) => plan.requestAt(l).fault,
      plan.request.hypothesis,
      plan.request.probe,
      baseline,
      { waitsOnNewConnection: 1, connectDelayed: false },
      [100, 1600],
      1,
    );
    // 5% of U[d-50, d+50) beyond 500 ms less the 2 ms of the baseline the timeout sees: d = 453.
    expect(predicted).toEqual({ level: 453, range: [451, 455], threshold: "injection.failed: rate<0.05" });
  });

  it("takes each level's own local traits: the proxy's handshake waits at 100 ms do not pull the break down", () => {
    const plan = planSweep(
      { ...local, delay: "100ms..800ms", readTimeout: "500", connectionTimeout: "500" },
      thresholds,
    );
    const { probe } = plan.request;
    const first = plan.requestAt(100).fault;
    // At 100 ms the proxy holds a new connection for the handshake's two extra waits; at 450 ms it does not.
    expect(FAULT_KINDS.latency.localTraits(first as never, probe).waitsOnNewConnection).toBe(3);
    const predicted = predictBreak(
      (l) => plan.requestAt(l).fault,
      plan.request.hypothesis,
      probe,
      { p50: 4, p90: 8, p99: 12, max: 12, mean: 5 },
      (fault) => FAULT_KINDS.latency.localTraits(fault as never, probe),
      [100, 800],
      1,
    );
    expect(predicted?.level).toBe(453);
  });

  it("claims nothing for thresholds the model does not speak to", () => {
    const plan = planSweep({ local: true, delay: "100ms,200ms", threshold: ["injection.rtt:p(99)<1000"] }, thresholds);
    const predicted = predictBreak(
      (l) => plan.requestAt(l).fault,
      plan.request.hypothesis,
      plan.request.probe,
      { p50: 4, p90: 8, p99: 12, max: 12, mean: 5 },
      { waitsOnNewConnection: 1, connectDelayed: false },
      [100, 200],
      1,
    );
    expect(predicted).toBeNull();
  });
});
