// Folds the probe's lines into a baseline / injection / recovery timeline. Lines may arrive late,
// twice or out of order (CloudWatch Logs); the timeline is rebuilt from the records themselves:
// sorted by their own start time, de-duplicated by (task, source, seq), placed in a phase by when
// the round trip started relative to the fault window the injector reported.
import type { ErrorKind, HealthRecord, ProbeLine, RoundTripRecord } from "@fislat/probe/record";
import * as hdr from "hdr-histogram-js";
import type { HealthObservation } from "./ports.js";

export const PHASES = ["baseline", "injection", "recovery"] as const;
export type PhaseName = (typeof PHASES)[number];

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export interface PhaseStats {
  phase: PhaseName;
  count: number;
  successes: number;
  /** Read or connect timeouts. */
  timeouts: number;
  /** Failures other than timeouts, by kind. */
  errors: Partial<Record<ErrorKind, number>>;
  newConnections: number;
  /** Failed, or slower than the timeline's degraded threshold: round trips that show the fault. */
  degraded: number;
  /** Over every round trip of the phase (a timed-out one counts at its timeout). */
  latency?: LatencySummary;
  /** Over the successful ones only. */
  successLatency?: LatencySummary;
  /** Median of this phase minus the baseline median. */
  medianShiftMs?: number;
}

export interface HealthTransition {
  at: Date;
  healthy: boolean;
  source: "probe" | "poll";
}

export interface FaultWindow {
  startedAt?: Date;
  endedAt?: Date;
}

export interface Timeline {
  phases: Record<PhaseName, PhaseStats>;
  /** A successful round trip slower than this counted as degraded. */
  degradedAboveMs: number;
  /** Every distinct round trip, loop and /test, in start order. */
  roundTrips: RoundTripRecord[];
  malformedLines: number;
  duplicateLines: number;
  /** Lines that arrived after a line with a later start time. */
  outOfOrderLines: number;
  missedTicks: number;
  /** Loop round trips in flight when the fault started or ended: in no phase. */
  straddlingFault: number;
  health: HealthTransition[];
  /** Fault start to the end of the first degraded round trip that started under the fault. */
  timeToDetectMs?: number;
  /** Fault end to the end of the first successful round trip that started after it. */
  timeToRecoverMs?: number;
  /** Fault end to the first healthy /health after it had been unhealthy. */
  timeToHealthyMs?: number;
  /** Fault end to the end of the last degraded round trip that started after it. */
  degradationAfterFaultMs?: number;
  /** Fault start to /health turning unhealthy. */
  timeToUnhealthyMs?: number;
  /** First failure (start of the round trip) to /health turning unhealthy. */
  unhealthyAfterFirstFailureMs?: number;
}

export const isTimeout = (r: RoundTripRecord) => r.errorKind === "timeout" || r.errorKind === "connect_timeout";
const startOf = (r: RoundTripRecord) => Date.parse(r.ts);
const endOf = (r: RoundTripRecord) => Date.parse(r.ts) + r.rttMs;

export function summarize(valuesMs: number[]): LatencySummary | undefined {
  if (valuesMs.length === 0) return undefined;
  // hdr-histogram records integers: microseconds keep sub-millisecond precision.
  const histogram = hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
  });
  try {
    for (const v of valuesMs) histogram.recordValue(Math.max(1, Math.round(v * 1000)));
    const at = (p: number) => histogram.getValueAtPercentile(p) / 1000;
    return { p50: at(50), p90: at(90), p99: at(99), max: histogram.maxValue / 1000, mean: histogram.mean / 1000 };
  } finally {
    histogram.destroy();
  }
}

export class TimelineBuilder {
  private readonly byKey = new Map<string, RoundTripRecord>();
  private readonly probeHealth: HealthRecord[] = [];
  private readonly polls: HealthObservation[] = [];
  private malformed = 0;
  private duplicates = 0;
  private outOfOrder = 0;
  private missedTicks = 0;
  private latestStart = Number.NEGATIVE_INFINITY;

  /** Adds one parsed line; returns the round trip if it was a new one. */
  add(line: ProbeLine): RoundTripRecord | undefined {
    switch (line.type) {
      case "malformed":
        this.malformed += 1;
        return undefined;
      case "health":
        this.probeHealth.push(line.record);
        return undefined;
      case "tick-missed":
        this.missedTicks += 1;
        return undefined;
      case "round-trip": {
        const r = line.record;
        const key = `${r.task}|${r.src}|${r.seq}|${r.ts}`;
        if (this.byKey.has(key)) {
          this.duplicates += 1;
          return undefined;
        }
        this.byKey.set(key, r);
        const start = startOf(r);
        if (start < this.latestStart) this.outOfOrder += 1;
        this.latestStart = Math.max(this.latestStart, start);
        return r;
      }
      default:
        return undefined;
    }
  }

  addHealthObservation(observation: HealthObservation): void {
    this.polls.push(observation);
  }

