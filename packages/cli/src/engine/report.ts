// The machine-readable report of a run: one plain object, the source of the JSON, JUnit and
// Markdown files and of the terminal summary. Figures are numbers (null when they did not occur),
// rounded to what the measurement supports. schemas/report.schema.json publishes the shape;
// `schemaVersion` changes when a field changes meaning.
import type { RoundTripRecord } from "@fislat/probe/record";
import type { ExitCode } from "../errors.js";
import type { ExperimentResult, FaultRemoval } from "./experiment.js";
import { faultKind } from "./fault.js";
import { roundMs, roundRate } from "./figures.js";
import { exitCodeFor, type Outcome, outcomeOf } from "./outcome.js";
import { perSecond, type SecondAggregate } from "./per-second.js";
import { PERCENTILE_METHOD } from "./phase-trips.js";
import type { Prediction } from "./predict.js";
import { HOLD_LIMIT } from "./record-store.js";
import type { HealthTransition, PhaseName, PhaseStats } from "./timeline.js";
import type { CheckResult, Status } from "./verdict.js";

export const REPORT_SCHEMA_VERSION = 2;
export type { Outcome };

export interface ThresholdReport {
  id: string;
  scope: string;
  metric: string;
  expression: string;
  role: CheckResult["role"];
  status: Status;
  observed: number | null;
  bound: number | [number, number] | null;
  interval?: [number, number];
  extremes?: [number | null, number | null];
  detail: string;
  /** ms, rate (0..1) or count: how every reporter formats `observed` and `bound`. */
  unit?: CheckResult["unit"];
  /** A run-wide time measured on a schedule is known to within this (the interval, the /health poll). */
  resolutionMs?: number;
  /** The sample cannot support the bound: the interval does not clear it, or p(99) is the maximum. */
  caveat?: string;
  /** Every value the figure can take holds: the check only says that the figure occurred. */
  vacuous?: boolean;
}

/**
 * A local run: what fislat started on this machine, as fields rather than prose in `target`, for
 * tools and tests that check nothing was left behind (all of it has ended when the report is
 * written).
 */
export interface LocalProcesses {
  /** The probe child process and the port of its /health. */
  probe?: { pid: number; port: number };
  /** The latency proxy's port (the fault's place). */
  proxyPort?: number;
  /** dynalite's port. */
  dynamoPort?: number;
}

export interface Report {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  tool: { name: "fislat"; version: string };
  /** `seed`: a local run's latency-proxy seed; `--seed` replays its delay draws. */
  environment: {
    kind: "local" | "aws";
    target: string;
    injector: string;
    seed?: number;
    /** A run against the user's own app: how it was started, where its output is, the load. */
    app?: {
      command?: string;
      pid?: number;
      /** The file with the app's stdout and stderr. */
      output?: string;
      dynamodbEndpoint?: string;
      urls: string[];
      ratePerSecond: number;
    };
  } & LocalProcesses;
  targets: { id: string; description: string }[];
  experiment: { name: string; description: string; source: string };
  labels: Record<string, string>;
  parameters: {
    /** `fidelity`: on a local run, what the local twin reproduces of the AWS fault and what it does not. */
    fault: { kind: string; description: string; fidelity?: string };
    injectionMs: number;
    baselineMs: number;
    recoveryMs: number;
    connectionTimeoutMs: number;
    readTimeoutMs: number;
    intervalMs: number;
    healthFailureMs: number;
    /** The fault kind's own fields, as its module reports them (latency: its delay and jitter in ms). */
    [faultField: string]: unknown;
  };
  startedAt: string;
  endedAt: string;
  outcome: Outcome;
  exitCode: ExitCode;
  summary: string;
  /** Failed: the thresholds that did not hold; inconclusive: why the run could not tell. */
  reasons: string[];
  interrupted?: { reason: string };
  fault: {
    startedAt: string | null;
    endedAt: string | null;
    endReason: string | null;
    detail: string | null;
    removal: FaultRemoval;
    removalError: string | null;
  };
  phases: Record<PhaseName, PhaseStats>;
  times: {
    timeToDetectMs: number | null;
    timeToRecoverMs: number | null;
    timeToHealthyMs: number | null;
    timeToUnhealthyMs: number | null;
    unhealthyAfterFirstFailureMs: number | null;
    degradationAfterFaultMs: number | null;
    /** How precisely those times are known: round trips start on the probe's interval, /health is polled. */
    resolutionMs?: { roundTrip: number; health: number };
  };
  health: { at: string; healthy: boolean; source: HealthTransition["source"] }[];
  prediction: Prediction | null;
  observed: { timeoutFraction: number | null; timeoutFraction95: [number, number] | null };
  thresholds: ThresholdReport[];
  /** Round trips known lost per phase (from seq gaps), when the source can tell. */
  missingByPhase: Partial<Record<PhaseName, number>>;
  targetEvents?: { at: string; task: string; kind: string; detail: string }[];
  /** The lines' own account of their completeness and timeliness (AWS: per task, skew, onset). */
  evidence?: Record<string, unknown>;
  lines: { malformed: number; duplicate: number; outOfOrder: number; missedTicks: number; straddlingFault: number };
  /** Which of the round trips the report holds: all of them, or (past `limit`) aggregates. */
  records: RecordsHeld;
  /** Every round trip when `records.held` is "all"; empty when it is "aggregates". */
  roundTrips: RoundTripRecord[];
  /** Each phase's loop round trips second by second (the judged ones, as placed in phases). */
  perSecond: Record<PhaseName, SecondAggregate[]>;
  /** When `records.held` is "aggregates": failed round trips, evenly spread over the run, in start order. */
  failureSample?: RoundTripRecord[];
}

