// The verdict over recorded line streams: the built-in scenarios (experiment files) judged as
// before, evidence short of a judgement as inconclusive, and lost lines at both extremes.
import { describe, expect, it } from "vitest";
import type { ExperimentFile } from "../src/engine/experiment-file.js";
import type { ExperimentPlan } from "../src/engine/plan.js";
import { TimelineBuilder } from "../src/engine/timeline.js";
import { degradedThreshold, evaluate, evaluateRun, roundTripsByPhase } from "../src/engine/verdict.js";
import { planOf } from "./support/plan.js";
import { fastTrip, faultWindow, line, type StreamSpec, stream, T0, timeoutTrip } from "./support/recorded.js";

const base: StreamSpec = {
  intervalMs: 1000,
  fault: [10_000, 50_000],
  endMs: 60_000,
  during: (_t, phase) => (phase === "injection" ? timeoutTrip : fastTrip),
};

function verdictOf(spec: StreamSpec, plan: ExperimentPlan, extra: object[] = [], missing?: Record<string, number>) {
  const builder = new TimelineBuilder();
  for (const r of stream(spec)) builder.add(line(r));
  for (const l of extra) builder.add(line(l));
  const timeline = builder.build(faultWindow(spec), degradedThreshold(800));
  const withEvidence = missing ? Object.assign(timeline, { evidence: { missingByPhase: missing } }) : timeline;
  return evaluate(withEvidence, plan, faultWindow(spec));
}

const health = (offsetMs: number, healthy: boolean) => ({
  ts: new Date(T0 + offsetMs).toISOString(),
  msg: "Health changed",
  healthy,
  failingForMs: 0,
});
const failed = (v: ReturnType<typeof evaluate>) => v.checks.filter((c) => c.status === "failed").map((c) => c.id);

describe("a fault that never landed", () => {
  it("is inconclusive when the local proxy counted nothing it did, whatever the round trips show", () => {
    const builder = new TimelineBuilder();
    for (const r of stream(base)) builder.add(line(r));
    const timeline = builder.build(faultWindow(base), degradedThreshold(800));
    const landed = evaluate(timeline, planOf("timeout"), { ...faultWindow(base), effects: { count: 3, name: "x" } });
    expect(landed.status).not.toBe("inconclusive");
    const v = evaluate(timeline, planOf("timeout"), {
      ...faultWindow(base),
      effects: { count: 0, name: "requests answered with an error" },
    });
    expect(v.status).toBe("inconclusive");
    expect(v.reasons[0]).toMatch(/^the fault never landed: the local proxy counted no requests answered with an error/);
  });
});

