// What the lines themselves say about how complete and how timely they are, per task: round trips
// lost (gaps in the probe's consecutive `seq`), how late lines became visible, when the fault took
// effect, and what that leaves unjudgeable. Pure: the timeline builder feeds it records.
import type { RoundTripRecord } from "@fislat/probe/record";
import type { SkewEstimate } from "./skew.js";
import { sortIndicesBy } from "./sort-by-key.js";

export type PhaseKey = "baseline" | "injection" | "recovery";

/** How a line reached fislat: CloudWatch's event fields. Absent for a local probe's stdout. */
export interface LineMeta {
  stream?: string;
  /** Epoch ms: the event's timestamp (the task host's clock, set by the awslogs driver). */
  timestamp?: number;
  /** Epoch ms: when CloudWatch Logs ingested it (AWS's clock). */
  ingestionTime?: number;
}

/** A task stopped or replaced (with ECS's stopped reason), or a load balancer target health change. */
export interface TargetEvent {
  at: Date;
  task: string;
  kind: string;
  detail: string;
}

/** What the line source knows once it has stopped: how long it waited for late lines, and for whom. */
export interface SourceReport {
  lateLineBoundMs?: number;
  /** Tasks whose last expected line had not arrived when the bound was reached. */
  boundReachedFor?: string[];
  /** How long the source waited for late lines after the run. */
  waitedMs?: number;
}

export interface FaultOnset {
  /** When the fault took effect on this task, in AWS's time (skew-corrected). */
  at: Date;
  /** From FIS's action start to the onset. */
  lagMs: number;
  beyondBound: boolean;
}

export interface TaskEvidence {
  task: string;
  /** Distinct loop round trips read for this task. */
  lines: number;
  firstSeq?: number;
  lastSeq?: number;
  /** Loop round trips known missing from seq gaps (and the tail not read by the end). */
  missing: number;
  missingByPhase: Record<PhaseKey, number>;
  /** Whether FIS aimed the fault at this task (false: left out by the target's selection mode). */
  targeted: boolean;
  /** Set when the fault showed in this task's data within the action's window. */
  onset?: FaultOnset;
  /** Set when the task was targeted, the action ran, and the data never showed the fault. */
  faultNeverShowed?: boolean;
  /** Ingestion time minus event timestamp, over this task's lines. */
  lateness?: { medianMs: number; maxMs: number };
  skew?: SkewEstimate;
  /** Loop round trips that ran after FIS started the action but before it took effect here. */
  beforeOnset: number;
  /** This task stopped during the run (ECS's reason). */
  stopped?: { at: Date; reason: string };
}

export interface Evidence {
  /** per phase, round trips known missing over all tasks (the evaluator's `missing`). */
  missingByPhase: Record<PhaseKey, number>;
  tasks: TaskEvidence[];
  /** Findings that do not decide the verdict but must be read with it. */
  findings: string[];
  /** Reasons the run cannot be judged passed or failed: each names a task and what happened. */
  inconclusive: string[];
  source?: SourceReport;
}

/** FIS starts the SSM document some time after the action: longer than this is a finding. */
export const ONSET_LAG_BOUND_MS = 30_000;

export const taskKey = (task: string) => task.split("/").at(-1) ?? task;

export const zeroByPhase = (): Record<PhaseKey, number> => ({ baseline: 0, injection: 0, recovery: 0 });

/**
 * Missing loop round trips from gaps between consecutive `seq` numbers (the probe numbers each
 * process's loop 1, 2, 3...). A gap's missing round trips are placed in phases by interpolating
 * their start times between the lines on either side. `expectedLast`: the seq the task should have
 * reached by the end of the run (lines after the last one read count as missing too).
 */
export function seqGaps(
  records: RoundTripRecord[],
  phaseAt: (ms: number) => PhaseKey | undefined,
  tail?: { untilMs: number; intervalMs: number },
  /** Seqs accounted for otherwise: a tick missed while a round trip ran has its own seq and "Tick missed" line. */
  skipped: ReadonlySet<number> = new Set(),
): { missing: number; byPhase: Record<PhaseKey, number> } {
  const loop = records.filter((r) => r.src === "loop");
  return seqGapsOf(
    loop.map((r) => r.seq),
    loop.map((r) => Date.parse(r.ts)),
    phaseAt,
    tail,
    skipped,
  );
}