export interface RecordsHeld {
  /** Distinct round trips read (loop and /test). */
  total: number;
  /** Round trips listed one by one up to this many. */
  limit: number;
  held: "all" | "aggregates";
  /** How the phases' and the seconds' percentiles are computed. */
  percentiles: string;
}

/** Times to 0.1 ms, rates to 0.001 (engine/figures.ts): the report holds exactly what is shown. */
const ms = (v: number | undefined) => (v === undefined ? null : roundMs(v));

function figure(unit: CheckResult["unit"], v: number | null): number | null {
  if (v === null) return null;
  if (!Number.isFinite(v)) return null;
  return unit === "rate" ? roundRate(v) : unit === "count" ? v : roundMs(v);
}
const rateRange = (r: [number, number]): [number, number] => [roundRate(r[0]), roundRate(r[1])];

/** Latency figures to 0.1 ms: the histogram's extra digits are not measurement. */
function roundPhases(phases: Record<PhaseName, PhaseStats>): Record<PhaseName, PhaseStats> {
  const latency = (l: PhaseStats["latency"]) =>
    l && {
      p50: roundMs(l.p50),
      p90: roundMs(l.p90),
      p99: roundMs(l.p99),
      max: roundMs(l.max),
      mean: roundMs(l.mean),
    };
  const one = (p: PhaseStats): PhaseStats => {
    const out: PhaseStats = { ...p };
    if (p.latency) out.latency = latency(p.latency);
    if (p.successLatency) out.successLatency = latency(p.successLatency);
    if (p.medianShiftMs !== undefined) out.medianShiftMs = roundMs(p.medianShiftMs);
    return out;
  };
  return { baseline: one(phases.baseline), injection: one(phases.injection), recovery: one(phases.recovery) };
}

function roundPrediction(p: Prediction): Prediction {
  return {
    timeoutFraction: roundRate(p.timeoutFraction),
    timeoutFractionRange: rateRange(p.timeoutFractionRange),
    successMedianMs: roundMs(p.successMedianMs),
    reusedTimeoutProbability: roundRate(p.reusedTimeoutProbability),
    newTimeoutProbability: roundRate(p.newTimeoutProbability),
  };
}

function thresholdReport(r: CheckResult): ThresholdReport {
  const out: ThresholdReport = {
    id: r.id,
    scope: r.scope,
    metric: r.metric,
    expression: r.expression,
    role: r.role,
    status: r.status,
    observed: figure(r.unit, r.observed),
    bound: r.bound === null ? null : Array.isArray(r.bound) ? rateRange(r.bound) : figure(r.unit, r.bound),
    detail: r.detail,
    unit: r.unit,
  };
  if (r.interval) out.interval = rateRange(r.interval);
  if (r.extremes) out.extremes = [figure(r.unit, r.extremes[0]), figure(r.unit, r.extremes[1])];
  if (r.resolutionMs !== undefined) out.resolutionMs = r.resolutionMs;
  if (r.caveat) out.caveat = r.caveat;
  if (r.vacuous) out.vacuous = true;
  return out;
}

function summaryOf(result: ExperimentResult, outcome: Outcome, reasons: string[]): string {
  if (result.removalError !== undefined)
    return `interrupted, and the fault could not be confirmed removed: ${result.removalError}`;
  if (result.failure !== undefined) return `the experiment failed: ${result.failure}`;
  if (result.interrupted)
    return result.faultRemoval === "not-started"
      ? `interrupted (${result.interrupted.reason}) before the fault took effect; nothing was injected`
      : `interrupted (${result.interrupted.reason}); the fault was removed`;
  if (result.fault.endReason === "failed") return `the fault failed: ${result.fault.detail ?? "no reason given"}`;
  if (outcome === "passed") return "the hypothesis held";
  if (outcome === "failed") return `the hypothesis failed: ${reasons.join("; ")}`;
  return `inconclusive, the experiment could not test the hypothesis: ${reasons.join("; ")}`;
}