describe("the timeout scenario", () => {
  const flips = [health(40_000, false), health(50_010, true)];

  it("passes when round trips time out, /health turns 503 after 30 s of failures, and all recover", () => {
    const v = verdictOf(base, planOf("timeout"), flips);
    expect(failed(v)).toEqual([]);
    expect(v.status).toBe("passed");
    expect(v.checks.map((c) => c.id)).toEqual([
      "baseline.samples: count>=5",
      "injection.samples: count>=5",
      "recovery.samples: count>=5",
      "injection.degraded: rate>=0.8",
      "baseline.failed: rate<=0.05",
      "injection.timeouts: rate>=0.9",
      "run.unhealthy: value>=health_failure-health_poll-1000",
      "run.unhealthy: value<=health_failure+health_poll+1000+interval",
      "run.recover: value>=0",
      "run.degraded_after: value<=interval+read_timeout+1000",
      "run.healthy: value<=interval+read_timeout+1000+health_poll",
    ]);
    expect(v.checks.find((c) => c.metric === "unhealthy")?.bound).toBe(28_000);
    expect(v.prediction?.timeoutFraction).toBe(1);
  });

  it("is inconclusive, not failed, when the fault never showed", () => {
    const v = verdictOf({ ...base, during: () => fastTrip }, planOf("timeout"));
    expect(v.status).toBe("inconclusive");
    expect(v.reasons).toEqual([
      expect.stringMatching(/^the fault never showed: 0.0% of the injection's round trips failed or took over \d+ ms/),
    ]);
  });

  it("fails, naming each threshold, when degradation outlives the fault", () => {
    const lingering = { ...base, during: (t: number) => (t >= 10_000 && t < 55_000 ? timeoutTrip : fastTrip) };
    const v = verdictOf(lingering, planOf("timeout"), [health(40_000, false), health(55_010, true)]);
    expect(v.status).toBe("failed");
    expect(v.reasons).toEqual([
      "run.degraded_after: value<=interval+read_timeout+1000",
      "run.healthy: value<=interval+read_timeout+1000+health_poll",
    ]);
  });

  it("fails when /health turns 503 too early", () => {
    const v = verdictOf(base, planOf("timeout"), [health(20_000, false), health(50_010, true)]);
    expect(failed(v)).toEqual(["run.unhealthy: value>=health_failure-health_poll-1000"]);
    expect(v.checks.find((c) => c.metric === "unhealthy")?.detail).toBe(
      "observed 10000 ms (± 1000 ms), bound 28000 ms",
    );
  });

  it("is inconclusive when a phase has too few round trips, saying which", () => {
    const v = verdictOf({ ...base, fault: [3_000, 50_000] }, planOf("timeout"), [
      health(33_000, false),
      health(50_010, true),
    ]);
    expect(v.status).toBe("inconclusive");
    expect(v.reasons).toEqual(["too few round trips in baseline: 3 (at least 5 needed)"]);
  });

  it("is inconclusive when no line arrived at all", () => {
    const v = verdictOf({ ...base, endMs: 0 }, planOf("timeout"));
    expect(v.status).toBe("inconclusive");
    expect(v.reasons).toEqual(["no round-trip lines arrived from the targets"]);
  });
});

describe("the succeed scenario", () => {
  const slow: StreamSpec = {
    ...base,
    during: (_t, phase) => (phase === "injection" ? { ok: true, rttMs: 802 } : fastTrip),
  };

  it("passes when round trips succeed at about the delay and /health stays 200", () => {
    const v = verdictOf(slow, planOf("succeed"));
    expect(failed(v)).toEqual([]);
    expect(v.status).toBe("passed");
  });

  it("fails, naming the thresholds, when round trips time out instead", () => {
    const v = verdictOf(base, planOf("succeed", { readTimeout: "500", connectionTimeout: "500" }));
    expect(v.status).toBe("failed");
    expect(failed(v)).toEqual([
      "injection.failed: rate<=0.02",
      "injection.ok_rtt: med>=predicted_median-jitter-0.05*delay",
      "injection.ok_rtt: med<=predicted_median+jitter+0.05*delay",
    ]);
    expect(v.checks.find((c) => c.metric === "ok_rtt")).toMatchObject({
      observed: null,
      detail: "ok_rtt did not occur",
    });
  });
});

describe("the edge scenario", () => {
  // Alternate timeouts and successes: an observed fraction of one half.
  const half: StreamSpec = {
    ...base,
    during: (t, phase) =>
      phase !== "injection" ? fastTrip : (t / 1000) % 2 === 0 ? timeoutTrip : { ok: true, rttMs: 780 },
  };

  it("passes when the observed timeout fraction agrees with the prediction", () => {
    const v = verdictOf(half, planOf("edge", { readTimeout: "800", connectionTimeout: "800" }));
    expect(failed(v)).toEqual([]);
    expect(v.observedTimeoutFraction).toBe(0.5);
    // Baseline median 2 ms, of which the read timeout sees about half: P(D > 799 ms) = 0.51.
    expect(v.prediction?.timeoutFraction).toBeCloseTo(0.51, 2);
    expect(v.checks.find((c) => c.metric === "timeouts")?.bound).toEqual([0.5, expect.closeTo(0.52, 2)]);
  });

  it("fails when it does not: 850 ms predicts few timeouts, not half", () => {
    const v = verdictOf(half, planOf("edge"));
    expect(failed(v)).toEqual(["injection.timeouts: rate~=predicted"]);
    expect(v.checks.find((c) => c.metric === "timeouts")?.detail).toMatch(
      /^observed 50.0% \(95% CI 35.2% to 64.8%\), bound \d+\.\d% to \d+\.\d%$/,
    );
  });
});

describe("lost lines (both extremes)", () => {
  const file = (injection: Record<string, string[]>): ExperimentFile => ({
    fault: { kind: "latency", delay: "800ms", jitter: "50ms" },
    hypothesis: { injection },
  });

  it("passes or fails only when both extremes agree, and is inconclusive otherwise, naming the lost lines", () => {
    const plan = planOf(file({ timeouts: ["rate>=0.9"] }));
    // 40 timeouts observed; 10 lost: 40/50 = 0.8 if they were good, 50/50 if bad.
    const lost = verdictOf(base, plan, [], { injection: 10 });
    expect(lost.status).toBe("inconclusive");
    const check = lost.checks.find((c) => c.metric === "timeouts");
    expect(check?.extremes).toEqual([0.8, 1]);
    expect(check?.detail).toMatch(/^10 round trip\(s\) in injection never arrived \(seq gaps\)/);
    expect(lost.reasons[0]).toMatch(/injection.timeouts: rate>=0.9: 10 round trip/);
    // 2 lost: 40/42 >= 0.9 either way.
    expect(verdictOf(base, plan, [], { injection: 2 }).status).toBe("passed");
    // A bound nothing can meet fails at both extremes.
    expect(verdictOf(base, planOf(file({ timeouts: ["rate<0.5"] })), [], { injection: 2 }).status).toBe("failed");
  });

  it("puts lost round trips at 0 ms and never ending for time aggregates", () => {
    const v = verdictOf(base, planOf(file({ rtt: ["max<1000"] })), [], { injection: 1 });
    expect(v.checks.find((c) => c.metric === "rtt")?.extremes).toEqual([503, Number.POSITIVE_INFINITY]);
    expect(v.status).toBe("inconclusive");
  });

  it("treats an absent evidence field as no lost lines", () => {
    expect(verdictOf(base, planOf(file({ timeouts: ["rate>=0.9"] }))).status).toBe("passed");
  });
});

describe("roundTripsByPhase", () => {
  it("places round trips in the same phases as the timeline does", () => {
    const builder = new TimelineBuilder();
    const spec = { ...base, during: (t: number) => (t % 3000 === 0 ? { ok: true, rttMs: 1500 } : fastTrip) };
    for (const r of stream(spec)) builder.add(line(r));
    const timeline = builder.build(faultWindow(spec), degradedThreshold(800));
    const byPhase = roundTripsByPhase(timeline, faultWindow(spec));
    for (const phase of ["baseline", "injection", "recovery"] as const) {
      expect(byPhase[phase].length).toBe(timeline.phases[phase].count);
    }
  });
});

describe("a run over several tasks, with the evidence's own account", () => {
  const timelineOf = (spec: StreamSpec, extra: object[] = []) => {
    const builder = new TimelineBuilder();
    for (const r of stream(spec)) builder.add(line(r));
    for (const l of extra) builder.add(line(l));
    return builder.build(faultWindow(spec), degradedThreshold(800));
  };
  const flips = [health(40_000, false), health(50_010, true)];
  const good = timelineOf(base, flips);
  const bad = timelineOf({ ...base, during: (t: number) => (t >= 10_000 && t < 55_000 ? timeoutTrip : fastTrip) }, [
    health(40_000, false),
    health(55_010, true),
  ]);
  const plan = planOf("timeout");

  it("judges each task the fault reached, and fails naming the task that deviated", () => {
    const v = evaluateRun({ ...good, tasks: { "task-a": good, "task-b": bad } }, plan, faultWindow(base));
    expect(v.status).toBe("failed");
    expect(v.reasons).toEqual([
      "task-b: run.degraded_after: value<=interval+read_timeout+1000",
      "task-b: run.healthy: value<=interval+read_timeout+1000+health_poll",
    ]);
  });

  it("leaves out a task the fault never reached, and is inconclusive when the evidence says it cannot tell", () => {
    const untargeted = Object.assign({}, bad, { evidence: { tasks: [{ targeted: false }] } });
    const v = evaluateRun({ ...good, tasks: { "task-a": good, "task-b": untargeted } }, plan, faultWindow(base));
    expect(v.status).toBe("passed");
    const told = {
      ...good,
      evidence: { inconclusive: ["task-c: stopped by ECS at 10:01 (Task failed ELB health checks)"] },
    };
    expect(evaluateRun(told, plan, faultWindow(base))).toMatchObject({
      status: "inconclusive",
      reasons: ["task-c: stopped by ECS at 10:01 (Task failed ELB health checks)"],
    });
  });

  it("reads the round trips as the timeline grouped them when it says so", () => {
    const grouped = { ...good, phaseRoundTrips: { baseline: [], injection: [], recovery: [] } };
    expect(evaluateRun(grouped, plan, faultWindow(base)).reasons[0]).toBe(
      "too few round trips in baseline: 0 (at least 5 needed)",
    );
  });
});
