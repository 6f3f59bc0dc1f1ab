// Folds the probe's lines into a baseline / injection / recovery timeline. Lines may arrive late,
// twice or out of order (CloudWatch Logs); the timeline is rebuilt from the records themselves:
// sorted by their own start time, de-duplicated by (task, source, seq), placed in a phase by when
// the round trip started relative to the fault window the injector reported.
import type { ErrorKind, HealthRecord, ProbeLine, RoundTripRecord } from "@fislat/probe/record";
import * as hdr from "hdr-histogram-js";
import {
  conclusions,
  type Evidence,
  healthFromRoundTrips,
  type LineMeta,
  latenessOf,
  ONSET_LAG_BOUND_MS,
  type SourceReport,
  seqGaps,
  type TargetEvent,
  type TaskEvidence,
  taskKey,
  zeroByPhase,
} from "./evidence.js";
import type { HealthObservation } from "./ports.js";
import { estimateSkew } from "./skew.js";

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
  /** Tasks FIS aimed the fault at (ARNs or ids); absent: every task with lines. */
  targets?: string[];
  /** When the run ended: each task's lines are expected up to then. */
  runEndedAt?: Date;
  /** The probe's loop interval, to count lines missing at the end of the run. */
  intervalMs?: number;
  /**
   * Find when the fault took effect on each task in its data (FIS's action times are not when the
   * latency began); the local proxy's own times are exact and need no search.
   */
  findOnset?: boolean;
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
  /** lines known missing per phase, per task; lateness, skew, fault onset, findings. */
  evidence?: Partial<Evidence>;
  /** tasks stopped or replaced, load balancer target health changes. */
  targetEvents?: TargetEvent[];
  /**
   * The loop round trips of each phase as placed here: each task's from when the fault took effect
   * on it, its clock skew corrected (so times may differ from `roundTrips`'). Set on AWS runs.
   */
  phaseRoundTrips?: Record<PhaseName, RoundTripRecord[]>;
  /** One timeline per task (by task id), each judged on its own, when lines came from several. */
  tasks?: Record<string, Timeline>;
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

type Health = { at: number; healthy: boolean; source: HealthTransition["source"] };

export class TimelineBuilder {
  private readonly byKey = new Map<string, RoundTripRecord>();
  private readonly metaByKey = new Map<string, LineMeta>();
  private readonly probeHealth: HealthRecord[] = [];
  private readonly polls: HealthObservation[] = [];
  private readonly targetEvents: TargetEvent[] = [];
  /** Per task: the seqs of ticks the probe missed (each has a "Tick missed" line, not a round trip). */
  private readonly missedSeqs = new Map<string, Set<number>>();
  private sourceReport: SourceReport | undefined;
  private malformed = 0;
  private duplicates = 0;
  private outOfOrder = 0;
  private missedTicks = 0;
  private latestStart = Number.NEGATIVE_INFINITY;

