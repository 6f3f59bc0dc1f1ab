// The figures a threshold can name: per phase (round trips and their times) and run-wide (how long
// things took). One table; a new metric is a new entry. Each figure is computed at the two
// extremes of the round trips known to be missing: missing ones all good, or all
// bad (for times: at 0 ms, or never ending).
import { isOk, isTimeoutAt, type PhaseTrips, percentileOfSorted } from "./phase-trips.js";
import type { AggregationKind } from "./threshold.js";
import type { PhaseName, Timeline } from "./timeline.js";

export type Scope = PhaseName | "run";
export type MetricKind = "time" | "event" | "count" | "value";

/** One phase's round trips as the judge sees them. */
export interface PhaseEvidence {
  trips: PhaseTrips;
  /** Round trips known to have happened whose lines never arrived. */
  missing: number;
}

export interface RunEvidence {
  timeline: Timeline;
  phases: Record<PhaseName, PhaseEvidence>;
  /** What the run measured, in the words its details use: the probe's round trips, or your service's requests. */
  noun: TripNoun;
}

export interface TripNoun {
  one: string;
  many: string;
}

/** A load against the user's app or service sends requests; the probe makes round trips. */
export function tripNounOf(request: { load?: unknown }): TripNoun {
  return request.load ? { one: "request", many: "requests" } : { one: "round trip", many: "round trips" };
}

interface PhaseMetric {
  scope: "phase";
  kind: "time" | "event" | "count";
  description: string;
  /** time: the values; event: which round trips count (the j-th of the phase's trips). */
  values?: (trips: PhaseTrips) => Float64Array;
  is?: (trips: PhaseTrips, j: number, timeline: Timeline) => boolean;
}

interface RunMetric {
  scope: "run";
  kind: "value" | "count";
  description: string;
  of: (timeline: Timeline) => number | undefined;
  /** Lines lost in this phase make the figure uncertain. */
  dependsOn?: PhaseName;
}

export type Metric = PhaseMetric | RunMetric;

export const AGGREGATIONS_BY_KIND: Record<MetricKind, AggregationKind[]> = {
  time: ["p", "med", "avg", "min", "max"],
  event: ["rate", "count"],
  count: ["count"],
  value: ["value"],
};

/** Round trips answered with an HTTP status of this class (a round trip without an answer has none). */
function statusClass(c: number): PhaseMetric {
  return {
    scope: "phase",
    kind: "event",
    description: `round trips answered with a ${c}xx status (your app's answers; the probe's: DynamoDB's)`,
    is: (t, j) => Math.floor((t.status[j] as number) / 100) === c,
  };
}

export const METRICS = {
  rtt: {
    scope: "phase",
    kind: "time",
    description: "every round trip's time, ms (a timed-out one counts at its timeout)",
    values: (trips) => trips.rtt,
  },
  ok_rtt: {
    scope: "phase",
    kind: "time",
    description: "successful round trips' time, ms",
    values: (trips) => trips.rtt.filter((_, j) => isOk(trips, j)),
  },
  failed: {
    scope: "phase",
    kind: "event",
    description: "round trips that failed, any kind",
    is: (t, j) => !isOk(t, j),
  },
  timeouts: {
    scope: "phase",
    kind: "event",
    description: "round trips that timed out (read or connect)",
    is: (t, j) => isTimeoutAt(t, j),
  },
  degraded: {
    scope: "phase",
    kind: "event",
    description: "round trips that show the fault: failed, or slower than the fault's degraded threshold",
    is: (t, j, timeline) => !isOk(t, j) || (t.rtt[j] as number) > timeline.degradedAboveMs,
  },
  samples: { scope: "phase", kind: "count", description: "round trips in the phase" },
  // Per status class: a user's app's answers under load (for the probe, DynamoDB's error statuses).
  status_2xx: statusClass(2),
  status_3xx: statusClass(3),
  status_4xx: statusClass(4),
  status_5xx: statusClass(5),
  detect: {
    scope: "run",
    kind: "value",
    description: "fault start to the first degraded round trip, ms",
    of: (t) => t.timeToDetectMs,
    dependsOn: "injection",
  },
  recover: {
    scope: "run",
    kind: "value",
    description: "fault end to the first successful round trip, ms",
    of: (t) => t.timeToRecoverMs,
    dependsOn: "recovery",
  },
  degraded_after: {
    scope: "run",
    kind: "value",
    description: "fault end to the end of the last degraded round trip after it (0 if none), ms",
    of: (t) => t.degradationAfterFaultMs,
    dependsOn: "recovery",
  },
  unhealthy: {
    scope: "run",
    kind: "value",
    description: "first failed round trip to /health answering 503, ms",
    of: (t) => t.unhealthyAfterFirstFailureMs,
    dependsOn: "injection",
  },
  healthy: {
    scope: "run",
    kind: "value",
    description: "fault end to /health answering 200 again (0 if it never turned 503), ms",
    of: (t) => (t.health.some((h) => !h.healthy) ? t.timeToHealthyMs : 0),
  },
  went_unhealthy: {
    scope: "run",
    kind: "count",
    description: "times /health turned 503 during the run",
    of: (t) => t.health.filter((h) => !h.healthy).length,
  },
} satisfies Record<string, Metric>;

