// Two runs' reports side by side (fislat compare): per phase the round trips, the failed share
// and p50/p90/p99 with their 95% intervals; whether RUN is worse than BASE by more than chance
// (Mann-Whitney U on the latencies, a two-proportion z-test on the failed shares, one-sided, with
// a Bonferroni split of 5% over the tests made); and thresholds that name the base
// (`injection.rtt: p(99)<base*1.2`). Pure: two reports in, one comparison out.
import type { RoundTripRecord } from "@fislat/probe/record";
import { roundMs, roundRate } from "./figures.js";
import { aggregateTimes, METRICS, type Metric, percentile } from "./metrics.js";
import { phaseTripsOf } from "./phase-trips.js";
import { wilsonInterval } from "./predict.js";
import type { Report } from "./report.js";
import { mannWhitneyGreater, percentileInterval, proportionGreater } from "./stats.js";
import { compare as compareValues, type Operator } from "./threshold.js";
import { PHASES, type PhaseName, type Timeline } from "./timeline.js";
import { roundTripsByPhase } from "./verdict.js";

export const SIGNIFICANCE = 0.05;
export const METHOD =
  "Mann-Whitney U on round-trip times and a two-proportion z-test on failed shares, both one-sided (is RUN worse?), at 5% split over the tests made (Bonferroni)";

/** A phase with fewer round trips than this in either run cannot be compared. */
export const MIN_ROUND_TRIPS = 5;

export interface SideStats {
  roundTrips: number;
  failed: number;
  failedShare: number | null;
  failedShare95: [number, number] | null;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  /** 95% intervals of the percentiles; null ends: the sample cannot bound them. */
  p50_95: [number | null, number | null];
  p90_95: [number | null, number | null];
  p99_95: [number | null, number | null];
}

export interface PhaseComparison {
  phase: PhaseName;
  base: SideStats;
  run: SideStats;
  latency: { test: "mann-whitney-u"; u: number; z: number; p: number; worse: boolean };
  failedShare: { test: "two-proportion-z"; z: number; p: number; worse: boolean };
}

export interface BaseThresholdResult {
  id: string;
  status: "passed" | "failed" | "inconclusive";
  base: number | null;
  bound: number | null;
  observed: number | null;
  unit: "ms" | "rate" | "count";
  detail: string;
}

export interface Comparison {
  base: { file: string; name: string; startedAt: string; outcome: string };
  run: { file: string; name: string; startedAt: string; outcome: string };
  /** Why the two cannot be compared (exit 3); empty when they can. */
  incomparable: string[];
  method: string;
  /** The per-test significance level after the Bonferroni split. */
  alpha: number;
  phases: PhaseComparison[];
  thresholds: BaseThresholdResult[];
  worse: boolean;
  /** One sentence per finding that makes RUN worse. */
  reasons: string[];
}

/** A threshold on RUN that names BASE's figure: `injection.rtt: p(99)<base*1.2`. */
export interface BaseThreshold {
  id: string;
  scope: PhaseName;
  metric: "rtt" | "ok_rtt" | "failed" | "timeouts" | "samples";
  aggregation: { kind: "p"; percentile: number } | { kind: "med" | "avg" | "min" | "max" | "rate" | "count" };
  operator: Exclude<Operator, "~=">;
  factor: number;
  offset: number;
}

const BASE_METRICS = ["rtt", "ok_rtt", "failed", "timeouts", "samples"] as const;

export class BaseThresholdError extends Error {
  override readonly name = "BaseThresholdError";
}

