// The machine-readable report of a run: one plain object, the source of the JSON, JUnit and
// Markdown files and of the terminal summary. Figures are numbers (null when they did not occur),
// rounded to what the measurement supports. schemas/report.schema.json publishes the shape;
// `schemaVersion` changes when a field changes meaning.
import type { RoundTripRecord } from "@fislat/probe/record";
import type { CheckRole } from "./checks.js";
import type { ExperimentResult, FaultRemoval } from "./experiment.js";
import { faultKind } from "./fault.js";
import { type Count, roundMs, roundRate } from "./figures.js";
import type { Scope } from "./metrics.js";
import { exitCodeFor, type Outcome, outcomeOf, type RunExitCode } from "./outcome.js";
import { perSecond, type SecondAggregate } from "./per-second.js";
import { PERCENTILE_METHOD } from "./phase-trips.js";
import type { Prediction } from "./predict.js";
import { HOLD_LIMIT } from "./record-store.js";
import type { HealthTransition, PhaseName, PhaseStats } from "./timeline.js";
import type { CheckResult, FigureUnit, Status } from "./verdict.js";

export const REPORT_SCHEMA_VERSION = 2;
export type { Outcome };

/** A time, rounded to 0.1 ms. */
type Ms = number;
/** An ISO 8601 timestamp (wall clock). @format date-time */
type Timestamp = string;
/** @asType integer @minimum 1 @maximum 65535 */
type Port = number;
/** A rate's range, low then high. */
type Range = [number, number];
/** A round trip as read from the probe's line (@fislat/probe's record); fields a newer probe adds are kept. */
type ReadRoundTrip = RoundTripRecord & { [field: string]: unknown };

export interface ThresholdReport {
  /** scope.metric: expression, e.g. injection.rtt: p(99)<450 */
  id: string;
  scope: Scope;
  metric: string;
  expression: string;
  /** evidence checks decide whether the run could be judged */
  role: CheckRole;
  status: Status;
  /** the figure as observed; null when it did not occur */
  observed: number | null;
  bound: number | Range | null;
  /** a rate's 95% Wilson interval */
  interval?: Range;
  /** with lost lines: the figure with them all good, and all bad (null: unbounded or did not occur) */
  extremes?: [number | null, number | null];
  detail: string;
  /** what observed and bound are: a time in ms, a rate (0..1), a count */
  unit?: FigureUnit;
  /** a run-wide time measured on a schedule is known to within this many ms (the probe's interval, the /health poll) */
  resolutionMs?: number;
  /** the sample cannot support the bound: the rate's 95% interval does not clear it, or p(N) of so few round trips is their maximum */
  caveat?: string;
  /** every value the figure can take holds the bound: the check only says the figure occurred */
  vacuous?: true;
}

/**
 * A local run: what fislat started on this machine, as fields rather than prose in `target`, for
 * tools and tests that check nothing was left behind (all of it has ended when the report is
 * written).
 */
export interface LocalProcesses {
  /** a local run: the probe child process fislat started, and the port of its /health (ended when the report is written) */
  probe?: {
    /** @asType integer @minimum 1 */
    pid: number;
    port: Port;
  };
  /** a local run: the latency proxy's port */
  proxyPort?: Port;
  /** a local run: dynalite's port */
  dynamoPort?: Port;
}

/**
 * The JSON report of one fislat run (fislat run --json FILE), schemaVersion 2.
 * @title fislat run report
 */
