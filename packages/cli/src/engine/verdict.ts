// Judges a timeline against the plan's checks. Each check ends passed, failed or inconclusive, and
// so does the run: failed only when the system was measured deviating from the hypothesis;
// inconclusive when the experiment could not test it (too few round trips, a fault that never
// showed, lines lost), saying why. Lost lines: every check is evaluated with the
// missing round trips all good and all bad; it passes or fails only if both extremes agree.
import type { RoundTripRecord } from "@fislat/probe/record";
import { type CheckNotes, checkNotes, figureKindOf } from "./check-notes.js";
import { type Check, parseCheck } from "./checks.js";
import { faultKind } from "./fault.js";
import { formatFigure, formatInterval, formatRate, formatResolution } from "./figures.js";
import {
  aggregateTimes,
  eventCount,
  type Figure,
  METRICS,
  type Metric,
  type PhaseEvidence,
  type RunEvidence,
  type TripNoun,
  timeValues,
  tripNounOf,
  type World,
} from "./metrics.js";
import { isTimeoutAt, type PhaseTrips, phaseTripsOf } from "./phase-trips.js";
import type { EvidenceRules, ExperimentPlan } from "./plan.js";
import { type Prediction, wilsonInterval } from "./predict.js";
import { agrees, boundValue, compare, type ReferenceValues } from "./threshold.js";
import { type FaultWindow, PHASES, type PhaseName, type Timeline } from "./timeline.js";

export type Status = "passed" | "failed" | "inconclusive";
/** What a figure is: a time (ms), a rate (0..1) or a count; reporters format it by this. */
export type FigureUnit = "ms" | "rate" | "count";

export interface CheckResult {
  id: string;
  scope: Check["scope"];
  metric: string;
  expression: string;
  role: Check["role"];
  status: Status;
  /** The figure as observed; null when it did not occur. */
  observed: number | null;
  /** The bound it was compared with (a range for `~= predicted`); null when it could not be known. */
  bound: number | [number, number] | null;
  /** For rates: the 95% Wilson interval of the observed rate. */
  interval?: [number, number];
  /** With lines lost: the figure with the missing round trips all good, and all bad. */
  extremes?: [Figure, Figure];
  /** Why, in words: what was seen against what was wanted. */
  detail: string;
  unit: FigureUnit;
  /** How precisely the figure is known: a time measured on the probe's or the poll's schedule. */
  resolutionMs?: number;
  /** Set when the sample cannot support the bound (the interval does not clear it; p(99) of 29 is the max). */
  caveat?: string;
  /** Set when every value the figure can take holds: the check only says that it happened. */
  vacuous?: boolean;
}

export interface Verdict {
  status: Status;
  /** Failed: the thresholds that did not hold. Inconclusive: why the run could not tell. */
  reasons: string[];
  checks: CheckResult[];
  prediction?: Prediction;
  observedTimeoutFraction?: number;
  observedTimeoutInterval?: [number, number];
}

/**
 * What an AWS timeline adds (aws-verdict's evidence, read structurally so a local timeline without
 * it is judged the same): lines lost per phase, reasons the evidence cannot tell, and per-task
 * timelines. `phaseRoundTrips`: round trips grouped by hand, judged instead of `phaseTrips`.
 */
export type WithEvidence = Timeline & {
  evidence?: {
    missingByPhase?: Partial<Record<PhaseName, number>>;
    inconclusive?: string[];
    tasks?: { targeted?: boolean; faultNeverShowed?: boolean; stopped?: unknown }[];
  };
  phaseRoundTrips?: Record<PhaseName, RoundTripRecord[]>;
  tasks?: Record<string, WithEvidence>;
};

/**
 * The preconditions of any judgement, as checks: enough round trips, and a fault that showed (by
 * the fault kind's own measure: `rate>=0.8` for latency, `count>=1` for a fault that meets only a
 * share of the requests).
 */
export function evidenceChecks(rules: EvidenceRules, shown = `rate>=${rules.faultShownShare}`): Check[] {
  return [
    ...PHASES.map((p) => parseCheck(p, "samples", `count>=${rules.minRoundTrips}`, "evidence")),
    parseCheck("injection", "degraded", shown, "evidence"),
  ];
}

/** The fault's window, and (where the injector counts them) how many times the fault acted. */
export type JudgedWindow = FaultWindow & { effects?: { count: number; name: string } };

/** A fault the local proxy never applied (no request met it) cannot have shown anything: inconclusive. */
function notLanded(window: JudgedWindow): string[] {
  return window.effects && window.effects.count === 0
    ? [
        `the fault never landed: the local proxy counted no ${window.effects.name} while it was on (no request reached it, or none was drawn)`,
      ]
    : [];
}