type WithExtras = ExperimentResult["timeline"] & {
  evidence?: { missingByPhase?: Partial<Record<PhaseName, number>> } & Record<string, unknown>;
  targetEvents?: { at: Date; task: string; kind: string; detail: string }[];
};

export function buildReport(
  result: ExperimentResult,
  meta: { version: string; environment: Report["environment"] },
): Report {
  const { plan } = result;
  const timeline = result.timeline as WithExtras;
  const { request } = plan;
  const outcome = outcomeOf(result);
  const reasons =
    outcome === "passed" || outcome === "failed" || outcome === "inconclusive" ? (result.verdict?.reasons ?? []) : [];
  const iso = (d: Date | undefined) => d?.toISOString() ?? null;
  const fault = request.fault;
  const report: Report = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: "fislat", version: meta.version },
    environment: meta.environment,
    targets: result.targets,
    experiment: { name: request.name, description: request.description, source: request.source },
    labels: request.labels,
    parameters: {
      fault: {
        kind: fault.kind,
        description: faultKind(fault).describe(fault),
        ...(meta.environment.kind === "local" ? { fidelity: faultKind(fault).fidelity } : {}),
      },
      ...faultKind(fault).reportFields(fault),
      injectionMs: request.phases.injectionMs,
      baselineMs: request.phases.baselineMs,
      recoveryMs: request.phases.recoveryMs,
      connectionTimeoutMs: plan.probe.connectionTimeoutMs,
      readTimeoutMs: plan.probe.readTimeoutMs,
      intervalMs: plan.probe.intervalMs,
      healthFailureMs: plan.probe.healthFailureMs,
    },
    startedAt: result.startedAt.toISOString(),
    endedAt: result.endedAt.toISOString(),
    outcome,
    exitCode: exitCodeFor(outcome, result),
    summary: summaryOf(result, outcome, reasons),
    reasons,
    fault: {
      startedAt: iso(result.fault.startedAt),
      endedAt: iso(result.fault.endedAt),
      endReason: result.fault.endReason ?? null,
      detail: result.fault.detail ?? null,
      removal: result.faultRemoval,
      removalError: result.removalError ?? null,
    },
    phases: roundPhases(timeline.phases),
    times: {
      timeToDetectMs: ms(timeline.timeToDetectMs),
      timeToRecoverMs: ms(timeline.timeToRecoverMs),
      timeToHealthyMs: ms(timeline.timeToHealthyMs),
      timeToUnhealthyMs: ms(timeline.timeToUnhealthyMs),
      unhealthyAfterFirstFailureMs: ms(timeline.unhealthyAfterFirstFailureMs),
      degradationAfterFaultMs: ms(timeline.degradationAfterFaultMs),
      resolutionMs: { roundTrip: plan.probe.intervalMs, health: plan.healthPollMs },
    },
    health: timeline.health.map((h) => ({ at: h.at.toISOString(), healthy: h.healthy, source: h.source })),
    prediction: result.verdict?.prediction ? roundPrediction(result.verdict.prediction) : null,
    observed: {
      timeoutFraction:
        result.verdict?.observedTimeoutFraction === undefined
          ? null
          : roundRate(result.verdict.observedTimeoutFraction),
      timeoutFraction95: result.verdict?.observedTimeoutInterval
        ? rateRange(result.verdict.observedTimeoutInterval)
        : null,
    },
    thresholds: (result.verdict?.checks ?? []).map(thresholdReport),
    missingByPhase: timeline.evidence?.missingByPhase ?? {},
    lines: {
      malformed: timeline.malformedLines,
      duplicate: timeline.duplicateLines,
      outOfOrder: timeline.outOfOrderLines,
      missedTicks: timeline.missedTicks,
      straddlingFault: timeline.straddlingFault,
    },
    records: {
      total: timeline.roundTripCount,
      limit: timeline.roundTripLimit ?? HOLD_LIMIT,
      held: timeline.roundTripsHeld ? "all" : "aggregates",
      percentiles: PERCENTILE_METHOD,
    },
    roundTrips: timeline.roundTripsHeld ? timeline.roundTrips : [],
    perSecond: {
      baseline: perSecond(timeline.phaseTrips.baseline),
      injection: perSecond(timeline.phaseTrips.injection),
      recovery: perSecond(timeline.phaseTrips.recovery),
    },
  };
  if (!timeline.roundTripsHeld)
    report.failureSample = [...(timeline.failureSample ?? [])].sort((a, b) => Date.parse(a.ts) - Date.parse(b.ts));
  if (result.interrupted) report.interrupted = result.interrupted;
  if (timeline.evidence) report.evidence = timeline.evidence;
  if (timeline.targetEvents) {
    report.targetEvents = timeline.targetEvents.map((e) => ({
      at: e.at.toISOString(),
      task: e.task,
      kind: e.kind,
      detail: e.detail,
    }));
  }
  return report;
}
