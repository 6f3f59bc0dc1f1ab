// Folds the probe's lines into a baseline / injection / recovery timeline. Lines may arrive late,
// twice or out of order (CloudWatch Logs); the timeline is rebuilt from the records themselves:
// sorted by their own start time, de-duplicated by (task, source, seq), placed in a phase by when
// the round trip started relative to the fault window the injector reported. The records are kept
// column by column (record-store.ts), not as objects, so a million of them fit in tens of MB.
import {
  ERROR_KINDS,
  type ErrorKind,
  type HealthRecord,
  type ProbeLine,
  type RoundTripRecord,
} from "@fislat/probe/record";
import {
  conclusions,
  type Evidence,
  healthFromLines,
  type LineMeta,
  ONSET_LAG_BOUND_MS,
  type SourceReport,
  seqGapsOf,
  type TargetEvent,
  type TaskEvidence,
  taskKey,
  zeroByPhase,
} from "./evidence.js";
import type { Count } from "./figures.js";
import { LiveTally } from "./live-tally.js";
import { phaseBetween } from "./phase-rule.js";
import {
  endAt,
  isOk,
  type LatencySummary,
  mergeTrips,
  type PhaseTrips,
  phaseTripsFrom,
  startAt,
  summarize,
} from "./phase-trips.js";
import type { HealthObservation } from "./ports.js";
import { errorKindOf, healthyOf, OK_OUTCOME, RoundTripStore } from "./record-store.js";
import { estimateSkew } from "./skew.js";
import { sortIndicesBy } from "./sort-by-key.js";

export type { LatencySummary, PhaseTrips };
export { phaseBetween, summarize };

export const PHASES = ["baseline", "injection", "recovery"] as const;
export type PhaseName = (typeof PHASES)[number];

export interface PhaseStats {
  phase: PhaseName;
  count: Count;
  successes: Count;
  /** Read or connect timeouts. */
  timeouts: Count;
  /** Failures other than timeouts, by kind. */
  errors: Partial<Record<ErrorKind, Count>>;
  newConnections: Count;
  /** Failed, or slower than the timeline's degraded threshold: round trips that show the fault. */
  degraded: Count;
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
  /**
   * Every distinct round trip, loop and /test, in start order (a task's own timeline: its loop
   * round trips), while there are at most the builder's hold limit; past it, empty
   * (`roundTripsHeld` false): the figures come from `phaseTrips`, and `failureSample` keeps some.
   */
  roundTrips: RoundTripRecord[];
  /** How many distinct round trips were read (what `roundTrips` lists when it holds them all). */
  roundTripCount: number;
  roundTripsHeld: boolean;
  /** The hold limit `roundTrips` was kept under. */
  roundTripLimit?: number;
  /** Failed round trips as objects: each one up to FAILURE_SAMPLE_SIZE, past it an evenly spread sample. */
  failureSample?: RoundTripRecord[];
  /** The loop round trips of each phase as placed here, compact (what the verdict judges). */
  phaseTrips: Record<PhaseName, PhaseTrips>;
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
  /** One timeline per task (by task id), each judged on its own, when lines came from several. */
  tasks?: Record<string, Timeline>;
}

export const isTimeout = (r: RoundTripRecord) => r.errorKind === "timeout" || r.errorKind === "connect_timeout";

type Health = { at: number; healthy: boolean; source: HealthTransition["source"] };

export class TimelineBuilder {
  private readonly store: RoundTripStore;
  /** Live counts per phase, by the same rule as the summary's (see live-tally.ts). */
  readonly live: LiveTally;
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

