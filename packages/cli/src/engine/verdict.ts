// Judges a timeline against the scenario's hypothesis. Every check is an assertion with what was
// expected and what was observed, so a failed run says which one failed and why. Evidence, not
// hope: a fault that never showed, degradation that outlives the fault, or a phase with too few
// round trips to judge all fail the run.

import type { ExperimentPlan } from "./plan.js";
import { type Prediction, predict, wilsonInterval } from "./predict.js";
import { isTimeout, type LatencySummary, type PhaseName, type Timeline } from "./timeline.js";

export interface Assertion {
  id: string;
  title: string;
  passed: boolean;
  expected: string;
  observed: string;
}

export interface Verdict {
  passed: boolean;
  assertions: Assertion[];
  prediction?: Prediction;
  observedTimeoutFraction?: number;
  observedTimeoutInterval?: [number, number];
}

export const MIN_SAMPLES = 5;
/** Share of round trips under the fault that must show it (fail or slow down). */
const FAULT_SHOWN_SHARE = 0.8;
const BASELINE_OK_SHARE = 0.95;
const TIMEOUT_SHARE = 0.9;
const SUCCESS_SHARE = 0.98;

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const msText = (x: number | undefined) => (x === undefined ? "n/a" : `${Math.round(x)} ms`);

/** A successful round trip slower than this shows the fault: half the delay above the baseline's p99. */
export function degradedThreshold(delayMs: number) {
  return (baseline: LatencySummary | undefined) => (baseline?.p99 ?? 0) + delayMs / 2;
}

