// One phase's round trips in the compact form the verdict reads (typed arrays in start order, not
// objects), and exact latency summaries over them: percentiles are order statistics (nearest
// rank) of what was measured, so p99 can never exceed the max, and the phase table and the
// thresholds give the same figure.
import type { RoundTripRecord } from "@fislat/probe/record";
import { FLAG_NEW_CONNECTION, isTimeoutOutcome, OK_OUTCOME, outcomeCode, type RoundTripStore } from "./record-store.js";
import { sortIndicesBy } from "./sort-by-key.js";

export interface PhaseTrips {
  /** Each round trip's time, ms (a timed-out one at its timeout). */
  rtt: Float64Array;
  /** 0: succeeded; else 1 + the index of its error kind in ERROR_KINDS (record-store.ts). */
  outcome: Uint8Array;
  /** Epoch ms it started, skew-corrected: ascending. */
  start: Float64Array;
  /** 1: it opened a new connection. */
  conn: Uint8Array;
  /** The HTTP status it was answered with (0: none, or not known). */
  status: Uint16Array;
}

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** How the summaries' percentiles are computed, as the report states it. */
export const PERCENTILE_METHOD = "exact: nearest-rank order statistics of every round trip measured";

/** `n` round trips' worth of zeroed arrays, to fill in. */
const allocateTrips = (n: number): PhaseTrips => ({
  rtt: new Float64Array(n),
  outcome: new Uint8Array(n),
  start: new Float64Array(n),
  conn: new Uint8Array(n),
  status: new Uint16Array(n),
});

export const emptyTrips = (): PhaseTrips => allocateTrips(0);

export const isOk = (t: PhaseTrips, j: number) => t.outcome[j] === OK_OUTCOME;
export const isTimeoutAt = (t: PhaseTrips, j: number) => isTimeoutOutcome(t.outcome[j] as number);
export const startAt = (t: PhaseTrips, j: number) => t.start[j] as number;
export const endAt = (t: PhaseTrips, j: number) => (t.start[j] as number) + (t.rtt[j] as number);

/** Round trip objects (in the order given) in compact form. */
export function phaseTripsOf(records: readonly RoundTripRecord[]): PhaseTrips {
  const t = allocateTrips(records.length);
  records.forEach((r, j) => {
    t.rtt[j] = r.rttMs;
    t.outcome[j] = outcomeCode(r);
    t.start[j] = Date.parse(r.ts);
    t.conn[j] = r.conn === "new" ? 1 : 0;
    t.status[j] = r.httpStatus ?? 0;
  });
  return t;
}

/** The store's records at `indices` (in start order), their starts moved back by `correctionMs`. */
export function phaseTripsFrom(store: RoundTripStore, indices: readonly number[], correctionMs: number): PhaseTrips {
  const n = indices.length;
  const t = allocateTrips(n);
  for (let j = 0; j < n; j++) {
    const i = indices[j] as number;
    t.rtt[j] = store.rtt[i] as number;
    t.outcome[j] = store.outcome[i] as number;
    t.start[j] = (store.start[i] as number) - correctionMs;
    t.conn[j] = ((store.flags[i] as number) & FLAG_NEW_CONNECTION) !== 0 ? 1 : 0;
    t.status[j] = store.status[i] as number;
  }
  return t;
}

/** Several tasks' trips as one, in start order (equal starts keep the order of `parts`). */
export function mergeTrips(parts: readonly PhaseTrips[]): PhaseTrips {
  const n = parts.reduce((a, p) => a + p.rtt.length, 0);
  const all = allocateTrips(n);
  let at = 0;
  for (const p of parts) {
    all.rtt.set(p.rtt, at);
    all.outcome.set(p.outcome, at);
    all.start.set(p.start, at);
    all.conn.set(p.conn, at);
    all.status.set(p.status, at);
    at += p.rtt.length;
  }
  const order = sortIndicesBy(n, (j) => all.start[j] as number);
  const out = allocateTrips(n);
  for (let j = 0; j < n; j++) {
    const k = order[j] as number;
    out.rtt[j] = all.rtt[k] as number;
    out.outcome[j] = all.outcome[k] as number;
    out.start[j] = all.start[k] as number;
    out.conn[j] = all.conn[k] as number;
    out.status[j] = all.status[k] as number;
  }
  return out;
}

/** Nearest-rank percentile of ascending values. */
export function percentileOfSorted(sorted: ArrayLike<number>, p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1] ?? null;
}

/** p50, p90, p99, max and mean of the values, exactly. */
export function summarize(valuesMs: ArrayLike<number>): LatencySummary | undefined {
  if (valuesMs.length === 0) return undefined;
  const sorted = Float64Array.from(valuesMs).sort();
  return summarizeSorted(sorted);
}

export function summarizeSorted(sorted: Float64Array): LatencySummary | undefined {
  if (sorted.length === 0) return undefined;
  let sum = 0;
  for (let j = 0; j < sorted.length; j++) sum += sorted[j] as number;
  const at = (p: number) => percentileOfSorted(sorted, p) as number;
  return { p50: at(50), p90: at(90), p99: at(99), max: sorted[sorted.length - 1] as number, mean: sum / sorted.length };
}