  /** `holdLimit`: round trips kept as objects (and listed in the report) up to this many. */
  constructor(options: { holdLimit?: number } = {}) {
    this.store = new RoundTripStore(options.holdLimit);
    this.live = new LiveTally(this.store);
  }

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
        const i = this.store.add(r, meta);
        if (i < 0) {
          this.duplicates += 1;
          return undefined;
        }
        const start = this.store.start[i] as number;
        if (start < this.latestStart) this.outOfOrder += 1;
        this.latestStart = Math.max(this.latestStart, start);
        this.live.add(i);
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
    const s = this.store;
    const n = s.length;
    const order = sortIndicesBy(n, (i) => s.start[i] as number);
    const faultStart = window.startedAt?.getTime();
    const faultEnd = window.endedAt?.getTime();
    const targeted = window.targets ? new Set(window.targets.map(taskKey)) : undefined;
    const held = s.holdsAll;
    const recordAt = (i: number) => s.record(i) as RoundTripRecord;

    // Per task (in the order first read): its loop round trips, in start order.
    const groupOfTask = new Int32Array(s.tasks.length).fill(-1);
    const groupIds: string[] = [];
    const groupByKey = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      if (!s.isLoop(i)) continue;
      const t = s.task[i] as number;
      if ((groupOfTask[t] as number) >= 0) continue;
      const key = taskKey(s.tasks[t] as string);
      let g = groupByKey.get(key);
      if (g === undefined) {
        g = groupIds.length;
        groupIds.push(key);
        groupByKey.set(key, g);
      }
      groupOfTask[t] = g;
    }
    const sizes = new Uint32Array(groupIds.length + 1);
    for (const i of order) {
      if (!s.isLoop(i)) continue;
      const g = (groupOfTask[s.task[i] as number] as number) + 1;
      sizes[g] = (sizes[g] as number) + 1;
    }
    for (let g = 1; g < sizes.length; g++) sizes[g] = (sizes[g] as number) + (sizes[g - 1] as number);
    const byGroup = new Uint32Array(sizes[groupIds.length] ?? 0);
    const fill = sizes.slice(0, groupIds.length);
    for (const i of order) {
      if (!s.isLoop(i)) continue;
      const g = groupOfTask[s.task[i] as number] as number;
      byGroup[fill[g] as number] = i;
      fill[g] = (fill[g] as number) + 1;
    }
    const groupSlice = (g: number) => byGroup.subarray(sizes[g] as number, sizes[g + 1] as number);
    const delaysOf = (idx: Uint32Array) => {
      const delays: number[] = [];
      const ts = s.metaTimestamp;
      const ing = s.metaIngestion;
      if (!ts || !ing) return delays;
      for (const i of idx) {
        const d = (ing[i] as number) - (ts[i] as number);
        if (!Number.isNaN(d)) delays.push(d);
      }
      return delays;
    };
    const endOfI = (i: number) => (s.start[i] as number) + (s.rtt[i] as number);

    // The baseline threshold from every task's baseline, on a first skew estimate from ingestion.
    const delaysByGroup = groupIds.map((_, g) => delaysOf(groupSlice(g)));
    const baselineValues: number[] = [];
    groupIds.forEach((_, g) => {
      const c = window.findOnset ? (estimateSkew(delaysByGroup[g] as number[])?.correctionMs ?? 0) : 0;
      for (const i of groupSlice(g)) {
        if (faultStart === undefined || endOfI(i) - c < faultStart) baselineValues.push(s.rtt[i] as number);
      }
    });
    const baselineLatency = summarize(baselineValues);
    baselineValues.length = 0;
    const threshold = degradedAboveMs(baselineLatency);
    const degraded = (i: number) => s.outcome[i] !== OK_OUTCOME || (s.rtt[i] as number) > threshold;

    const stoppedAt = new Map<string, { at: Date; reason: string }>();
    for (const e of this.targetEvents) {
      if (e.kind === "stopped" && !stoppedAt.has(taskKey(e.task)))
        stoppedAt.set(taskKey(e.task), { at: e.at, reason: e.detail });
    }

    const perTask: Record<string, Timeline> = {};
    const evidenceTasks: TaskEvidence[] = [];
    const merged: Record<PhaseName, PhaseTrips[]> = { baseline: [], injection: [], recovery: [] };
    const mergedHealth: Health[] = [];
    let straddling = 0;
    const multi = groupIds.length > 1;

    groupIds.forEach((id, g) => {
      const idx = groupSlice(g);
      const delays = delaysByGroup[g] as number[];
      const isTargeted = targeted === undefined || targeted.has(id);
      // Locally the probe and the proxy share one clock: only remote tasks are checked for skew.
      const skew = window.findOnset ? estimateSkew(delays, recoveredAfterEnd(s, idx, degraded, faultEnd)) : undefined;
      const c = skew?.correctionMs ?? 0;
      const st = (i: number) => (s.start[i] as number) - c;
      const en = (i: number) => st(i) + (s.rtt[i] as number);

      // When the fault took effect here: the first round trip that shows it, within the action's window.
      let onsetAt: number | undefined;
      if (faultStart !== undefined && window.findOnset && isTargeted) {
        for (const i of idx) {
          if (en(i) > faultStart && (faultEnd === undefined || st(i) < faultEnd) && degraded(i)) {
            onsetAt = Math.max(faultStart, st(i));
            break;
          }
        }
      }
      const taskStart = isTargeted ? (onsetAt ?? faultStart) : undefined;
      const taskEnd = isTargeted ? faultEnd : undefined;
      let beforeOnset = 0;
      let taskStraddling = 0;
      const lists: Record<PhaseName, number[]> = { baseline: [], injection: [], recovery: [] };
      for (const i of idx) {
        const start = st(i);
        const end = en(i);
        if (
          faultStart !== undefined &&
          isTargeted &&
          onsetAt !== undefined &&
          start >= faultStart &&
          start < onsetAt &&
          end <= onsetAt
        ) {
          beforeOnset += 1;
          continue;
        }
        const phase = phaseBetween(start, end, taskStart, taskEnd);
        if (phase) lists[phase].push(i);
        else taskStraddling += 1;
      }
      const groups = {
        baseline: phaseTripsFrom(s, lists.baseline, c),
        injection: phaseTripsFrom(s, lists.injection, c),
        recovery: phaseTripsFrom(s, lists.recovery, c),
      };

      const health = this.healthFor(id, idx, c, multi);
      const taskTimeline = assemble(groups, health, taskStart, taskEnd, baselineLatency, threshold);
      taskTimeline.roundTripCount = idx.length;
      taskTimeline.roundTripsHeld = held;
      taskTimeline.roundTrips = held
        ? Array.from(idx, (i) => {
            const r = recordAt(i);
            return c === 0 ? r : { ...r, ts: new Date(st(i)).toISOString() };
          })
        : [];
      taskTimeline.straddlingFault = taskStraddling;

      const stopped = stoppedAt.get(id);
      const untilMs = stopped?.at.getTime() ?? window.runEndedAt?.getTime();
      const gaps = seqGapsOf(
        Array.from(idx, (i) => s.seq[i] as number),
        Array.from(idx, (i) => s.start[i] as number),
        (ms) => phaseBetween(ms - c, ms - c, taskStart, taskEnd),
        // Lines still on their way at the end are counted only where they can be lost (CloudWatch).
        window.findOnset && untilMs !== undefined && window.intervalMs
          ? { untilMs: untilMs + c, intervalMs: window.intervalMs }
          : undefined,
        this.missedSeqs.get(id),
      );
      let firstSeq = Number.POSITIVE_INFINITY;
      let lastSeq = Number.NEGATIVE_INFINITY;
      for (const i of idx) {
        firstSeq = Math.min(firstSeq, s.seq[i] as number);
        lastSeq = Math.max(lastSeq, s.seq[i] as number);
      }
      const first = idx[0];
      const ev: TaskEvidence = {
        task: first === undefined ? id : (s.tasks[s.task[first] as number] as string),
        lines: idx.length,
        firstSeq,
        lastSeq,
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
        let watched = false;
        for (const i of idx) {
          if (st(i) >= faultStart && (faultEnd === undefined || st(i) < faultEnd)) {
            watched = true;
            break;
          }
        }
        if (watched) ev.faultNeverShowed = true;
      }
      if (delays.length > 0) {
        const late = Float64Array.from(delays).sort();
        ev.lateness = {
          medianMs: late[Math.floor(late.length / 2)] as number,
          maxMs: late[late.length - 1] as number,
        };
      }
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

      if (!isTargeted) return;
      for (const phase of PHASES) merged[phase].push(groups[phase]);
      mergedHealth.push(...health);
      straddling += taskStraddling;
    });

    const phaseTrips = {
      baseline: mergeTrips(merged.baseline),
      injection: mergeTrips(merged.injection),
      recovery: mergeTrips(merged.recovery),
    };
    let runStart = faultStart;
    let earliestOnset = Number.POSITIVE_INFINITY;
    for (const t of evidenceTasks) if (t.onset) earliestOnset = Math.min(earliestOnset, t.onset.at.getTime());
    // Several tasks: the run's injection starts when the fault took effect on the first of them.
    if (earliestOnset !== Number.POSITIVE_INFINITY) runStart = earliestOnset;
    const health = multi
      ? mergedHealth.sort((a, b) => a.at - b.at)
      : mergedHealth.length > 0
        ? mergedHealth
        : this.healthFor(undefined, new Uint32Array(0), 0, false);
    const timeline = assemble(phaseTrips, health, runStart, faultEnd, baselineLatency, threshold);
    timeline.roundTripCount = n;
    timeline.roundTripsHeld = held;
    timeline.roundTripLimit = s.holdLimit;
    timeline.roundTrips = held ? Array.from(order, recordAt) : [];
    timeline.failureSample = s.failureSample();
    timeline.malformedLines = this.malformed;
    timeline.duplicateLines = this.duplicates;
    timeline.outOfOrderLines = this.outOfOrder;
    timeline.missedTicks = this.missedTicks;
    timeline.straddlingFault = straddling;

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
  private healthFor(task: string | undefined, idx: Uint32Array, correction: number, perTaskOnly: boolean): Health[] {
    const s = this.store;
    const probe = this.probeHealth.filter((h) => task === undefined || !perTaskOnly || taskKey(h.task ?? "") === task);
    const changes = probe.map((h) => ({ at: Date.parse(h.ts), healthy: h.healthy }));
    function* carrying() {
      for (const i of idx) {
        const healthy = healthyOf(s.flags[i] as number);
        if (healthy === undefined) continue;
        const start = s.start[i] as number;
        yield { start, end: start + (s.rtt[i] as number), healthy };
      }
    }
    const fromLines = healthFromLines(carrying(), changes);
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

/** The first round trip that no longer showed the fault after it last did, minus FIS's end (task clock). */
function recoveredAfterEnd(
  s: RoundTripStore,
  idx: Uint32Array,
  degraded: (i: number) => boolean,
  faultEnd: number | undefined,
): number | undefined {
  if (faultEnd === undefined) return undefined;
  let lastDegraded = -1;
  let firstNear = -1;
  let lastNear = -1;
  for (let j = 0; j < idx.length; j++) {
    const i = idx[j] as number;
    if (Math.abs((s.start[i] as number) - faultEnd) > 60_000) continue;
    if (firstNear < 0) firstNear = j;
    lastNear = j;
    if (degraded(i)) lastDegraded = j;
  }
  if (lastDegraded < 0) return undefined;
  for (let j = lastDegraded + 1; j <= lastNear; j++) {
    const i = idx[j] as number;
    if (Math.abs((s.start[i] as number) - faultEnd) > 60_000 || degraded(i)) continue;
    // Its end, not its start: a round trip sent just before the fault was removed can still come back fast.
    return (s.start[i] as number) + (s.rtt[i] as number) - faultEnd;
  }
  return undefined;
}

function assemble(
  grouped: Record<PhaseName, PhaseTrips>,
  healthPoints: Health[],
  faultStart: number | undefined,
  faultEnd: number | undefined,
  baselineLatency: LatencySummary | undefined,
  threshold: number,
): Timeline {
  const phases = Object.fromEntries(
    PHASES.map((phase) => [phase, phaseStats(phase, grouped[phase], baselineLatency, threshold)]),
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
    roundTripCount: 0,
    roundTripsHeld: true,
    phaseTrips: grouped,
    malformedLines: 0,
    duplicateLines: 0,
    outOfOrderLines: 0,
    missedTicks: 0,
    straddlingFault: 0,
    health,
  };
  const degradedAt = (t: PhaseTrips, j: number) => !isOk(t, j) || (t.rtt[j] as number) > threshold;
  const first = (t: PhaseTrips, is: (j: number) => boolean) => {
    for (let j = 0; j < t.rtt.length; j++) if (is(j)) return j;
    return -1;
  };
  if (faultStart !== undefined) {
    const inj = grouped.injection;
    const firstDegraded = first(inj, (j) => degradedAt(inj, j));
    if (firstDegraded >= 0) timeline.timeToDetectMs = endAt(inj, firstDegraded) - faultStart;
    const unhealthy = health.find((h) => !h.healthy && h.at.getTime() >= faultStart);
    if (unhealthy) {
      timeline.timeToUnhealthyMs = unhealthy.at.getTime() - faultStart;
      const firstFailure = first(inj, (j) => !isOk(inj, j));
      if (firstFailure >= 0)
        timeline.unhealthyAfterFirstFailureMs = unhealthy.at.getTime() - startAt(inj, firstFailure);
    }
  }
  if (faultEnd !== undefined) {
    const rec = grouped.recovery;
    const firstSuccess = first(rec, (j) => isOk(rec, j) && !degradedAt(rec, j));
    if (firstSuccess >= 0) timeline.timeToRecoverMs = Math.max(0, endAt(rec, firstSuccess) - faultEnd);
    let lastDegraded = -1;
    for (let j = rec.rtt.length - 1; j >= 0; j--) {
      if (degradedAt(rec, j)) {
        lastDegraded = j;
        break;
      }
    }
    timeline.degradationAfterFaultMs = lastDegraded >= 0 ? endAt(rec, lastDegraded) - faultEnd : 0;
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
  trips: PhaseTrips,
  baseline: LatencySummary | undefined,
  threshold: number,
): PhaseStats {
  const byKind = new Uint32Array(ERROR_KINDS.length + 1);
  let newConnections = 0;
  let degraded = 0;
  const okRtt: number[] = [];
  const count = trips.rtt.length;
  for (let j = 0; j < count; j++) {
    const o = trips.outcome[j] as number;
    byKind[o] = (byKind[o] as number) + 1;
    if (trips.conn[j] === 1) newConnections += 1;
    if (o !== OK_OUTCOME || (trips.rtt[j] as number) > threshold) degraded += 1;
    if (o === OK_OUTCOME) okRtt.push(trips.rtt[j] as number);
  }
  const errors: Partial<Record<ErrorKind, number>> = {};
  let timeouts = 0;
  for (let o = 1; o < byKind.length; o++) {
    const k = byKind[o] as number;
    if (k === 0) continue;
    const kind = errorKindOf(o) as ErrorKind;
    if (kind === "timeout" || kind === "connect_timeout") timeouts += k;
    else errors[kind] = k;
  }
  const stats: PhaseStats = {
    phase,
    count,
    successes: byKind[OK_OUTCOME] as number,
    timeouts,
    errors,
    newConnections,
    degraded,
  };
  const latency = summarize(trips.rtt);
  const successLatency = summarize(okRtt);
  if (latency) stats.latency = latency;
  if (successLatency) stats.successLatency = successLatency;
  if (latency && baseline) stats.medianShiftMs = latency.p50 - baseline.p50;
  return stats;
}