const startOf = (r: RoundTripRecord) => Date.parse(r.ts);
const endOf = (r: RoundTripRecord) => Date.parse(r.ts) + r.rttMs;

/**
 * The loop's round trips per phase, by the rule TimelineBuilder.build uses (a round trip in flight
 * at the fault's start or end belongs to no phase); a test keeps the two in step.
 */
export function roundTripsByPhase(timeline: Timeline, window: FaultWindow): Record<PhaseName, RoundTripRecord[]> {
  const out: Record<PhaseName, RoundTripRecord[]> = { baseline: [], injection: [], recovery: [] };
  const faultStart = window.startedAt?.getTime();
  const faultEnd = window.endedAt?.getTime();
  for (const r of timeline.roundTrips) {
    if (r.src !== "loop") continue;
    if (faultStart === undefined || endOf(r) < faultStart) out.baseline.push(r);
    else if (startOf(r) < faultStart) continue;
    else if (faultEnd === undefined || endOf(r) <= faultEnd) out.injection.push(r);
    else if (startOf(r) >= faultEnd) out.recovery.push(r);
  }
  return out;
}

/** The round trips to judge per phase: grouped by hand if given, else as the timeline placed them. */
function phaseTripsFor(timeline: WithEvidence, window: FaultWindow): Record<PhaseName, PhaseTrips> {
  const grouped = timeline.phaseRoundTrips;
  if (grouped)
    return {
      baseline: phaseTripsOf(grouped.baseline),
      injection: phaseTripsOf(grouped.injection),
      recovery: phaseTripsOf(grouped.recovery),
    };
  if (timeline.phaseTrips) return timeline.phaseTrips;
  const byPhase = roundTripsByPhase(timeline, window);
  return {
    baseline: phaseTripsOf(byPhase.baseline),
    injection: phaseTripsOf(byPhase.injection),
    recovery: phaseTripsOf(byPhase.recovery),
  };
}

const pct = (x: number) => formatRate(x);
const show = (check: Check, v: Figure) => formatFigure(figureKindOf(check), v);

interface Measured {
  value: Figure;
  interval?: [number, number];
}

function measure(check: Check, ev: RunEvidence, world: World): Measured {
  const def: Metric = METRICS[check.metric];
  const agg = check.threshold.aggregation;
  if (def.scope === "run") {
    const value = def.of(ev.timeline) ?? null;
    const missing = def.dependsOn ? ev.phases[def.dependsOn].missing : 0;
    if (world === "observed" || missing === 0) return { value };
    // A lost round trip could have come first or last: the figure is anywhere from 0 to never.
    return { value: world === "low" ? 0 : Number.POSITIVE_INFINITY };
  }
  const phase = ev.phases[check.scope as PhaseName];
  if (def.kind === "count") {
    return { value: phase.trips.rtt.length + (world === "observed" ? 0 : phase.missing) };
  }
  if (def.kind === "time") {
    return { value: aggregateTimes(timeValues(def, phase, world), agg.kind, agg.kind === "p" ? agg.percentile : 50) };
  }
  const { events, total } = eventCount(def, phase, ev.timeline, world);
  if (agg.kind === "count") return { value: events };
  if (total === 0) return { value: null };
  return { value: events / total, interval: wilsonInterval(events, total) };
}

function holds(check: Check, m: Measured, bound: number | [number, number]): boolean {
  if (m.value === null) return false;
  const { operator } = check.threshold;
  if (operator === "~=") {
    const range: [number, number] = typeof bound === "number" ? [bound, bound] : bound;
    return agrees(m.interval ?? [m.value, m.value], range);
  }
  return compare(m.value, operator, typeof bound === "number" ? bound : bound[0]);
}

function resolveBound(check: Check, refs: ReferenceValues): number | [number, number] | { missing: string } {
  const { bound, operator } = check.threshold;
  const only = bound.length === 1 ? bound[0] : undefined;
  if (operator === "~=" && only?.reference === "predicted" && only.coefficient === 1) {
    return refs.predictedRange ?? { missing: "predicted" };
  }
  return boundValue(check.threshold, refs);
}

