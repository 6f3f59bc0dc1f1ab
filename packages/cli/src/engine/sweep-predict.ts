// Where the prediction machinery (predict.ts, through the fault kind) says the hypothesis breaks:
// the lowest level whose predicted timeout fraction breaks a threshold on the injection's
// `failed` or `timeouts` rate, with the range the baseline's spread allows. Pure; the sweep puts it
// next to the break it observed. Other thresholds have no prediction, and none is claimed.
import type { Check } from "./checks.js";
import { type EnvironmentTraits, type Fault, faultKind, type ProbeSettings } from "./fault.js";
import type { Prediction } from "./predict.js";
import { onGrid } from "./sweep-levels.js";
import type { LatencySummary } from "./timeline.js";

export interface PredictedBreak {
  /** The lowest level predicted to break, with the baseline's typical part under the timeout. */
  level: number;
  /** The same with the baseline's low and high parts: the model's own uncertainty. */
  range: [number, number];
  /** The threshold predicted to break first. */
  threshold: string;
}

/** A rate threshold the timeout model speaks to: the fraction at which it stops holding. */
function breaksAt(check: Check): ((fraction: number) => boolean) | undefined {
  if (check.scope !== "injection" || (check.metric !== "failed" && check.metric !== "timeouts")) return undefined;
  const { aggregation, operator, bound } = check.threshold;
  if (aggregation.kind !== "rate" || bound.some((t) => t.reference !== undefined)) return undefined;
  const limit = bound.reduce((sum, t) => sum + t.coefficient, 0);
  if (operator === "<") return (f) => f >= limit;
  if (operator === "<=") return (f) => f > limit;
  if (operator === "==" && limit === 0) return (f) => f > 0;
  return undefined;
}

/** The lowest level in [low, high] (on the step grid) where `broken` holds; it must only turn on as the level rises. */
function lowest(low: number, high: number, step: number, broken: (level: number) => boolean): number | undefined {
  if (!broken(high)) return undefined;
  let lo = low;
  let hi = high;
  if (broken(lo)) return lo;
  while (hi - lo > step) {
    const mid = onGrid((lo + hi) / 2, step);
    if (mid <= lo || mid >= hi) break;
    if (broken(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

export function predictBreak(
  faultAt: (level: number) => Fault,
  checks: Check[],
  probe: ProbeSettings,
  baseline: LatencySummary | undefined,
  /** How new connections pay the fault: the environment's, or per fault where it depends on the level (the local proxy's). */
  traits: EnvironmentTraits | ((fault: Fault) => EnvironmentTraits),
  span: [number, number],
  step: number,
): PredictedBreak | null {
  if (!baseline) return null;
  const predictAt = (level: number) => {
    const fault = faultAt(level);
    return faultKind(fault).predict(fault, probe, baseline, typeof traits === "function" ? traits(fault) : traits);
  };
  let best: PredictedBreak | null = null;
  for (const check of checks) {
    const broken = breaksAt(check);
    if (!broken) continue;
    // `failed` counts every failure (a kind that fails requests says how many); `timeouts` only timeouts.
    const fraction = (p: Prediction | undefined, pick: 0 | 1 | "typical") => {
      if (!p) return 0;
      if (check.metric === "failed" && p.failedFraction !== undefined) return p.failedFraction;
      return pick === "typical" ? p.timeoutFraction : p.timeoutFractionRange[pick];
    };
    const typical = lowest(span[0], span[1], step, (l) => broken(fraction(predictAt(l), "typical")));
    if (typical === undefined) continue;
    const early = lowest(span[0], span[1], step, (l) => broken(fraction(predictAt(l), 1))) ?? typical;
    const late = lowest(span[0], span[1], step, (l) => broken(fraction(predictAt(l), 0))) ?? typical;
    if (best === null || typical < best.level) best = { level: typical, range: [early, late], threshold: check.id };
  }
  return best;
}
