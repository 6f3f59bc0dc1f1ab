// What is said beside a threshold so nobody reads more into it than the sample holds: a rate whose
// 95% interval does not clear the bound, a p(99) that is the maximum, a check no value can fail,
// and the resolution of times measured on the probe's schedule.
import { describe, expect, it } from "vitest";
import { samplesForPercentile } from "../src/engine/check-notes.js";
import type { RunFlags } from "../src/engine/planner.js";
import { TimelineBuilder } from "../src/engine/timeline.js";
import { degradedThreshold, evaluate } from "../src/engine/verdict.js";
import { planOf } from "./support/plan.js";
import { fastTrip, faultWindow, line, type StreamSpec, stream, timeoutTrip } from "./support/recorded.js";

function checksOf(spec: StreamSpec, hypothesis: Record<string, Record<string, string[]>>, flags: RunFlags = {}) {
  const builder = new TimelineBuilder();
  for (const r of stream(spec)) builder.add(line(r));
  const timeline = builder.build(faultWindow(spec), degradedThreshold(800));
  const plan = planOf({ version: 1, name: "notes", description: "d", hypothesis }, flags);
  return evaluate(timeline, plan, faultWindow(spec)).checks.filter((c) => c.role === "hypothesis");
}

/** 11 baseline, 29 injection, 10 recovery round trips: as small as the real run. */
const small: StreamSpec = {
  intervalMs: 1000,
  fault: [11_000, 40_000],
  endMs: 50_000,
  during: (_t, phase) => (phase === "injection" ? timeoutTrip : fastTrip),
};

describe("a threshold the sample cannot support", () => {
  it("says so when a rate's 95% interval does not clear the bound (rate<0.01 on 11 round trips)", () => {
    const [check] = checksOf(small, { baseline: { failed: ["rate<0.01"] } });
    expect(check?.status).toBe("passed");
    expect(check?.caveat).toBe(
      "the 95% CI 0.0% to 25.9% of 11 round trips does not clear the bound 1.0%: the sample cannot tell which side of it the rate is",
    );
  });

  it("speaks of your app's requests, not round trips, under load against your app", () => {
    const app: RunFlags = {
      app: "node server.js",
      url: ["http://127.0.0.1:3000/"],
      rate: "1",
      interval: undefined,
      healthFailure: undefined,
    };
    const [rate, p99] = checksOf(
      small,
      { baseline: { failed: ["rate<0.01"] }, injection: { rtt: ["p(99)<550"] } },
      app,
    );
    expect(rate?.caveat).toMatch(/^the 95% CI 0\.0% to 25\.9% of 11 requests does not clear the bound/);
    expect(p99?.caveat).toMatch(/^p\(99\) of 29 requests is their maximum/);
  });

  it("says nothing when the interval clears the bound", () => {
    const [check] = checksOf(small, { injection: { timeouts: ["rate>0.5"] } });
    expect(check?.status).toBe("passed");
    expect(check?.caveat).toBeUndefined();
  });

  it("says a p(99) of 29 round trips is their maximum, and not for a p(90) of them", () => {
    const [p99, p90] = checksOf(small, { injection: { rtt: ["p(99)<550", "p(90)<550"] } });
    expect(p99?.caveat).toBe(
      "p(99) of 29 round trips is their maximum: at least 100 are needed for it to be anything else",
    );
    expect(p90?.caveat).toBeUndefined();
    expect([samplesForPercentile(99), samplesForPercentile(90), samplesForPercentile(50)]).toEqual([100, 10, 2]);
  });
});

describe("a check that cannot fail on a value", () => {
  it("is marked vacuous (run.recover: value>=0 only says that recovery happened); a real bound is not", () => {
    const [ever, bounded] = checksOf(small, { run: { recover: ["value>=0", "value<3000"] } });
    expect(ever).toMatchObject({ status: "passed", vacuous: true });
    expect(bounded?.vacuous).toBeUndefined();
  });
});

describe("times measured on the probe's schedule", () => {
  it("carry the interval as their resolution, in the figure and in words", () => {
    const [recover] = checksOf(small, { run: { recover: ["value<3000"] } });
    expect(recover?.resolutionMs).toBe(1000);
    expect(recover?.detail).toMatch(/^observed [\d.]+ ms \(± 1000 ms\), bound 3000 ms$/);
  });
});
