// The machine-readable report of a run: one plain object, the source of the JSON, JUnit and
// Markdown files and of the terminal summary. Figures are numbers (null when they did not occur),
// rounded to what the measurement supports. schemas/report.schema.json publishes the shape;
// `schemaVersion` changes when a field changes meaning.
import type { RoundTripRecord } from "@fislat/probe/record";
import type { ExitCode } from "../errors.js";
import type { ExperimentResult, FaultRemoval } from "./experiment.js";
import { faultKind } from "./fault.js";
import { METRICS } from "./metrics.js";
import { exitCodeFor, type Outcome, outcomeOf } from "./outcome.js";
import type { Prediction } from "./predict.js";
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
  };
  targets: { id: string; description: string }[];
  experiment: { name: string; description: string; source: string };
  labels: Record<string, string>;
  parameters: {
    fault: { kind: string; description: string };
    delayMs: number;
    jitterMs: number;
    injectionMs: number;
    baselineMs: number;
    recoveryMs: number;
    connectionTimeoutMs: number;
    readTimeoutMs: number;
    intervalMs: number;
    healthFailureMs: number;
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
  roundTrips: RoundTripRecord[];
}

/** Times to 0.1 ms, rates to 4 places: more digits than that are noise. */
const roundTo = (v: number, digits: number) => {
  if (!Number.isFinite(v)) return v;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};
const ms = (v: number | undefined) => (v === undefined ? null : roundTo(v, 1));

function figure(metric: string, v: number | null): number | null {
  if (v === null) return null;
  if (!Number.isFinite(v)) return null;
  const kind = (METRICS as Record<string, { kind: string }>)[metric]?.kind;
  return kind === "event" ? roundTo(v, 4) : kind === "count" ? v : roundTo(v, 1);
}

/** Latency figures to 0.1 ms: the histogram's extra digits are not measurement. */
function roundPhases(phases: Record<PhaseName, PhaseStats>): Record<PhaseName, PhaseStats> {
  const latency = (l: PhaseStats["latency"]) =>
    l && {
      p50: roundTo(l.p50, 1),
      p90: roundTo(l.p90, 1),
      p99: roundTo(l.p99, 1),
      max: roundTo(l.max, 1),
      mean: roundTo(l.mean, 1),
    };
  const one = (p: PhaseStats): PhaseStats => {
    const out: PhaseStats = { ...p };
    if (p.latency) out.latency = latency(p.latency);
    if (p.successLatency) out.successLatency = latency(p.successLatency);
    if (p.medianShiftMs !== undefined) out.medianShiftMs = roundTo(p.medianShiftMs, 1);
    return out;
  };
  return { baseline: one(phases.baseline), injection: one(phases.injection), recovery: one(phases.recovery) };
}

function thresholdReport(r: CheckResult): ThresholdReport {
  const out: ThresholdReport = {
    id: r.id,
    scope: r.scope,
    metric: r.metric,
    expression: r.expression,
    role: r.role,
    status: r.status,
    observed: figure(r.metric, r.observed),
    bound:
      r.bound === null
        ? null
        : Array.isArray(r.bound)
          ? [roundTo(r.bound[0], 4), roundTo(r.bound[1], 4)]
          : figure(r.metric, r.bound),
    detail: r.detail,
  };
  if (r.interval) out.interval = [roundTo(r.interval[0], 4), roundTo(r.interval[1], 4)];
  if (r.extremes) out.extremes = [figure(r.metric, r.extremes[0]), figure(r.metric, r.extremes[1])];
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
      fault: { kind: fault.kind, description: faultKind(fault).describe(fault) },
      delayMs: fault.delayMs,
      jitterMs: fault.jitterMs,
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
    },
    health: timeline.health.map((h) => ({ at: h.at.toISOString(), healthy: h.healthy, source: h.source })),
    prediction: result.verdict?.prediction ?? null,
    observed: {
      timeoutFraction:
        result.verdict?.observedTimeoutFraction === undefined
          ? null
          : roundTo(result.verdict.observedTimeoutFraction, 4),
      timeoutFraction95: result.verdict?.observedTimeoutInterval
        ? [roundTo(result.verdict.observedTimeoutInterval[0], 4), roundTo(result.verdict.observedTimeoutInterval[1], 4)]
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
    roundTrips: timeline.roundTrips,
  };
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