/** `injectionMs`: how long the fault was really in place, by the injector's own times. */
export function judge(timeline: Timeline, plan: ExperimentPlan, injectionMs: number): Verdict {
  const assertions: Assertion[] = [];
  const add = (a: Assertion) => assertions.push(a);
  const { phases } = timeline;
  const enough = (phase: PhaseName) => {
    const count = phases[phase].count;
    add({
      id: `${phase}.samples`,
      title: `${phase} has enough round trips to judge`,
      passed: count >= MIN_SAMPLES,
      expected: `at least ${MIN_SAMPLES} round trips`,
      observed: `${count} round trips`,
    });
    return count >= MIN_SAMPLES;
  };

  // Baseline: healthy before the fault.
  if (enough("baseline")) {
    const share = phases.baseline.successes / phases.baseline.count;
    add({
      id: "baseline.healthy",
      title: "baseline is healthy",
      passed: share >= BASELINE_OK_SHARE,
      expected: `at least ${pct(BASELINE_OK_SHARE)} of round trips succeed`,
      observed: `${pct(share)} succeeded, median ${msText(phases.baseline.latency?.p50)}`,
    });
  }

  const baselineLatency = phases.baseline.latency;
  const prediction = baselineLatency
    ? predict({
        delayMs: plan.fault.delayMs,
        jitterMs: plan.fault.jitterMs,
        connectionTimeoutMs: plan.connectionTimeoutMs,
        readTimeoutMs: plan.readTimeoutMs,
        // The read timeout is an inactivity timer from the request's last byte: it sees the part
        // of the baseline spent waiting for DynamoDB, not the SDK's own work before sending,
        // so somewhere between none and all of the baseline median.
        baselineMs: { low: 0, typical: baselineLatency.p50 / 2, high: baselineLatency.p50 },
        waitsOnNewConnection: plan.waitsOnNewConnection,
        connectDelayed: plan.connectDelayed,
      })
    : undefined;

  // Injection: the fault showed, and the hypothesis held.
  let observedTimeoutFraction: number | undefined;
  let observedTimeoutInterval: [number, number] | undefined;
  if (enough("injection")) {
    const inj = phases.injection;
    const shown = inj.degraded / inj.count;
    add({
      id: "fault.showed",
      title: "the fault showed while it was injected",
      passed: shown >= FAULT_SHOWN_SHARE,
      expected: `at least ${pct(FAULT_SHOWN_SHARE)} of round trips fail or take over ${msText(timeline.degradedAboveMs)}`,
      observed: `${pct(shown)} did; median shift ${msText(inj.medianShiftMs)}`,
    });
    observedTimeoutFraction = inj.timeouts / inj.count;
    observedTimeoutInterval = wilsonInterval(inj.timeouts, inj.count);
    const predicted = prediction ? ` (predicted ${pct(prediction.timeoutFraction)})` : "";
    switch (plan.scenario.expect) {
      case "timeouts":
        add({
          id: "injection.timeouts",
          title: "round trips time out under the fault",
          passed: observedTimeoutFraction >= TIMEOUT_SHARE,
          expected: `at least ${pct(TIMEOUT_SHARE)} time out${predicted}`,
          observed: `${inj.timeouts} of ${inj.count} timed out (${pct(observedTimeoutFraction)})`,
        });
        add(healthTurnedUnhealthy(timeline, plan, injectionMs));
        break;
      case "success": {
        const successShare = inj.successes / inj.count;
        add({
          id: "injection.succeed",
          title: "round trips succeed under the fault",
          passed: successShare >= SUCCESS_SHARE,
          expected: `at least ${pct(SUCCESS_SHARE)} succeed`,
          observed: `${inj.successes} of ${inj.count} succeeded; ${inj.timeouts} timed out`,
        });
        const median = inj.successLatency?.p50;
        const tolerance = plan.fault.jitterMs + Math.max(25, plan.fault.delayMs * 0.05);
        const expectedMedian = prediction?.successMedianMs ?? plan.fault.delayMs;
        add({
          id: "injection.latency",
          title: "successful round trips take about the delay plus the baseline",
          passed: median !== undefined && Math.abs(median - expectedMedian) <= tolerance,
          expected: `median ${msText(expectedMedian)} +/- ${msText(tolerance)}`,
          observed: `median ${msText(median)}`,
        });
        const unhealthy = timeline.health.find((h) => !h.healthy);
        add({
          id: "health.stayed-healthy",
          title: "/health stays 200",
          passed: unhealthy === undefined,
          expected: "no unhealthy /health during the run",
          observed: unhealthy ? `unhealthy at ${unhealthy.at.toISOString()}` : "always healthy",
        });
        break;
      }
      case "predicted-mix": {
        const [lo, hi] = observedTimeoutInterval;
        const range = prediction?.timeoutFractionRange;
        add({
          id: "injection.timeout-fraction",
          title: "the timeout fraction agrees with the prediction",
          passed: range !== undefined && hi >= range[0] && lo <= range[1],
          expected: range
            ? `predicted ${pct(prediction?.timeoutFraction ?? 0)} (${pct(range[0])} to ${pct(range[1])} over the baseline's spread)`
            : "a prediction, which needs a baseline",
          observed: `${inj.timeouts} of ${inj.count} timed out: ${pct(observedTimeoutFraction)}, 95% interval ${pct(lo)} to ${pct(hi)}`,
        });
        break;
      }
    }
  }

  // Recovery: back to normal soon after the fault was removed.
  if (enough("recovery")) {
    const tolerance = plan.intervalMs + plan.readTimeoutMs + 1000;
    const outlived = timeline.degradationAfterFaultMs ?? 0;
    add({
      id: "recovery.recovered",
      title: "round trips recover once the fault is removed",
      passed: timeline.timeToRecoverMs !== undefined && outlived <= tolerance,
      expected: `a success, and no degradation later than ${msText(tolerance)} after the fault ended`,
      observed:
        timeline.timeToRecoverMs === undefined
          ? "no successful round trip after the fault ended"
          : `first success ${msText(timeline.timeToRecoverMs)} after; last degraded ${msText(outlived)} after`,
    });
    const everUnhealthy = timeline.health.some((h) => !h.healthy);
    if (everUnhealthy) {
      const healthTolerance = tolerance + plan.healthPollMs;
      add({
        id: "recovery.health",
        title: "/health is 200 again after the fault",
        passed: timeline.timeToHealthyMs !== undefined && timeline.timeToHealthyMs <= healthTolerance,
        expected: `healthy within ${msText(healthTolerance)} of the fault's end`,
        observed:
          timeline.timeToHealthyMs === undefined
            ? "still unhealthy at the end of the run"
            : `healthy ${msText(timeline.timeToHealthyMs)} after`,
      });
    }
  }

  const verdict: Verdict = { passed: assertions.every((a) => a.passed), assertions };
  if (prediction) verdict.prediction = prediction;
  if (observedTimeoutFraction !== undefined) verdict.observedTimeoutFraction = observedTimeoutFraction;
  if (observedTimeoutInterval) verdict.observedTimeoutInterval = observedTimeoutInterval;
  return verdict;
}

function healthTurnedUnhealthy(timeline: Timeline, plan: ExperimentPlan, injectionMs: number): Assertion {
  const base = {
    id: "health.unhealthy",
    title: "/health turns 503 after the failure window",
  };
  const window = plan.healthFailureMs;
  const tolerance = plan.healthPollMs + 1000;
  if (injectionMs < window + tolerance) {
    return {
      ...base,
      passed: false,
      expected: `an injection longer than the ${msText(window)} failure window`,
      observed: `the injection lasted ${msText(injectionMs)}: too short to judge /health`,
    };
  }
  const after = timeline.unhealthyAfterFirstFailureMs;
  const failing = timeline.roundTrips.some((r) => r.src === "loop" && isTimeout(r));
  return {
    ...base,
    passed: after !== undefined && after >= window - tolerance && after <= window + tolerance + plan.intervalMs,
    expected: `503 about ${msText(window)} after the first failure (+/- ${msText(tolerance)})`,
    observed:
      after === undefined
        ? failing
          ? "/health never turned unhealthy"
          : "no failures, so /health never turned unhealthy"
        : `503 ${msText(after)} after the first failure (${msText(timeline.timeToUnhealthyMs)} after the fault started)`,
  };
}