/** `injection.rtt:p(99)<base*1.2`, `baseline.failed:rate<=base+0.01`: refusals say what is allowed. */
export function parseBaseThreshold(text: string): BaseThreshold {
  const allowed =
    "SCOPE.METRIC:AGGREGATION OPERATOR base[*FACTOR][+|-OFFSET], e.g. 'injection.rtt:p(99)<base*1.2' or 'baseline.failed:rate<=base+0.01' (metrics rtt, ok_rtt, failed, timeouts, samples)";
  const m =
    /^\s*(baseline|injection|recovery)\.([a-z_]+)\s*:\s*(p\(\s*(\d+(?:\.\d+)?)\s*\)|med|avg|min|max|rate|count)\s*(<=|>=|==|!=|<|>)\s*base(?:\s*\*\s*(\d+(?:\.\d+)?))?(?:\s*([+-])\s*(\d+(?:\.\d+)?))?\s*$/.exec(
      text,
    );
  if (!m) throw new BaseThresholdError(`--threshold ${JSON.stringify(text)} is not ${allowed}`);
  const [, scope, metric, agg = "", pct, operator, factor, sign, offset] = m;
  if (!(BASE_METRICS as readonly string[]).includes(metric ?? "")) {
    throw new BaseThresholdError(
      `--threshold ${JSON.stringify(text)}: compare judges ${BASE_METRICS.join(", ")}, not ${metric}`,
    );
  }
  const def: Metric = METRICS[metric as BaseThreshold["metric"]];
  const kind = pct !== undefined ? "p" : agg;
  const fits =
    def.kind === "time" ? ["p", "med", "avg", "min", "max"] : def.kind === "event" ? ["rate", "count"] : ["count"];
  if (!fits.includes(kind)) {
    throw new BaseThresholdError(
      `--threshold ${JSON.stringify(text)}: ${kind === "p" ? "p(N)" : kind} does not apply to ${metric}; use ${fits.map((k) => (k === "p" ? "p(N)" : k)).join(", ")}`,
    );
  }
  const percentileValue = Number(pct);
  if (kind === "p" && !(percentileValue > 0 && percentileValue <= 100)) {
    throw new BaseThresholdError(`--threshold ${JSON.stringify(text)}: p(N) needs N above 0 and at most 100`);
  }
  // A rate is a share from 0 to 1: `base+1` reads like one percentage point and is a hundred,
  // a threshold that always holds.
  if (kind === "rate" && offset !== undefined && Number(offset) >= 1) {
    throw new BaseThresholdError(
      `--threshold ${JSON.stringify(text)}: a rate is a share from 0 to 1, so ${sign}${offset} moves the bound by ${Number(offset) * 100} percentage points, past every rate: the answer would not depend on the run; for one point write base${sign}0.01`,
    );
  }
  const expression = text.slice(text.indexOf(":") + 1).trim();
  return {
    id: `${scope}.${metric}: ${expression}`,
    scope: scope as PhaseName,
    metric: metric as BaseThreshold["metric"],
    aggregation: kind === "p" ? { kind: "p", percentile: percentileValue } : { kind: kind as "med" },
    operator: operator as BaseThreshold["operator"],
    factor: factor === undefined ? 1 : Number(factor),
    offset: offset === undefined ? 0 : (sign === "-" ? -1 : 1) * Number(offset),
  };
}

/** The report's round trips per phase, by the verdict's own rule (in flight at an edge: none). */
export function phaseTrips(report: Report): Record<PhaseName, RoundTripRecord[]> {
  const window = {
    startedAt: report.fault.startedAt ? new Date(report.fault.startedAt) : undefined,
    endedAt: report.fault.endedAt ? new Date(report.fault.endedAt) : undefined,
  };
  return roundTripsByPhase({ roundTrips: report.roundTrips } as Timeline, window);
}

/** `latency`: the report's own percentiles, so compare shows the figures the run's reports show. */
function sideStats(trips: RoundTripRecord[], latency?: { p50: number; p90: number; p99: number }): SideStats {
  const times = trips.map((r) => r.rttMs).sort((a, b) => a - b);
  const failed = trips.filter((r) => !r.ok).length;
  const ms = (v: number | null) => (v === null ? null : roundMs(v));
  const interval = (p: number): [number | null, number | null] => {
    const [lo, hi] = percentileInterval(times, p);
    return [ms(lo), ms(hi)];
  };
  return {
    roundTrips: trips.length,
    failed,
    failedShare: trips.length ? roundRate(failed / trips.length) : null,
    failedShare95: trips.length ? (wilsonInterval(failed, trips.length).map(roundRate) as [number, number]) : null,
    p50: ms(latency?.p50 ?? percentile(times, 50)),
    p90: ms(latency?.p90 ?? percentile(times, 90)),
    p99: ms(latency?.p99 ?? percentile(times, 99)),
    p50_95: interval(50),
    p90_95: interval(90),
    p99_95: interval(99),
  };
}