  /** Adds one parsed line (with how it was delivered, if known); returns the round trip if it was a new one. */
  add(line: ProbeLine, meta?: LineMeta): RoundTripRecord | undefined {
    switch (line.type) {
      case "malformed":
        this.malformed += 1;
        return undefined;
      case "health":
        this.probeHealth.push(line.record);
        return undefined;
      case "tick-missed": {
        this.missedTicks += 1;
        const seq = (line.record as { seq?: unknown }).seq;
        if (typeof seq === "number") {
          const id = taskKey(line.record.task ?? "");
          const set = this.missedSeqs.get(id) ?? new Set<number>();
          set.add(seq);
          this.missedSeqs.set(id, set);
        }
        return undefined;
      }
      case "round-trip": {
        const r = line.record;
        const key = `${r.task}|${r.src}|${r.seq}|${r.ts}`;
        if (this.byKey.has(key)) {
          this.duplicates += 1;
          return undefined;
        }
        this.byKey.set(key, r);
        if (meta) this.metaByKey.set(key, meta);
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

  addTargetEvent(event: TargetEvent): void {
    this.targetEvents.push(event);
  }

  addSourceReport(report: SourceReport): void {
    this.sourceReport = report;
  }

  /**
   * `degradedAboveMs`: a successful round trip slower than this counts as degraded (the caller
   * derives it from the baseline and the fault's delay).
   */
  build(window: FaultWindow, degradedAboveMs: (baseline: LatencySummary | undefined) => number): Timeline {
    const roundTrips = [...this.byKey.values()].sort((a, b) => startOf(a) - startOf(b));
    const faultStart = window.startedAt?.getTime();
    const faultEnd = window.endedAt?.getTime();
    const targeted = window.targets ? new Set(window.targets.map(taskKey)) : undefined;

    // Per task: its loop round trips and how they were delivered.
    const byTask = new Map<string, { records: RoundTripRecord[]; delays: number[]; metas: LineMeta[] }>();
    for (const [key, r] of this.byKey) {
      if (r.src !== "loop") continue;
      const id = taskKey(r.task);
      let entry = byTask.get(id);
      if (!entry) {
        entry = { records: [], delays: [], metas: [] };
        byTask.set(id, entry);
      }
      entry.records.push(r);
      const meta = this.metaByKey.get(key);
      if (meta) {
        entry.metas.push(meta);
        if (meta.timestamp !== undefined && meta.ingestionTime !== undefined)
          entry.delays.push(meta.ingestionTime - meta.timestamp);
      }
    }
    for (const entry of byTask.values()) entry.records.sort((a, b) => startOf(a) - startOf(b));

    // The baseline threshold from every task's baseline, on a first skew estimate from ingestion.
    const firstCorrection = new Map(
      [...byTask].map(([id, e]) => [id, window.findOnset ? (estimateSkew(e.delays)?.correctionMs ?? 0) : 0] as const),
    );
    const baselineAll = [...byTask].flatMap(([id, e]) =>
      e.records.filter((r) => faultStart === undefined || endOf(r) - (firstCorrection.get(id) ?? 0) < faultStart),
    );
    const baselineLatency = summarize(baselineAll.map((r) => r.rttMs));
    const threshold = degradedAboveMs(baselineLatency);
    const degraded = (r: RoundTripRecord) => !r.ok || r.rttMs > threshold;

    const stoppedAt = new Map<string, { at: Date; reason: string }>();
    for (const e of this.targetEvents) {
      if (e.kind === "stopped" && !stoppedAt.has(taskKey(e.task)))
        stoppedAt.set(taskKey(e.task), { at: e.at, reason: e.detail });
    }

    const perTask: Record<string, Timeline> = {};
    const evidenceTasks: TaskEvidence[] = [];
    const merged: Record<PhaseName, RoundTripRecord[]> = { baseline: [], injection: [], recovery: [] };
    const mergedHealth: Health[] = [];
    let straddling = 0;
    const multi = byTask.size > 1;

    for (const [id, entry] of byTask) {
      const isTargeted = targeted === undefined || targeted.has(id);
      // Locally the probe and the proxy share one clock: only remote tasks are checked for skew.
      const skew = window.findOnset
        ? estimateSkew(entry.delays, recoveredAfterEnd(entry.records, degraded, faultEnd))
        : undefined;
      const c = skew?.correctionMs ?? 0;
      const shift = (r: RoundTripRecord) => (c === 0 ? r : { ...r, ts: new Date(startOf(r) - c).toISOString() });
      const records = entry.records.map(shift);

      // When the fault took effect here: the first round trip that shows it, within the action's window.
      let onsetAt: number | undefined;
      if (faultStart !== undefined && window.findOnset && isTargeted) {
        const first = records.find(
          (r) => endOf(r) > faultStart && (faultEnd === undefined || startOf(r) < faultEnd) && degraded(r),
        );
        if (first) onsetAt = Math.max(faultStart, startOf(first));
      }
      const taskStart = isTargeted ? (onsetAt ?? faultStart) : undefined;
      const taskEnd = isTargeted ? faultEnd : undefined;
      let beforeOnset = 0;
      const phaseOf = (r: RoundTripRecord): PhaseName | "before-onset" | undefined => {
        const start = startOf(r);
        const end = endOf(r);
        if (
          faultStart !== undefined &&
          isTargeted &&
          onsetAt !== undefined &&
          start >= faultStart &&
          start < onsetAt &&
          end <= onsetAt
        )
          return "before-onset";
        return phaseBetween(start, end, taskStart, taskEnd);
      };
      const groups: Record<PhaseName, RoundTripRecord[]> = { baseline: [], injection: [], recovery: [] };
      let taskStraddling = 0;
      for (const r of records) {
        const phase = phaseOf(r);
        if (phase === "before-onset") beforeOnset += 1;
        else if (phase) groups[phase].push(r);
        else taskStraddling += 1;
      }

      const health = this.healthFor(id, entry.records, c, multi);
      const taskTimeline = assemble(groups, health, taskStart, taskEnd, baselineLatency, threshold, degraded);
      taskTimeline.roundTrips = records;
      if (window.findOnset) taskTimeline.phaseRoundTrips = groups;
      taskTimeline.straddlingFault = taskStraddling;

      const stopped = stoppedAt.get(id);
      const phaseAtMs = (ms: number) => {
        const p = phaseBetween(ms, ms, taskStart, taskEnd);
        return p;
      };
      const untilMs = stopped?.at.getTime() ?? window.runEndedAt?.getTime();
      const gaps = seqGaps(
        entry.records,
        (ms) => phaseAtMs(ms - c),
        // Lines still on their way at the end are counted only where they can be lost (CloudWatch).
        window.findOnset && untilMs !== undefined && window.intervalMs
          ? { untilMs: untilMs + c, intervalMs: window.intervalMs }
          : undefined,
        this.missedSeqs.get(id),
      );
      const seqs = entry.records.map((r) => r.seq);
      const ev: TaskEvidence = {
        task: entry.records[0]?.task ?? id,
        lines: entry.records.length,
        firstSeq: Math.min(...seqs),
        lastSeq: Math.max(...seqs),
        missing: gaps.missing,
        missingByPhase: gaps.byPhase,
        targeted: isTargeted,
        beforeOnset,
      };
      if (onsetAt !== undefined && faultStart !== undefined) {
        const lagMs = onsetAt - faultStart;
        ev.onset = { at: new Date(onsetAt), lagMs, beyondBound: lagMs > ONSET_LAG_BOUND_MS };
      }
      if (window.findOnset && isTargeted && faultStart !== undefined && onsetAt === undefined) {
        // Only a task watched while the action ran can be said never to have shown the fault.
        const watched = records.some(
          (r) => startOf(r) >= faultStart && (faultEnd === undefined || startOf(r) < faultEnd),
        );
        if (watched) ev.faultNeverShowed = true;
      }
      const lateness = latenessOf(entry.metas);
      if (lateness) ev.lateness = lateness;
      if (skew) ev.skew = skew;
      if (stopped) ev.stopped = stopped;
      evidenceTasks.push(ev);
      taskTimeline.evidence = {
        missingByPhase: gaps.byPhase,
        tasks: [ev],
        findings: [],
        inconclusive: [],
      };
      perTask[id] = taskTimeline;

      if (!isTargeted) continue;
      for (const phase of PHASES) merged[phase].push(...groups[phase]);
      mergedHealth.push(...health);
      straddling += taskStraddling;
    }

    for (const phase of PHASES) merged[phase].sort((a, b) => startOf(a) - startOf(b));
    const onsets = evidenceTasks.flatMap((t) => (t.onset ? [t.onset.at.getTime()] : []));
    // Several tasks: the run's injection starts when the fault took effect on the first of them.
    const runStart = onsets.length > 0 ? Math.min(...onsets) : faultStart;
    const health = multi
      ? mergedHealth.sort((a, b) => a.at - b.at)
      : mergedHealth.length > 0
        ? mergedHealth
        : this.healthFor(undefined, [], 0, false);
    const timeline = assemble(merged, health, runStart, faultEnd, baselineLatency, threshold, degraded);
    timeline.roundTrips = roundTrips;
    timeline.malformedLines = this.malformed;
    timeline.duplicateLines = this.duplicates;
    timeline.outOfOrderLines = this.outOfOrder;
    timeline.missedTicks = this.missedTicks;
    timeline.straddlingFault = straddling;
    if (window.findOnset) timeline.phaseRoundTrips = merged;

    const missingByPhase = zeroByPhase();
    for (const t of evidenceTasks) {
      if (!t.targeted) continue;
      for (const phase of PHASES) missingByPhase[phase] += t.missingByPhase[phase];
    }
    const evidence: Evidence = { missingByPhase, tasks: evidenceTasks, findings: [], inconclusive: [] };
    if (this.sourceReport) evidence.source = this.sourceReport;
    conclusions(evidence, faultStart !== undefined);
    timeline.evidence = evidence;
    if (this.targetEvents.length > 0)
      timeline.targetEvents = [...this.targetEvents].sort((a, b) => a.at.getTime() - b.at.getTime());
    if (multi) timeline.tasks = perTask;
    return timeline;
  }

  /**
   * Health transitions in time order. From the round-trip lines' own `healthy` state where they
   * carry it, else the probe's "Health changed" lines, else changes seen by polling
   * /health (which also catch a probe that stopped answering). `task`: one task's, or every line.
   */
  private healthFor(
    task: string | undefined,
    records: RoundTripRecord[],
    correction: number,
    perTaskOnly: boolean,
  ): Health[] {
    const probe = this.probeHealth.filter((h) => task === undefined || !perTaskOnly || taskKey(h.task ?? "") === task);
    const changes = probe.map((h) => ({ at: Date.parse(h.ts), healthy: h.healthy }));
    const fromLines = healthFromRoundTrips(records, changes);
    if (fromLines)
      return fromLines.map((h) => ({ at: h.at - correction, healthy: h.healthy, source: "probe" as const }));
    if (changes.length > 0)
      return changes
        .map((h) => ({ at: h.at - correction, healthy: h.healthy, source: "probe" as const }))
        .sort((a, b) => a.at - b.at);
    const fromPolls: Health[] = [];
    let last: boolean | undefined;
    for (const o of [...this.polls].sort((a, b) => a.at.getTime() - b.at.getTime())) {
      const healthy = o.status === 200;
      if (healthy !== last) fromPolls.push({ at: o.at.getTime(), healthy, source: "poll" });
      last = healthy;
    }
    return fromPolls.filter((t, i) => i > 0 || !t.healthy);
  }
}

/**
 * A round trip in flight when the fault started or ended belongs to neither side: it is set aside
 * (and counted) rather than allowed to bias a phase.
 */
function phaseBetween(start: number, end: number, faultStart?: number, faultEnd?: number): PhaseName | undefined {
  if (faultStart === undefined || end < faultStart) return "baseline";
  if (start < faultStart) return undefined;
  if (faultEnd === undefined || end <= faultEnd) return "injection";
  if (start < faultEnd) return undefined;
  return "recovery";
}

/** The first round trip that no longer showed the fault after it last did, minus FIS's end (task clock). */
function recoveredAfterEnd(
  records: RoundTripRecord[],
  degraded: (r: RoundTripRecord) => boolean,
  faultEnd: number | undefined,
): number | undefined {
  if (faultEnd === undefined) return undefined;
  const near = records.filter((r) => Math.abs(startOf(r) - faultEnd) <= 60_000);
  let lastDegraded = -1;
  near.forEach((r, i) => {
    if (degraded(r)) lastDegraded = i;
  });
  if (lastDegraded < 0) return undefined;
  const good = near.slice(lastDegraded + 1).find((r) => !degraded(r));
  // Its end, not its start: a round trip sent just before the fault was removed can still come back fast.
  return good ? endOf(good) - faultEnd : undefined;
}

function assemble(
  grouped: Record<PhaseName, RoundTripRecord[]>,
  healthPoints: Health[],
  faultStart: number | undefined,
  faultEnd: number | undefined,
  baselineLatency: LatencySummary | undefined,
  threshold: number,
  degraded: (r: RoundTripRecord) => boolean,
): Timeline {
  const phases = Object.fromEntries(
    PHASES.map((phase) => [phase, phaseStats(phase, grouped[phase], baselineLatency, degraded)]),
  ) as Record<PhaseName, PhaseStats>;
  const health: HealthTransition[] = healthPoints.map((h) => ({
    at: new Date(h.at),
    healthy: h.healthy,
    source: h.source,
  }));
  const timeline: Timeline = {
    phases,
    degradedAboveMs: threshold,
    roundTrips: [],
    malformedLines: 0,
    duplicateLines: 0,
    outOfOrderLines: 0,
    missedTicks: 0,
    straddlingFault: 0,
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