  /**
   * `degradedAboveMs`: a successful round trip slower than this counts as degraded (the caller
   * derives it from the baseline and the fault's delay).
   */
  build(window: FaultWindow, degradedAboveMs: (baseline: LatencySummary | undefined) => number): Timeline {
    const roundTrips = [...this.byKey.values()].sort((a, b) => startOf(a) - startOf(b));
    const loop = roundTrips.filter((r) => r.src === "loop");
    const faultStart = window.startedAt?.getTime();
    const faultEnd = window.endedAt?.getTime();
    // A round trip in flight when the fault started or ended belongs to neither side: it is set
    // aside (and counted) rather than allowed to bias a phase.
    const phaseOf = (r: RoundTripRecord): PhaseName | undefined => {
      const start = startOf(r);
      const end = endOf(r);
      if (faultStart === undefined || end < faultStart) return "baseline";
      if (start < faultStart) return undefined;
      if (faultEnd === undefined || end <= faultEnd) return "injection";
      if (start < faultEnd) return undefined;
      return "recovery";
    };
    const grouped: Record<PhaseName, RoundTripRecord[]> = { baseline: [], injection: [], recovery: [] };
    let straddling = 0;
    for (const r of loop) {
      const phase = phaseOf(r);
      if (phase) grouped[phase].push(r);
      else straddling += 1;
    }

    const baselineLatency = summarize(grouped.baseline.map((r) => r.rttMs));
    const threshold = degradedAboveMs(baselineLatency);
    const degraded = (r: RoundTripRecord) => !r.ok || r.rttMs > threshold;

    const phases = Object.fromEntries(
      PHASES.map((phase) => [phase, phaseStats(phase, grouped[phase], baselineLatency, degraded)]),
    ) as Record<PhaseName, PhaseStats>;

    const health = this.healthTransitions();
    const timeline: Timeline = {
      phases,
      degradedAboveMs: threshold,
      roundTrips,
      malformedLines: this.malformed,
      duplicateLines: this.duplicates,
      outOfOrderLines: this.outOfOrder,
      missedTicks: this.missedTicks,
      straddlingFault: straddling,
      health,
    };

    if (faultStart !== undefined) {
      const firstDegraded = grouped.injection.find(degraded);
      if (firstDegraded) timeline.timeToDetectMs = endOf(firstDegraded) - faultStart;
      const unhealthy = health.find((h) => !h.healthy && h.at.getTime() >= faultStart);
      if (unhealthy) {
        timeline.timeToUnhealthyMs = unhealthy.at.getTime() - faultStart;
        const firstFailure = grouped.injection.find((r) => !r.ok);
        if (firstFailure) timeline.unhealthyAfterFirstFailureMs = unhealthy.at.getTime() - startOf(firstFailure);
      }
    }
    if (faultEnd !== undefined) {
      const firstSuccess = grouped.recovery.find((r) => r.ok && !degraded(r));
      if (firstSuccess) timeline.timeToRecoverMs = Math.max(0, endOf(firstSuccess) - faultEnd);
      const lastDegraded = grouped.recovery.filter(degraded).at(-1);
      timeline.degradationAfterFaultMs = lastDegraded ? endOf(lastDegraded) - faultEnd : 0;
      const lastUnhealthy = health.filter((h) => !h.healthy).at(-1);
      if (lastUnhealthy) {
        const healthy = health.find((h) => h.healthy && h.at.getTime() >= lastUnhealthy.at.getTime());
        if (healthy) timeline.timeToHealthyMs = Math.max(0, healthy.at.getTime() - faultEnd);
      }
    }
    return timeline;
  }

  /**
   * Health transitions in time order: the probe's own "Health changed" lines, and changes seen by
   * polling /health (which also catch a probe that stopped answering).
   */
  private healthTransitions(): HealthTransition[] {
    const fromProbe: HealthTransition[] = this.probeHealth.map((h) => ({
      at: new Date(h.ts),
      healthy: h.healthy,
      source: "probe",
    }));
    const fromPolls: HealthTransition[] = [];
    let last: boolean | undefined;
    for (const o of [...this.polls].sort((a, b) => a.at.getTime() - b.at.getTime())) {
      const healthy = o.status === 200;
      if (healthy !== last) fromPolls.push({ at: o.at, healthy, source: "poll" });
      last = healthy;
    }
    // The probe's lines are exact; polls fill in only when the probe said nothing.
    const transitions = fromProbe.length > 0 ? fromProbe : fromPolls.filter((t, i) => i > 0 || !t.healthy);
    return transitions.sort((a, b) => a.at.getTime() - b.at.getTime());
  }
}

function phaseStats(
  phase: PhaseName,
  records: RoundTripRecord[],
  baseline: LatencySummary | undefined,
  degraded: (r: RoundTripRecord) => boolean,
): PhaseStats {
  const errors: Partial<Record<ErrorKind, number>> = {};
  let timeouts = 0;
  for (const r of records) {
    if (r.ok) continue;
    if (isTimeout(r)) timeouts += 1;
    else if (r.errorKind) errors[r.errorKind] = (errors[r.errorKind] ?? 0) + 1;
  }
  const stats: PhaseStats = {
    phase,
    count: records.length,
    successes: records.filter((r) => r.ok).length,
    timeouts,
    errors,
    newConnections: records.filter((r) => r.conn === "new").length,
    degraded: records.filter(degraded).length,
  };
  const latency = summarize(records.map((r) => r.rttMs));
  const successLatency = summarize(records.filter((r) => r.ok).map((r) => r.rttMs));
  if (latency) stats.latency = latency;
  if (successLatency) stats.successLatency = successLatency;
  if (latency && baseline) stats.medianShiftMs = latency.p50 - baseline.p50;
  return stats;
}