/** seqGaps over columns: one task's loop round trips' seqs and start times (epoch ms), in any order. */
export function seqGapsOf(
  seqs: ArrayLike<number>,
  starts: ArrayLike<number>,
  phaseAt: (ms: number) => PhaseKey | undefined,
  tail?: { untilMs: number; intervalMs: number },
  skipped: ReadonlySet<number> = new Set(),
): { missing: number; byPhase: Record<PhaseKey, number> } {
  const byPhase = zeroByPhase();
  let missing = 0;
  const bySeq = sortIndicesBy(seqs.length, (j) => seqs[j] as number);
  const count = (at: number) => {
    missing += 1;
    const phase = phaseAt(at);
    if (phase) byPhase[phase] += 1;
  };
  for (let k0 = 1; k0 < bySeq.length; k0++) {
    const a = bySeq[k0 - 1] as number;
    const b = bySeq[k0] as number;
    const seqA = seqs[a] as number;
    const gap = (seqs[b] as number) - seqA - 1;
    if (gap <= 0) continue;
    const ta = starts[a] as number;
    const tb = starts[b] as number;
    for (let k = 1; k <= gap; k++) if (!skipped.has(seqA + k)) count(ta + ((tb - ta) * k) / (gap + 1));
  }
  const last = bySeq.length > 0 ? (bySeq[bySeq.length - 1] as number) : undefined;
  if (last !== undefined && tail && tail.intervalMs > 0) {
    // A round trip takes at least the interval to be written; the last ones of the run may still be in flight.
    const lastStart = starts[last] as number;
    const lastSeq = seqs[last] as number;
    const expected = Math.floor((tail.untilMs - lastStart) / tail.intervalMs) - 1;
    for (let k = 1; k <= expected; k++) if (!skipped.has(lastSeq + k)) count(lastStart + k * tail.intervalMs);
  }
  return { missing, byPhase };
}

/**
 * Health as the round-trip lines carry it (`healthy` on every line), so a lost
 * "Health changed" line cannot hide a change: the state is known from every line. The moment of a
 * change is the exact "Health changed" line when it was read, else the first line in the new state.
 */
export function healthFromRoundTrips(
  records: RoundTripRecord[],
  changes: { at: number; healthy: boolean }[],
): { at: number; healthy: boolean }[] | undefined {
  const carrying = records
    .filter((r) => typeof (r as { healthy?: unknown }).healthy === "boolean")
    .sort((a, b) => Date.parse(a.ts) - Date.parse(b.ts));
  return healthFromLines(
    carrying.map((r) => ({
      start: Date.parse(r.ts),
      end: Date.parse(r.ts) + r.rttMs,
      healthy: (r as { healthy?: boolean }).healthy as boolean,
    })),
    changes,
  );
}

/** healthFromRoundTrips over the lines that carry `healthy`, given in start order. */
export function healthFromLines(
  carrying: Iterable<{ start: number; end: number; healthy: boolean }>,
  changes: { at: number; healthy: boolean }[],
): { at: number; healthy: boolean }[] | undefined {
  const out: { at: number; healthy: boolean }[] = [];
  let state: boolean | undefined;
  let previousEnd = Number.NEGATIVE_INFINITY;
  for (const { start, end, healthy } of carrying) {
    if (state !== undefined && healthy !== state) {
      const exact = changes.find((c) => c.healthy === healthy && c.at > previousEnd - 1000 && c.at <= end);
      out.push({ at: exact?.at ?? start, healthy });
    } else if (state === undefined && !healthy) {
      out.push({ at: start, healthy });
    }
    state = healthy;
    previousEnd = end;
  }
  return state === undefined ? undefined : out;
}

