// fislat experiment check predicts before anything runs: the fault's timeout share under the
// plan's timeouts, and a warning for each threshold that prediction contradicts.
import { describe, expect, it } from "vitest";
import { describePlan } from "../src/commands/experiment.js";
import { predictPlan } from "../src/engine/plan-prediction.js";
import { planOf } from "./support/plan.js";

const file = (hypothesis: Record<string, Record<string, string[]>>, readTimeout = "500ms") => ({
  version: 1 as const,
  name: "check",
  description: "d",
  fault: { kind: "latency" as const, delay: "800ms", jitter: "50ms" },
  probe: { readTimeout, connectionTimeout: readTimeout },
  hypothesis,
});

describe("experiment check's prediction", () => {
  it("warns when the hypothesis expects no timeouts under a fault that predicts 100%", () => {
    const { request } = planOf(
      file({ injection: { timeouts: ["rate==0"], failed: ["rate<0.05"], ok_rtt: ["med>100"] } }),
    );
    const { prediction, contradictions } = predictPlan(request);
    expect(prediction?.timeoutFraction).toBe(1);
    expect(contradictions).toEqual([
      "injection.timeouts: rate==0 contradicts the prediction (100.0% of round trips time out): the run would fail",
      "injection.failed: rate<0.05 contradicts the prediction (100.0% of round trips time out): each timeout is a failure, so the run would fail",
      "injection.ok_rtt: med>100 contradicts the prediction (100.0% of round trips time out): no round trip succeeds, so ok_rtt will not occur (write ok_rtt? to make it optional)",
    ]);
    const text = describePlan(request);
    expect(text).toMatch(/^prediction: 100\.0% of round trips under the fault time out/m);
    expect(text).toMatch(/^warning: {4}injection\.timeouts: rate==0 contradicts the prediction/m);
  });

  it("warns of nothing when the hypothesis agrees with it", () => {
    const { request } = planOf(file({ injection: { timeouts: ["rate==0"], ok_rtt: ["med>800"] } }, "2000ms"));
    const { prediction, contradictions } = predictPlan(request);
    expect(prediction?.timeoutFraction).toBe(0);
    expect(contradictions).toEqual([]);
    expect(describePlan(request)).toMatch(/those that succeed take about 8\d\d(\.\d)? ms \(median\)/);
  });
});