function evaluateCheck(check: Check, ev: RunEvidence, refs: ReferenceValues, rules: EvidenceRules): CheckResult {
  const def: Metric = METRICS[check.metric];
  const observed = measure(check, ev, "observed");
  const kind = figureKindOf(check);
  const base = {
    id: check.id,
    scope: check.scope,
    metric: check.metric,
    expression: check.threshold.expression,
    role: check.role,
    observed: observed.value,
    unit: kind === "time" ? ("ms" as const) : kind,
  };
  const withInterval = observed.interval ? { interval: observed.interval } : {};
  const bound = resolveBound(check, refs);
  if (typeof bound === "object" && !Array.isArray(bound)) {
    return {
      ...base,
      ...withInterval,
      status: "inconclusive",
      bound: null,
      detail: `needs ${bound.missing}, which is not known: no baseline to derive it from`,
    };
  }
  const boundText = Array.isArray(bound) ? `${pct(bound[0])} to ${pct(bound[1])}` : show(check, bound);
  const notes: CheckNotes = checkNotes(check, observed, bound, ev, refs);
  const result = { ...base, ...withInterval, bound, ...notes };
  if (check.role === "hypothesis" && def.scope === "phase") {
    const count = ev.phases[check.scope as PhaseName].trips.rtt.length;
    if (count < rules.minRoundTrips) {
      return {
        ...result,
        status: "inconclusive",
        detail: `too few ${ev.noun.many} in ${check.scope} to judge (${count}, at least ${rules.minRoundTrips})`,
      };
    }
  }
  // A rate's interval goes with it wherever it is shown; a scheduled time, its resolution.
  const seen =
    show(check, observed.value) +
    (observed.interval && observed.value !== null ? ` (${formatInterval(observed.interval)})` : "") +
    (notes.resolutionMs !== undefined && observed.value !== null ? ` (${formatResolution(notes.resolutionMs)})` : "");
  const missing =
    def.scope === "phase"
      ? ev.phases[check.scope as PhaseName].missing
      : def.dependsOn
        ? ev.phases[def.dependsOn].missing
        : 0;
  if (missing === 0) {
    if (observed.value === null && check.optional) {
      return { ...result, status: "passed", detail: "did not occur; the check is optional (written with ?)" };
    }
    const ok = holds(check, observed, bound);
    const detail = observed.value === null ? `${check.metric} did not occur` : `observed ${seen}, bound ${boundText}`;
    return { ...result, status: ok ? "passed" : "failed", detail };
  }
  const low = measure(check, ev, "low");
  const high = measure(check, ev, "high");
  const [lowOk, highOk] = [holds(check, low, bound), holds(check, high, bound)];
  const extremes: [Figure, Figure] = [low.value, high.value];
  const where = def.scope === "phase" ? check.scope : def.dependsOn;
  if (lowOk === highOk) {
    return {
      ...result,
      extremes,
      status: lowOk ? "passed" : "failed",
      detail: `observed ${seen}, bound ${boundText}, whatever the ${missing} lost ${ev.noun.one}(s) in ${where} were`,
    };
  }
  return {
    ...result,
    extremes,
    status: "inconclusive",
    detail: `${missing} ${ev.noun.one}(s) in ${where} never arrived (seq gaps): observed ${seen}; the threshold holds only if they were ${lowOk ? "good" : "bad"}`,
  };
}

function evidenceReason(r: CheckResult, timeline: Timeline, share: number, noun: TripNoun): string {
  if (r.metric === "samples")
    return `too few ${noun.many} in ${r.scope}: ${r.observed ?? 0} (at least ${r.bound} needed)`;
  if (r.status === "inconclusive") return r.detail;
  if (r.expression.startsWith("count"))
    return `the fault never showed: no ${noun.one} of the injection failed or took over ${Math.round(timeline.degradedAboveMs)} ms`;
  return `the fault never showed: ${r.observed === null ? "no" : pct(r.observed)} of the injection's ${noun.many} failed or took over ${Math.round(timeline.degradedAboveMs)} ms (at least ${pct(share)} needed)`;
}