export interface Report {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  tool: { name: "fislat"; version: string };
  environment: {
    kind: "local" | "aws";
    target: string;
    injector: string;
    /**
     * a local run's latency-proxy seed: fislat run --local --seed replays its delay draws
     * @asType integer
     * @minimum 0
     * @maximum 4294967295
     */
    seed?: number;
    /** a run against the user's own app or service (--app/--url locally, --service --url on AWS): how it was started, where its output is, the load */
    app?: {
      /** the shell command that started the app (absent: an app already running) */
      command?: string;
      /** the app's process (and process group) id @asType integer */
      pid?: number;
      /** the file with the app's stdout and stderr */
      output?: string;
      /** the latency proxy's URL, the app's AWS_ENDPOINT_URL_DYNAMODB */
      dynamodbEndpoint?: string;
      urls: string[];
      ratePerSecond: number;
    };
  } & LocalProcesses;
  targets: { id: string; description: string }[];
  experiment: { name: string; description: string; source: string };
  labels: Record<string, string>;
  parameters: {
    fault: {
      /** the fault's kind (latency, packet-loss, unreachable, errors); its own fields sit beside it in parameters */
      kind: string;
      description: string;
      /** a local run: what the local twin reproduces of the AWS fault, and what it does not */
      fidelity?: string;
    };
    /** @minimum 0 */
    injectionMs: number;
    /** @minimum 0 */
    baselineMs: number;
    /** @minimum 0 */
    recoveryMs: number;
    /** @minimum 0 */
    connectionTimeoutMs: number;
    /** @minimum 0 */
    readTimeoutMs: number;
    /** @minimum 0 */
    intervalMs: number;
    /** @minimum 0 */
    healthFailureMs: number;
    /** The fault kind's own fields, as its module reports them (their schemas: each kind's reportSchema). */
    [faultField: string]: unknown;
  };
  startedAt: Timestamp;
  endedAt: Timestamp;
  outcome: Outcome;
  exitCode: RunExitCode;
  summary: string;
  /** Failed: the thresholds that did not hold; inconclusive: why the run could not tell. */
  reasons: string[];
  interrupted?: { reason: string };
  fault: {
    startedAt: string | null;
    endedAt: string | null;
    endReason: "completed" | "stopped" | "failed" | null;
    detail: string | null;
    removal: FaultRemoval;
    removalError: string | null;
  };
  phases: Record<PhaseName, PhaseStats>;
  times: {
    timeToDetectMs: Ms | null;
    timeToRecoverMs: Ms | null;
    timeToHealthyMs: Ms | null;
    timeToUnhealthyMs: Ms | null;
    unhealthyAfterFirstFailureMs: Ms | null;
    degradationAfterFaultMs: Ms | null;
    /** how precisely the times are known: round trips start on the probe's interval; /health is polled */
    resolutionMs?: { roundTrip: number; health: number };
  };
  health: { at: Timestamp; healthy: boolean; source: HealthTransition["source"] }[];
  prediction: Prediction | null;
  observed: { timeoutFraction: number | null; timeoutFraction95: Range | null };
  thresholds: ThresholdReport[];
  /** Round trips known lost per phase (from seq gaps), when the source can tell. */
  missingByPhase: Partial<Record<PhaseName, Count>>;
  targetEvents?: { at: Timestamp; task: string; kind: string; detail: string }[];
  /**
   * the lines' own account of their completeness and timeliness: lost lines per phase and task, lateness, clock skew, fault onset, findings (AWS); on a run against your app, also dynamodb (per phase: connections, requests, bytesUp, bytesDown, callsPerRequest, as the latency proxy counted your app's DynamoDB traffic) and app (per phase: requests by status class, noAnswer; load: scheduled, sent, dropped, connectionsOpened, latenessMs)
   */
  evidence?: { [section: string]: unknown };
  lines: { malformed: Count; duplicate: Count; outOfOrder: Count; missedTicks: Count; straddlingFault: Count };
  /** Which of the run's round trips the report holds. Absent in reports written before it (they hold every round trip). */
  records?: RecordsHeld;
  /** Every round trip (loop and /test) in start order when records.held is "all" (or records is absent: reports written before it); empty when records.held is "aggregates": then perSecond and failureSample hold what the run measured. */
  roundTrips: ReadRoundTrip[];
  /** Each phase's loop round trips second by second, as judged (placed in phases; on AWS from each task's fault onset, skew-corrected). Written with records. */
  perSecond?: Record<PhaseName, SecondAggregate[]>;
  /** When records.held is "aggregates": failed round trips as read, in start order: every one up to 1000, beyond that an evenly spread sample (the first always) */
  failureSample?: ReadRoundTrip[];
}

export interface RecordsHeld {
  /** distinct round trips read (loop and /test) */
  total: Count;
  /** round trips listed one by one in roundTrips up to this many */
  limit: Count;
  /** all: roundTrips lists every round trip; aggregates: past the limit, roundTrips is empty and perSecond with failureSample hold the run */
  held: "all" | "aggregates";
  /** how the phases' and the seconds' percentiles are computed (exact order statistics: p99 never exceeds max) */
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
        ...(meta.environment.kind === "local"
          ? {
              fidelity: (meta.environment.app ? faultKind(fault).appFidelity : undefined) ?? faultKind(fault).fidelity,
            }
          : {}),
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