function figure(t: BaseThreshold, records: RoundTripRecord[]): number | null {
  const def: Metric = METRICS[t.metric];
  if (t.metric === "samples") return records.length;
  const trips = phaseTripsOf(records);
  if (def.kind === "time" && def.scope === "phase" && def.values) {
    const values = Float64Array.from(def.values(trips)).sort();
    const a = t.aggregation;
    return aggregateTimes(values, a.kind, a.kind === "p" ? a.percentile : 50);
  }
  const is = def.scope === "phase" ? def.is : undefined;
  let events = 0;
  for (let j = 0; j < records.length; j++) if (is?.(trips, j, {} as Timeline)) events += 1;
  if (t.aggregation.kind === "count") return events;
  return records.length ? events / records.length : null;
}

function judgeBaseThreshold(
  t: BaseThreshold,
  base: Record<PhaseName, RoundTripRecord[]>,
  run: Record<PhaseName, RoundTripRecord[]>,
): BaseThresholdResult {
  const unit = t.metric === "rtt" || t.metric === "ok_rtt" ? "ms" : t.aggregation.kind === "rate" ? "rate" : "count";
  const round = (v: number | null) =>
    v === null ? null : unit === "ms" ? roundMs(v) : unit === "rate" ? roundRate(v) : v;
  const b = figure(t, base[t.scope]);
  const observed = figure(t, run[t.scope]);
  const bound = b === null ? null : b * t.factor + t.offset;
  const show = (v: number | null) =>
    v === null
      ? "did not occur"
      : unit === "ms"
        ? `${roundMs(v)} ms`
        : unit === "rate"
          ? `${(roundRate(v) * 100).toFixed(1)}%`
          : String(v);
  if (bound === null) {
    return {
      id: t.id,
      status: "inconclusive",
      base: null,
      bound: null,
      observed: round(observed),
      unit,
      detail: `BASE's ${t.scope}.${t.metric} did not occur: no bound`,
    };
  }
  if (observed === null) {
    return {
      id: t.id,
      status: "failed",
      base: round(b),
      bound: round(bound),
      observed: null,
      unit,
      detail: `RUN's ${t.scope}.${t.metric} did not occur`,
    };
  }
  const ok = compareValues(observed, t.operator, bound);
  return {
    id: t.id,
    status: ok ? "passed" : "failed",
    base: round(b),
    bound: round(bound),
    observed: round(observed),
    unit,
    detail: `RUN ${show(observed)}, bound ${show(bound)} (BASE ${show(b)})`,
  };
}

