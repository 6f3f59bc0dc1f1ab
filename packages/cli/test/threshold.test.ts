// Thresholds in k6 syntax: every aggregation and operator, malformed input, and figures that
// never happened, through the same evaluator the runs use.
import { describe, expect, it } from "vitest";
import { CheckError, parseCheck, parseThresholdFlag } from "../src/engine/checks.js";
import type { ExperimentFile } from "../src/engine/experiment-file.js";
import { agrees, boundValue, compare, parseThreshold, ThresholdError } from "../src/engine/threshold.js";
import { TimelineBuilder } from "../src/engine/timeline.js";
import { degradedThreshold, evaluate } from "../src/engine/verdict.js";
import { planOf } from "./support/plan.js";
import { faultWindow, line, type StreamSpec, stream } from "./support/recorded.js";

describe("parseThreshold", () => {
  it.each([
    ["p(99)<450", { kind: "p", percentile: 99 }, "<", 450],
    ["p(99.9) <= 1200", { kind: "p", percentile: 99.9 }, "<=", 1200],
    ["med>250", { kind: "med" }, ">", 250],
    ["avg>=1", { kind: "avg" }, ">=", 1],
    ["min==0", { kind: "min" }, "==", 0],
    ["max!=3", { kind: "max" }, "!=", 3],
    ["rate<0.01", { kind: "rate" }, "<", 0.01],
    ["count==0", { kind: "count" }, "==", 0],
    ["value<3000", { kind: "value" }, "<", 3000],
    ["rate~=0.5", { kind: "rate" }, "~=", 0.5],
  ])("reads %s", (text, aggregation, operator, bound) => {
    const t = parseThreshold(text);
    expect(t.aggregation).toEqual(aggregation);
    expect(t.operator).toBe(operator);
    expect(boundValue(t, {})).toBe(bound);
  });

  it("reads bounds that name plan figures, with coefficients and signs", () => {
    const t = parseThreshold("value<=health_failure+health_poll-1000+0.05*delay");
    expect(boundValue(t, { health_failure: 30_000, health_poll: 1000, delay: 800 })).toBe(30_040);
    expect(boundValue(parseThreshold("value>-5"), {})).toBe(-5);
    expect(boundValue(t, { health_failure: 30_000 })).toEqual({ missing: "health_poll" });
  });

  it.each([
    ["p(99)<<200", /"<200" is not a bound/],
    ["p(99)", /is not a threshold: expected AGGREGATION OPERATOR BOUND/],
    ["p99<200", /is not a threshold/],
    ["p(0)<200", /p\(N\) takes N from above 0 to 100/],
    ["p(101)<200", /p\(N\) takes N from above 0 to 100/],
    ["mean<200", /unknown aggregation "mean"; allowed: p\(N\), med, avg, min, max, rate, count, value/],
    ["rate<", /nothing after the operator/],
    ["rate<abc", /unknown figure "abc"; allowed: delay, jitter/],
    ["rate<0.1 0.2", /is not a bound/],
    ["rate=0", /is not a threshold/],
    ["value<1e3", /is not a bound/],
    ["value<0x10", /is not a bound/],
    ["", /is not a threshold/],
  ])("refuses %j, saying what is allowed", (text, message) => {
    expect(() => parseThreshold(text)).toThrowError(ThresholdError);
    expect(() => parseThreshold(text)).toThrowError(message);
  });

  it("compares with every operator", () => {
    expect([compare(1, "<", 2), compare(2, "<", 2), compare(2, "<=", 2), compare(3, "<=", 2)]).toEqual([
      true,
      false,
      true,
      false,
    ]);
    expect([compare(3, ">", 2), compare(2, ">", 2), compare(2, ">=", 2), compare(1, ">=", 2)]).toEqual([
      true,
      false,
      true,
      false,
    ]);
    expect([compare(2, "==", 2), compare(1, "==", 2), compare(1, "!=", 2), compare(2, "!=", 2)]).toEqual([
      true,
      false,
      true,
      false,
    ]);
    expect([agrees([0.3, 0.6], [0.5, 0.52]), agrees([0.3, 0.4], [0.5, 0.52])]).toEqual([true, false]);
  });
});