export function evaluate(timeline: WithEvidence, plan: ExperimentPlan, window: JudgedWindow): Verdict {
  const { request } = plan;
  const byPhase = phaseTripsFor(timeline, window);
  const missingBy: Partial<Record<PhaseName, number>> = timeline.evidence?.missingByPhase ?? {};
  const phases = Object.fromEntries(
    PHASES.map((p): [PhaseName, PhaseEvidence] => [p, { trips: byPhase[p], missing: Math.max(0, missingBy[p] ?? 0) }]),
  ) as Record<PhaseName, PhaseEvidence>;
  const noun = tripNounOf(request);
  const ev: RunEvidence = { timeline, phases, noun };
  const fault = faultKind(request.fault);
  // The prediction models fislat's own probe and its timeouts; a user's service has its own.
  const prediction = request.load
    ? undefined
    : fault.predict(request.fault, plan.probe, timeline.phases.baseline.latency, plan.traits);
  const refs: ReferenceValues = {
    ...fault.references(request.fault),
    interval: plan.probe.intervalMs,
    connection_timeout: plan.probe.connectionTimeoutMs,
    read_timeout: plan.probe.readTimeoutMs,
    health_failure: plan.probe.healthFailureMs,
    health_poll: plan.healthPollMs,
    baseline_med: timeline.phases.baseline.latency?.p50,
    predicted: prediction?.timeoutFraction,
    predicted_median: prediction?.successMedianMs,
  };
  if (prediction) refs.predictedRange = prediction.timeoutFractionRange;

  const shown = fault.shownCheck(request.fault, request.evidence.faultShownShare);
  const evidence = evidenceChecks(request.evidence, shown).map((c) => evaluateCheck(c, ev, refs, request.evidence));
  const checks = request.hypothesis.map((c) => evaluateCheck(c, ev, refs, request.evidence));
  const notShown = evidence.filter((r) => r.status !== "passed");
  // The environment's own account first: it says why (an app that sent nothing through the proxy),
  // where "the fault never landed" only says that.
  const cannotTell = [...(timeline.evidence?.inconclusive ?? []), ...notLanded(window)];
  let status: Status;
  let reasons: string[];
  if (cannotTell.length > 0) {
    status = "inconclusive";
    reasons = [...cannotTell];
  } else if (notShown.length > 0) {
    status = "inconclusive";
    reasons =
      (timeline.roundTripCount ?? timeline.roundTrips.length) === 0
        ? [request.load ? "no request was measured" : "no round-trip lines arrived from the targets"]
        : notShown.map((r) => evidenceReason(r, timeline, request.evidence.faultShownShare, noun));
  } else if (checks.some((c) => c.status === "failed")) {
    status = "failed";
    reasons = checks.filter((c) => c.status === "failed").map((c) => c.id);
  } else if (checks.some((c) => c.status === "inconclusive")) {
    status = "inconclusive";
    reasons = checks.filter((c) => c.status === "inconclusive").map((c) => `${c.id}: ${c.detail}`);
  } else {
    status = "passed";
    reasons = [];
  }
  const verdict: Verdict = { status, reasons, checks: [...evidence, ...checks] };
  if (prediction) verdict.prediction = prediction;
  const inj = phases.injection.trips;
  if (inj.rtt.length > 0) {
    let timeouts = 0;
    for (let j = 0; j < inj.rtt.length; j++) if (isTimeoutAt(inj, j)) timeouts += 1;
    verdict.observedTimeoutFraction = timeouts / inj.rtt.length;
    verdict.observedTimeoutInterval = wilsonInterval(timeouts, inj.rtt.length);
  }
  return verdict;
}

/**
 * A run over one task or many: with per-task timelines, each task the fault reached is judged on
 * its own, and the run fails if any task failed, is inconclusive if any could not be judged (or the
 * evidence says it cannot tell), and passes only if every task passed.
 */
export function evaluateRun(timeline: WithEvidence, plan: ExperimentPlan, window: JudgedWindow): Verdict {
  const tasks = Object.entries(timeline.tasks ?? {});
  if (tasks.length <= 1) return evaluate(timeline, plan, window);
  const judged = tasks
    .filter(([, t]) => {
      const ev = t.evidence?.tasks?.[0];
      return !ev || (ev.targeted !== false && !ev.faultNeverShowed && !ev.stopped);
    })
    .map(([task, t]) => ({ task, verdict: evaluate(t, plan, window) }));
  const checks = judged.flatMap(({ task, verdict }) => verdict.checks.map((c) => ({ ...c, id: `${task}: ${c.id}` })));
  const prefixed = (status: Status) =>
    judged.filter((j) => j.verdict.status === status).flatMap((j) => j.verdict.reasons.map((r) => `${j.task}: ${r}`));
  const cannotTell = timeline.evidence?.inconclusive ?? [];
  let status: Status;
  let reasons: string[];
  if (judged.length === 0) {
    status = "inconclusive";
    reasons = cannotTell.length > 0 ? cannotTell : ["the fault reached no task that could be judged"];
  } else if (judged.some((j) => j.verdict.status === "failed")) {
    status = "failed";
    reasons = prefixed("failed");
  } else if (cannotTell.length > 0 || judged.some((j) => j.verdict.status === "inconclusive")) {
    status = "inconclusive";
    reasons = [...cannotTell, ...prefixed("inconclusive")];
  } else {
    status = "passed";
    // Issue 13: the run's verdict says how many tasks held.
    reasons = [`${judged.length} of ${judged.length} task(s) held the hypothesis`];
  }
  const whole = evaluate(timeline, plan, window);
  return { ...whole, status, reasons, checks };
}

/** The latency fault's degraded threshold for a delay (kept for callers that only know the delay). */
export { degradedAbove as degradedThreshold } from "./faults/latency.js";
