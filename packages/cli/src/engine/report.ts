// The machine-readable report of a run: one plain object, the source of the JSON, JUnit and
// Markdown files and of the terminal summary. `schemaVersion` changes when a field changes meaning.
import type { RoundTripRecord } from "@fislat/probe/record";
import { EXIT, type ExitCode } from "../errors.js";
import type { Evidence, TargetEvent } from "./evidence.js";
import type { ExperimentResult, FaultRemoval } from "./experiment.js";
import type { Prediction } from "./predict.js";
import type { HealthTransition, PhaseName, PhaseStats } from "./timeline.js";
import type { Assertion } from "./verdict.js";

export const REPORT_SCHEMA_VERSION = 1;

export type Outcome = "passed" | "failed" | "interrupted" | "error";

export interface Report {
  schemaVersion: number;
  tool: { name: "fislat"; version: string };
  environment: { kind: "local" | "aws"; target: string; injector: string };
  targets: { id: string; description: string }[];
  scenario: { name: string; hypothesis: string };
  parameters: {
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
  interrupted?: { reason: string };
  fault: {
    startedAt?: string;
    endedAt?: string;
    endReason?: string;
    detail?: string;
    removal: FaultRemoval;
    removalError?: string;
  };
  phases: Record<PhaseName, PhaseStats>;
  times: {
    timeToDetectMs?: number;
    timeToRecoverMs?: number;
    timeToHealthyMs?: number;
    timeToUnhealthyMs?: number;
    unhealthyAfterFirstFailureMs?: number;
    degradationAfterFaultMs?: number;
  };
  health: { at: string; healthy: boolean; source: HealthTransition["source"] }[];
  prediction?: Prediction;
  observed?: { timeoutFraction?: number; timeoutFraction95?: [number, number] };
  assertions: Assertion[];
  lines: { malformed: number; duplicate: number; outOfOrder: number; missedTicks: number; straddlingFault: number };
  roundTrips: RoundTripRecord[];
  /** Contract 4: lines missing per phase and per task, lateness, skew, fault onset, findings. */
  evidence?: Evidence;
  /** Contract 5: tasks stopped or replaced, load balancer target health changes. */
  targetEvents?: { at: string; task: string; kind: string; detail: string }[];
}

export function exitCodeOf(result: ExperimentResult): ExitCode {
  if (result.removalError !== undefined) return EXIT.faultNotRemoved;
  if (result.failure !== undefined || result.fault.endReason === "failed") return EXIT.environment;
  if (result.interrupted) return EXIT.interrupted;
  return result.verdict?.passed ? EXIT.passed : EXIT.failed;
}

function outcomeOf(code: ExitCode): Outcome {
  if (code === EXIT.passed) return "passed";
  if (code === EXIT.failed) return "failed";
  if (code === EXIT.interrupted || code === EXIT.faultNotRemoved) return "interrupted";
  return "error";
}

function summaryOf(result: ExperimentResult, outcome: Outcome): string {
  if (result.removalError !== undefined)
    return `interrupted, and the fault could not be confirmed removed: ${result.removalError}`;
  if (result.failure !== undefined) return `the experiment failed: ${result.failure}`;
  if (result.interrupted) return `interrupted (${result.interrupted.reason}); the fault was removed`;
  if (result.fault.endReason === "failed") return `the fault failed: ${result.fault.detail ?? "no reason given"}`;
  const failed = result.verdict?.assertions.filter((a) => !a.passed) ?? [];
  if (outcome === "passed") return "the hypothesis held";
  return `the hypothesis failed: ${failed.map((a) => a.title).join("; ")}`;
}

export function buildReport(
  result: ExperimentResult,
  meta: { version: string; environment: Report["environment"] },
): Report {
  const { plan, timeline } = result;
  const exitCode = exitCodeOf(result);
  const outcome = outcomeOf(exitCode);
  const iso = (d: Date | undefined) => d?.toISOString();
  const report: Report = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: "fislat", version: meta.version },
    environment: meta.environment,
    targets: result.targets,
    scenario: { name: plan.scenario.name, hypothesis: plan.scenario.hypothesis },
    parameters: {
      delayMs: plan.fault.delayMs,
      jitterMs: plan.fault.jitterMs,
      injectionMs: plan.fault.durationMs,
      baselineMs: plan.baselineMs,
      recoveryMs: plan.recoveryMs,
      connectionTimeoutMs: plan.connectionTimeoutMs,
      readTimeoutMs: plan.readTimeoutMs,
      intervalMs: plan.intervalMs,
      healthFailureMs: plan.healthFailureMs,
    },
    startedAt: result.startedAt.toISOString(),
    endedAt: result.endedAt.toISOString(),
    outcome,
    exitCode,
    summary: summaryOf(result, outcome),
    fault: {
      startedAt: iso(result.fault.startedAt),
      endedAt: iso(result.fault.endedAt),
      endReason: result.fault.endReason,
      detail: result.fault.detail,
      removal: result.faultRemoval,
      removalError: result.removalError,
    },
    phases: timeline.phases,
    times: {
      timeToDetectMs: timeline.timeToDetectMs,
      timeToRecoverMs: timeline.timeToRecoverMs,
      timeToHealthyMs: timeline.timeToHealthyMs,
      timeToUnhealthyMs: timeline.timeToUnhealthyMs,
      unhealthyAfterFirstFailureMs: timeline.unhealthyAfterFirstFailureMs,
      degradationAfterFaultMs: timeline.degradationAfterFaultMs,
    },
    health: timeline.health.map((h) => ({ at: h.at.toISOString(), healthy: h.healthy, source: h.source })),
    assertions: result.verdict?.assertions ?? [],
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
  if (timeline.targetEvents)
    report.targetEvents = timeline.targetEvents.map((e: TargetEvent) => ({ ...e, at: e.at.toISOString() }));
  if (result.verdict?.prediction) report.prediction = result.verdict.prediction;
  if (result.verdict?.observedTimeoutFraction !== undefined) {
    report.observed = {
      timeoutFraction: result.verdict.observedTimeoutFraction,
      timeoutFraction95: result.verdict.observedTimeoutInterval,
    };
  }
  return report;
}
