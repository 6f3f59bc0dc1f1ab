// Each phase's round trips second by second: how many, how many failed and how, and their latency
// percentiles (exact order statistics of that second's round trips). What the JSON report carries
// in place of every record once a run has more than it can list, and what a chart draws.
import type { ErrorKind } from "@fislat/probe/record";
import type { Count } from "./figures.js";
import { type PhaseTrips, percentileOfSorted } from "./phase-trips.js";
import { errorKindOf, OK_OUTCOME } from "./record-store.js";

export interface SecondAggregate {
  /**
   * The second's start (ISO 8601): round trips that started in [at, at + 1 s), skew-corrected on AWS.
   * @format date-time
   */
  at: string;
  /** Round trips that started in the second. */
  count: Count;
  /** Of them, successful. */
  ok: Count;
  /** Of them, failed, by error kind (timeouts included). */
  failed: Partial<Record<ErrorKind, PositiveCount>>;
  /** ms, over every round trip of the second (a timed-out one at its timeout); exact nearest-rank order statistic, to 0.1 ms. */
  p50: number;
  p90: number;
  /** Never above max. */
  p99: number;
  max: number;
}

/** @asType integer @minimum 1 */
type PositiveCount = number;

const tenth = (v: number) => Math.round(v * 10) / 10;

/** `trips` in start order (as the timeline holds them). */
export function perSecond(trips: PhaseTrips): SecondAggregate[] {
  const out: SecondAggregate[] = [];
  const n = trips.rtt.length;
  let from = 0;
  while (from < n) {
    const second = Math.floor((trips.start[from] as number) / 1000);
    let to = from + 1;
    while (to < n && Math.floor((trips.start[to] as number) / 1000) === second) to++;
    const sorted = trips.rtt.slice(from, to).sort();
    const failed: Partial<Record<ErrorKind, number>> = {};
    let ok = 0;
    for (let j = from; j < to; j++) {
      const o = trips.outcome[j] as number;
      if (o === OK_OUTCOME) ok += 1;
      else {
        const kind = errorKindOf(o) as ErrorKind;
        failed[kind] = (failed[kind] ?? 0) + 1;
      }
    }
    const at = (p: number) => tenth(percentileOfSorted(sorted, p) as number);
    out.push({
      at: new Date(second * 1000).toISOString(),
      count: to - from,
      ok,
      failed,
      p50: at(50),
      p90: at(90),
      p99: at(99),
      max: tenth(sorted[sorted.length - 1] as number),
    });
    from = to;
  }
  return out;
}
