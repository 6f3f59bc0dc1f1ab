// What a threshold's verdict needs said beside it so nobody reads more into it than the sample
// holds: the resolution of a time measured on a schedule, a bound the sample cannot support (the
// rate's 95% interval does not clear it; p(99) of 29 round trips is their maximum), and a check
// no value can fail (`run.recover: value>=0` only says that recovery happened).
import type { Check } from "./checks.js";
import { type FigureKind, formatFigure, formatInterval } from "./figures.js";
import { METRICS, type Metric, type RunEvidence } from "./metrics.js";
import { compare, type ReferenceValues } from "./threshold.js";
import type { PhaseName } from "./timeline.js";

export interface CheckNotes {
  resolutionMs?: number;
  caveat?: string;
  vacuous?: boolean;
}

/** The kind of figure a check compares: times in ms, rates, counts. */
export function figureKindOf(check: Check): FigureKind {
  const def: Metric = METRICS[check.metric];
  if (def.kind === "time") return "time";
  if (def.kind === "event") return check.threshold.aggregation.kind === "rate" ? "rate" : "count";
  if (def.kind === "count") return "count";
  return "time";
}

/**
 * Run-wide times that are first-of-something on a schedule: known to within the probe's interval
 * (a round trip only starts on its tick) or the /health poll's period.
 */
const RESOLUTION: Record<string, (refs: ReferenceValues) => number | undefined> = {
  detect: (r) => r.interval,
  recover: (r) => r.interval,
  degraded_after: (r) => r.interval,
  unhealthy: (r) => r.health_poll,
  healthy: (r) => r.health_poll,
};

/** The smallest sample whose nearest-rank p(N) is below its maximum. */
export function samplesForPercentile(p: number): number {
  if (p >= 100) return Number.POSITIVE_INFINITY;
  let n = 1;
  while (Math.ceil((p / 100) * n) >= n) n++;
  return n;
}

const DOMAIN: Record<FigureKind, [number, number]> = {
  time: [0, Number.POSITIVE_INFINITY],
  rate: [0, 1],
  count: [0, Number.POSITIVE_INFINITY],
};

/** True when every value the figure can take satisfies the threshold: only "did not occur" fails it. */
export function isVacuous(check: Check, kind: FigureKind, bound: number): boolean {
  const [low, high] = DOMAIN[kind];
  const op = check.threshold.operator;
  if (op === ">=" || op === ">") return compare(low, op, bound);
  if (op === "<=" || op === "<") return Number.isFinite(high) && compare(high, op, bound);
  return false;
}

export function checkNotes(
  check: Check,
  observed: { value: number | null; interval?: [number, number] },
  bound: number | [number, number],
  ev: RunEvidence,
  refs: ReferenceValues,
): CheckNotes {
  const notes: CheckNotes = {};
  const kind = figureKindOf(check);
  const resolution = RESOLUTION[check.metric]?.(refs);
  if (check.scope === "run" && resolution !== undefined) notes.resolutionMs = resolution;
  if (typeof bound !== "number") return notes;
  if (isVacuous(check, kind, bound)) notes.vacuous = true;
  const op = check.threshold.operator;
  const agg = check.threshold.aggregation;
  if (check.role !== "hypothesis" || check.scope === "run" || observed.value === null) return notes;
  if (agg.kind === "rate" && observed.interval && ["<", "<=", ">", ">=", "=="].includes(op)) {
    const [lo, hi] = observed.interval;
    if (lo <= bound && bound <= hi) {
      const n = ev.phases[check.scope as PhaseName].trips.rtt.length;
      notes.caveat = `the ${formatInterval(observed.interval)} of ${n} ${ev.noun.many} does not clear the bound ${formatFigure("rate", bound)}: the sample cannot tell which side of it the rate is`;
    }
  }
  if (agg.kind === "p" && agg.percentile < 100) {
    const def: Metric = METRICS[check.metric];
    const n =
      def.scope === "phase" && def.values ? def.values(ev.phases[check.scope as PhaseName].trips).length : undefined;
    const needed = samplesForPercentile(agg.percentile);
    if (n !== undefined && n > 0 && n < needed) {
      notes.caveat = `p(${agg.percentile}) of ${n} ${ev.noun.many} is their maximum: at least ${needed} are needed for it to be anything else`;
    }
  }
  return notes;
}