export type MetricName = keyof typeof METRICS;
export const PHASE_METRICS = Object.keys(METRICS).filter((k) => METRICS[k as MetricName].scope === "phase");
export const RUN_METRICS = Object.keys(METRICS).filter((k) => METRICS[k as MetricName].scope === "run");

export const isMetricName = (name: string): name is MetricName => Object.hasOwn(METRICS, name);

/** A figure at one extreme: a number, or null when it never happened. */
export type Figure = number | null;

/** The sample an event aggregation reads: k events among n round trips. */
export interface EventCount {
  events: number;
  total: number;
}

export type World = "observed" | "low" | "high";

/** Nearest-rank percentile of sorted values. */
export const percentile = (sorted: ArrayLike<number>, p: number): number | null => percentileOfSorted(sorted, p);

/** Each phase's sorted values per metric, computed once however many checks and extremes read them. */
const sortedCache = new WeakMap<PhaseTrips, Map<PhaseMetric, Float64Array>>();

function sortedValues(metric: PhaseMetric, trips: PhaseTrips): Float64Array {
  let byMetric = sortedCache.get(trips);
  if (!byMetric) {
    byMetric = new Map();
    sortedCache.set(trips, byMetric);
  }
  let sorted = byMetric.get(metric);
  if (!sorted) {
    sorted = Float64Array.from(metric.values?.(trips) ?? []).sort();
    byMetric.set(metric, sorted);
  }
  return sorted;
}

/** The values in ascending order; at the extremes with the missing round trips at 0 ms, or never ending. */
export function timeValues(metric: PhaseMetric, evidence: PhaseEvidence, world: World): Float64Array {
  const sorted = sortedValues(metric, evidence.trips);
  if (world === "observed" || evidence.missing === 0) return sorted;
  const out = new Float64Array(sorted.length + evidence.missing);
  if (world === "low") out.set(sorted, evidence.missing);
  else {
    out.set(sorted, 0);
    out.fill(Number.POSITIVE_INFINITY, sorted.length);
  }
  return out;
}

export function eventCount(metric: PhaseMetric, evidence: PhaseEvidence, timeline: Timeline, world: World) {
  const { trips } = evidence;
  let events = 0;
  for (let j = 0; j < trips.rtt.length; j++) if (metric.is?.(trips, j, timeline)) events += 1;
  if (world === "observed") return { events, total: trips.rtt.length };
  const total = trips.rtt.length + evidence.missing;
  return { events: world === "high" ? events + evidence.missing : events, total };
}

export function aggregateTimes(values: ArrayLike<number>, kind: AggregationKind, p?: number): Figure {
  if (values.length === 0) return null;
  switch (kind) {
    case "p":
      return percentile(values, p ?? 50);
    case "med":
      return percentile(values, 50);
    case "avg": {
      let sum = 0;
      for (let j = 0; j < values.length; j++) sum += values[j] as number;
      return sum / values.length;
    }
    case "min":
      return values[0] ?? null;
    case "max":
      return values[values.length - 1] ?? null;
    default:
      return null;
  }
}
