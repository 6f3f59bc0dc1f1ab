import { describe, expect, it } from "vitest";
import type { ExperimentPlan } from "../src/engine/plan.js";
import { SCENARIOS } from "../src/engine/scenario.js";
import { TimelineBuilder } from "../src/engine/timeline.js";
import { degradedThreshold, judge } from "../src/engine/verdict.js";
import { fastTrip, faultWindow, line, type StreamSpec, stream, T0, timeoutTrip } from "./support/recorded.js";

const base: StreamSpec = {
  intervalMs: 1000,
  fault: [10_000, 50_000],
  endMs: 60_000,
  during: (_t, phase) => (phase === "injection" ? timeoutTrip : fastTrip),
};

interface Judged {
  plan: ExperimentPlan;
  injectionMs: number;
}

/** The plan of a run of `scenario` with the original fault, and the injection's real length. */
const input = (
  scenario: keyof typeof SCENARIOS,
  over: { readTimeoutMs?: number; connectionTimeoutMs?: number; injectionMs?: number } = {},
): Judged => {
  const s = SCENARIOS[scenario] as ExperimentPlan["scenario"];
  return {
    plan: {
      scenario: s,
      fault: { delayMs: 800, jitterMs: 50, durationMs: 40_000 },
      baselineMs: 10_000,
      recoveryMs: 10_000,
      connectionTimeoutMs: over.connectionTimeoutMs ?? s.connectionTimeoutMs,
      readTimeoutMs: over.readTimeoutMs ?? s.readTimeoutMs,
      intervalMs: 1000,
      healthFailureMs: 30_000,
      healthPollMs: 1000,
      lateLineGraceMs: 0,
      waitsOnNewConnection: 1,
      connectDelayed: false,
    },
    injectionMs: over.injectionMs ?? 40_000,
  };
};

function verdictOf(spec: StreamSpec, judged: Judged, extra: object[] = []) {
  const builder = new TimelineBuilder();
  for (const r of stream(spec)) builder.add(line(r));
  for (const l of extra) builder.add(line(l));
  return judge(builder.build(faultWindow(spec), degradedThreshold(800)), judged.plan, judged.injectionMs);
}

const health = (offsetMs: number, healthy: boolean) => ({
  ts: new Date(T0 + offsetMs).toISOString(),
  msg: "Health changed",
  healthy,
  failingForMs: 0,
});
const failed = (v: ReturnType<typeof judge>) => v.assertions.filter((a) => !a.passed).map((a) => a.id);

describe("judge, timeout scenario", () => {
  const flips = [health(40_000, false), health(50_010, true)];

  it("passes when round trips time out, /health turns 503 after 30 s of failures, and all recover", () => {
    const v = verdictOf(base, input("timeout"), flips);
    expect(failed(v)).toEqual([]);
    expect(v.passed).toBe(true);
    expect(v.assertions.map((a) => a.id)).toEqual([
      "baseline.samples",
      "baseline.healthy",
      "injection.samples",
      "fault.showed",
      "injection.timeouts",
      "health.unhealthy",
      "recovery.samples",
      "recovery.recovered",
      "recovery.health",
    ]);
    expect(v.prediction?.timeoutFraction).toBe(1);
  });

  it("fails when the fault never showed", () => {
    const v = verdictOf({ ...base, during: () => fastTrip }, input("timeout"));
    expect(failed(v)).toEqual(["fault.showed", "injection.timeouts", "health.unhealthy"]);
  });

  it("fails when degradation outlives the fault beyond the tolerance", () => {
    const lingering = { ...base, during: (t: number) => (t >= 10_000 && t < 55_000 ? timeoutTrip : fastTrip) };
    const v = verdictOf(lingering, input("timeout"), [health(40_000, false), health(55_010, true)]);
    expect(failed(v)).toEqual(["recovery.recovered", "recovery.health"]);
  });

  it("fails when /health turns 503 too early", () => {
    const v = verdictOf(base, input("timeout"), [health(20_000, false), health(50_010, true)]);
    expect(failed(v)).toEqual(["health.unhealthy"]);
  });

  it("says which phase has too few round trips to judge", () => {
    const v = verdictOf({ ...base, fault: [3_000, 50_000] }, input("timeout", { injectionMs: 47_000 }), [
      health(33_000, false),
      health(50_010, true),
    ]);
    expect(failed(v)).toEqual(["baseline.samples"]);
    expect(v.assertions[0]?.observed).toBe("3 round trips");
  });

  it("refuses to judge /health when the injection is shorter than the failure window", () => {
    const short = { ...base, fault: [10_000, 30_000] as [number, number], endMs: 40_000 };
    const v = verdictOf(short, input("timeout", { injectionMs: 20_000 }));
    expect(failed(v)).toEqual(["health.unhealthy"]);
    expect(v.assertions.find((a) => a.id === "health.unhealthy")?.observed).toMatch(/too short to judge/);
  });
});

describe("judge, succeed scenario", () => {
  const slow: StreamSpec = {
    ...base,
    during: (_t, phase) => (phase === "injection" ? { ok: true, rttMs: 802 } : fastTrip),
  };

  it("passes when round trips succeed at about the delay and /health stays 200", () => {
    expect(failed(verdictOf(slow, input("succeed")))).toEqual([]);
  });

  it("fails, naming the assertion, when round trips time out instead", () => {
    const v = verdictOf(base, input("succeed", { readTimeoutMs: 500, connectionTimeoutMs: 500 }));
    expect(failed(v)).toEqual(["injection.succeed", "injection.latency"]);
  });
});

describe("judge, edge scenario", () => {
  // Alternate timeouts and successes: an observed fraction of one half.
  const half: StreamSpec = {
    ...base,
    during: (t, phase) =>
      phase !== "injection" ? fastTrip : (t / 1000) % 2 === 0 ? timeoutTrip : { ok: true, rttMs: 780 },
  };

  it("passes when the observed timeout fraction agrees with the prediction", () => {
    const v = verdictOf(half, input("edge", { readTimeoutMs: 800, connectionTimeoutMs: 800 }));
    expect(failed(v)).toEqual([]);
    expect(v.observedTimeoutFraction).toBe(0.5);
    // Baseline median 2 ms, of which the read timeout sees about half: P(D > 799 ms) = 0.51.
    expect(v.prediction?.timeoutFraction).toBeCloseTo(0.51, 2);
    expect(v.prediction?.timeoutFractionRange).toEqual([0.5, expect.closeTo(0.52, 2)]);
  });

  it("fails when it does not: 850 ms predicts few timeouts, not half", () => {
    const v = verdictOf(half, input("edge"));
    expect(failed(v)).toEqual(["injection.timeout-fraction"]);
    const a = v.assertions.find((x) => x.id === "injection.timeout-fraction");
    expect(a?.expected).toMatch(/^predicted \d/);
    expect(a?.observed).toMatch(/20 of 40 timed out: 50.0%, 95% interval/);
  });
});