export function latenessOf(metas: LineMeta[]): TaskEvidence["lateness"] {
  const late = metas
    .flatMap((m) => (m.timestamp !== undefined && m.ingestionTime !== undefined ? [m.ingestionTime - m.timestamp] : []))
    .sort((a, b) => a - b);
  if (late.length === 0) return undefined;
  return { medianMs: late[Math.floor(late.length / 2)] as number, maxMs: late.at(-1) as number };
}

export const secondsText = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Findings and reasons for "cannot tell", from the per-task evidence. */
export function conclusions(evidence: Evidence, faultRan: boolean): void {
  const { findings, inconclusive } = evidence;
  const lost = evidence.tasks.filter((t) => t.missing > 0);
  for (const t of lost) {
    findings.push(
      `task ${taskKey(t.task)}: ${t.missing} round-trip line(s) missing (seq gaps): ${t.missingByPhase.baseline} baseline, ${t.missingByPhase.injection} injection, ${t.missingByPhase.recovery} recovery`,
    );
  }
  for (const t of evidence.tasks) {
    if (t.onset?.beyondBound) {
      findings.push(
        `task ${taskKey(t.task)}: the fault took effect ${secondsText(t.onset.lagMs)} after FIS started the action (bound ${secondsText(ONSET_LAG_BOUND_MS)}): FIS's SSM document was slow to start (installDependencies, the sidecar's network)`,
      );
    } else if (t.onset) {
      findings.push(
        `task ${taskKey(t.task)}: the fault took effect ${secondsText(t.onset.lagMs)} after FIS started the action`,
      );
    }
    if (t.skew?.note) findings.push(`task ${taskKey(t.task)}: ${t.skew.note}`);
    if (t.stopped) {
      inconclusive.push(
        `task ${taskKey(t.task)} stopped at ${t.stopped.at.toISOString()} during the run (${t.stopped.reason}): its timeline ends there`,
      );
    }
    if (faultRan && t.targeted && t.faultNeverShowed && !t.stopped) {
      inconclusive.push(
        `the fault never showed on task ${taskKey(t.task)}: FIS ran the action but no round trip slowed or failed. Likely causes: the SSM agent sidecar did not register the task (FIS reaches it through SSM), the task definition lacks enableFaultInjection, or the action's sources do not cover the address the probe calls`,
      );
    }
  }
  const reached = evidence.tasks.filter((t) => t.targeted && t.onset).length;
  const targeted = evidence.tasks.filter((t) => t.targeted).length;
  if (faultRan && targeted > 1) findings.push(`the fault reached ${reached} of ${targeted} targeted task(s)`);
  const notTargeted = evidence.tasks.filter((t) => !t.targeted);
  if (notTargeted.length > 0) {
    findings.push(
      `${notTargeted.length} task(s) were not selected by FIS and are not judged: ${notTargeted
        .slice(0, 10)
        .map((t) => taskKey(t.task))
        .join(", ")}${notTargeted.length > 10 ? ", ..." : ""}`,
    );
  }
  const source = evidence.source;
  if (source?.boundReachedFor && source.boundReachedFor.length > 0) {
    findings.push(
      `waited ${secondsText(source.lateLineBoundMs ?? 0)} for late lines and stopped at that bound: the last lines of ${source.boundReachedFor.map(taskKey).join(", ")} had not arrived`,
    );
  }
  const late = evidence.tasks.flatMap((t) => (t.lateness ? [t.lateness.maxMs] : []));
  if (late.length > 0) {
    const worst = late.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
    if (worst > 10_000) findings.push(`lines arrived up to ${secondsText(worst)} after they were written`);
  }
}

/** The evidence as the JSON report carries it (the report writes times as ISO 8601). */
export interface EvidenceReport {
  tasks: (Omit<TaskEvidence, "onset" | "stopped"> & {
    onset?: { at: string; lagMs: number; beyondBound: boolean };
    stopped?: { at: string; reason: string };
  })[];
  findings: string[];
  inconclusive: string[];
  source?: SourceReport;
}

/** The findings of a report's evidence (read structurally: local reports have none). */
export function findingsOf(evidence: unknown): string[] {
  const findings = (evidence as { findings?: unknown } | undefined)?.findings;
  return Array.isArray(findings) ? findings.filter((f): f is string => typeof f === "string") : [];
}