describe("parseCheck", () => {
  it("names the place and what is allowed for an unknown metric, scope, or an aggregation that does not apply", () => {
    expect(() => parseCheck("injection", "latency", "p(99)<1")).toThrowError(
      'injection.latency: unknown metric "latency" for injection; allowed: rtt, ok_rtt, failed, timeouts, degraded, samples',
    );
    expect(() => parseCheck("during", "rtt", "p(99)<1")).toThrowError(
      /unknown scope "during"; allowed: baseline, injection, recovery, run/,
    );
    expect(() => parseCheck("run", "rtt", "p(99)<1")).toThrowError(/allowed: detect, recover/);
    expect(() => parseCheck("injection", "rtt", "rate<1")).toThrowError(
      /rate does not apply to rtt .*; use p\(N\), med, avg, min, max/,
    );
    expect(() => parseCheck("injection", "failed", "p(99)<1")).toThrowError(/use rate, count/);
    expect(() => parseCheck("run", "recover", "p(99)<1")).toThrowError(/use value/);
    expect(() => parseCheck("injection", "rtt", "med~=5")).toThrowError(/~= compares a rate's 95% interval/);
  });

  it.each([
    ["rate<1.5", "the bound 1.5 is outside 0..1, so it always holds"],
    ["rate>1.5", "the bound 1.5 is outside 0..1, so it can never hold"],
    ["rate<=-0.1", "the bound -0.1 is outside 0..1, so it can never hold"],
    ["rate~=2", "the bound 2 is outside 0..1, so it can never agree"],
    ["rate<0", "no rate is < 0, so it can never hold"],
    ["rate>1", "no rate is > 1, so it can never hold"],
    ["rate>=0", "every rate is >= 0, so it always holds"],
    ["rate<=1", "every rate is <= 1, so it always holds"],
  ])("refuses the rate threshold %s, saying why and what a rate is", (expression, why) => {
    expect(() => parseCheck("injection", "failed", expression)).toThrowError(
      `injection.failed: "${expression}": ${why}; a rate is a share from 0 to 1 (0.05 is 5%), e.g. rate<0.05`,
    );
  });

  it.each([
    "rate<1",
    "rate>0",
    "rate==0",
    "rate==1",
    "rate<=0",
    "rate>=1",
    "rate!=0",
    "rate<0.05",
    "rate~=predicted_failed",
  ])("takes the rate threshold %s", (expression) => {
    expect(parseCheck("injection", "failed", expression).threshold.expression).toBe(expression);
  });

  it("reads --threshold SCOPE.METRIC:THRESHOLD", () => {
    expect(parseThresholdFlag("injection.rtt:p(99)<1200")).toMatchObject({
      scope: "injection",
      metric: "rtt",
      id: "injection.rtt: p(99)<1200",
    });
    expect(() => parseThresholdFlag("rtt<5")).toThrowError(CheckError);
    expect(() => parseThresholdFlag("injection.rtt:p(99)<<1200")).toThrowError(
      /^--threshold: injection.rtt: "p\(99\)<<1200"/,
    );
  });
});

describe("evaluating each aggregation over a recorded run", () => {
  // Injection: round trips of 100, 200, ..., 1000 ms, the 10th of them failed by timeout.
  const spec: StreamSpec = {
    intervalMs: 1000,
    fault: [10_000, 20_000],
    endMs: 30_000,
    during: (t, phase) => {
      if (phase !== "injection") return { ok: true, rttMs: 2 };
      const i = (t - 10_000) / 1000 + 1;
      return i === 10 ? { ok: false, rttMs: 503, errorKind: "timeout" } : { ok: true, rttMs: i * 100 };
    },
  };
  const builder = new TimelineBuilder();
  for (const r of stream(spec)) builder.add(line(r));
  const timeline = builder.build(faultWindow(spec), degradedThreshold(100));
  const judge = (injection: Record<string, string[]>, run: Record<string, string[]> = {}) => {
    const data: ExperimentFile = {
      fault: { kind: "latency", delay: "100ms", jitter: "0ms" },
      hypothesis: { injection, run },
    };
    return evaluate(
      timeline,
      planOf(data, { duration: "10s", interval: "1s", healthFailure: "1s" }),
      faultWindow(spec),
    ).checks.filter((c) => c.role === "hypothesis");
  };
  const observed = (metric: string, expression: string) => judge({ [metric]: [expression] })[0]?.observed;

  it("computes each figure", () => {
    expect(observed("ok_rtt", "p(50)<0")).toBe(500);
    expect(observed("ok_rtt", "med<0")).toBe(500);
    expect(observed("ok_rtt", "p(90)<0")).toBe(900);
    expect(observed("ok_rtt", "avg<0")).toBe(500);
    expect(observed("ok_rtt", "min<0")).toBe(100);
    expect(observed("ok_rtt", "max<0")).toBe(900);
    expect(observed("rtt", "max<0")).toBe(900);
    expect(observed("rtt", "p(100)<0")).toBe(900);
    expect(observed("timeouts", "rate>0.5")).toBe(0.1);
    expect(observed("failed", "count<0")).toBe(1);
    expect(observed("samples", "count<0")).toBe(10);
  });

  it("passes and fails by the operator", () => {
    const results = judge({
      ok_rtt: ["p(99)<1000", "p(99)<900", "med>=500", "med>500"],
      failed: ["count==1", "count!=1"],
    });
    expect(results.map((r) => r.status)).toEqual(["passed", "failed", "passed", "failed", "passed", "failed"]);
  });

  it("fails a threshold on a figure that never happened, and says so; an optional one passes", () => {
    const [healthy, optional] = judge({}, { unhealthy: ["value<60000"], "unhealthy?": ["value<60000"] });
    expect(healthy).toMatchObject({ status: "failed", observed: null, detail: "unhealthy did not occur" });
    expect(optional).toMatchObject({ status: "passed", observed: null });
  });
});