/** Why two runs cannot be compared: a different fault or timeouts, or too few round trips. */
function incomparable(
  base: Report,
  run: Report,
  b: Record<PhaseName, RoundTripRecord[]>,
  r: Record<PhaseName, RoundTripRecord[]>,
): string[] {
  const out: string[] = [];
  // A bounded report past its record limit (helper F's `records`) holds per-second aggregates, not
  // the round trips the tests rank: say so rather than "too few round trips".
  for (const [who, report] of [
    ["BASE", base],
    ["RUN", run],
  ] as const) {
    const records = (report as { records?: { held?: string; total?: number; limit?: number } }).records;
    if (records?.held === "aggregates") {
      out.push(
        `${who} holds per-second aggregates, not its ${records.total ?? "many"} round trips (more than ${records.limit ?? "its limit"}): compare needs every round trip`,
      );
    }
  }
  if (out.length > 0) return out;
  const bp = base.parameters;
  const rp = run.parameters;
  // The kind's description names every field of it (latency: its delay and jitter).
  if (bp.fault.kind !== rp.fault.kind || bp.fault.description !== rp.fault.description) {
    out.push(`different faults: BASE ${bp.fault.description}, RUN ${rp.fault.description}`);
  }
  if (bp.readTimeoutMs !== rp.readTimeoutMs || bp.connectionTimeoutMs !== rp.connectionTimeoutMs) {
    out.push(
      `different timeouts: BASE ${bp.connectionTimeoutMs}/${bp.readTimeoutMs} ms, RUN ${rp.connectionTimeoutMs}/${rp.readTimeoutMs} ms (connection/read)`,
    );
  }
  if (!base.fault.startedAt || !run.fault.startedAt) {
    out.push(`${!base.fault.startedAt ? "BASE" : "RUN"}'s fault never took effect`);
  }
  for (const phase of PHASES) {
    for (const [who, trips] of [
      ["BASE", b[phase]],
      ["RUN", r[phase]],
    ] as const) {
      if (trips.length < MIN_ROUND_TRIPS) {
        out.push(`too few round trips in ${who}'s ${phase}: ${trips.length} (at least ${MIN_ROUND_TRIPS})`);
      }
    }
  }
  return out;
}

export function compareReports(
  base: Report,
  run: Report,
  files: { base: string; run: string },
  thresholds: BaseThreshold[] = [],
): Comparison {
  const b = phaseTrips(base);
  const r = phaseTrips(run);
  const reasons = incomparable(base, run, b, r);
  const tests = PHASES.length * 2;
  const alpha = SIGNIFICANCE / tests;
  const phases: PhaseComparison[] = PHASES.map((phase) => {
    const latency = mannWhitneyGreater(
      b[phase].map((x) => x.rttMs),
      r[phase].map((x) => x.rttMs),
    );
    const bf = b[phase].filter((x) => !x.ok).length;
    const rf = r[phase].filter((x) => !x.ok).length;
    const share = proportionGreater(bf, b[phase].length, rf, r[phase].length);
    return {
      phase,
      base: sideStats(b[phase], base.phases[phase]?.latency),
      run: sideStats(r[phase], run.phases[phase]?.latency),
      latency: {
        test: "mann-whitney-u",
        u: latency.u,
        z: roundTo3(latency.z),
        p: pValue(latency.p),
        worse: latency.p < alpha,
      },
      failedShare: { test: "two-proportion-z", z: roundTo3(share.z), p: pValue(share.p), worse: share.p < alpha },
    };
  });
  const judged = thresholds.map((t) => judgeBaseThreshold(t, b, r));
  const comparable = reasons.length === 0;
  const worse: string[] = [];
  if (comparable) {
    for (const p of phases) {
      if (p.latency.worse)
        worse.push(
          `${p.phase}: RUN's round trips are slower than BASE's (Mann-Whitney U, one-sided p ${pText(p.latency.p)} < ${pText(alpha)})`,
        );
      if (p.failedShare.worse)
        worse.push(
          `${p.phase}: RUN fails more often than BASE (two-proportion z-test, one-sided p ${pText(p.failedShare.p)} < ${pText(alpha)})`,
        );
    }
    for (const t of judged) if (t.status === "failed") worse.push(`${t.id} did not hold: ${t.detail}`);
  }
  const describe = (report: Report, file: string) => ({
    file,
    name: report.experiment.name,
    startedAt: report.startedAt,
    outcome: String(report.outcome),
  });
  return {
    base: describe(base, files.base),
    run: describe(run, files.run),
    incomparable: reasons,
    method: METHOD,
    alpha: pValue(alpha),
    phases,
    thresholds: judged,
    worse: comparable && worse.length > 0,
    reasons: comparable ? worse : reasons,
  };
}

const roundTo3 = (v: number) => Math.round(v * 1000) / 1000;
/** p-values to 4 significant digits: small ones stay readable (1.2e-9), not 0. */
const pValue = (p: number) => Number(p.toPrecision(4));
export const pText = (p: number) => (p < 0.0001 ? p.toExponential(1) : String(Number(p.toPrecision(2))));
