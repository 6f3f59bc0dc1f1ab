// The sweep's report: one plain object, the source of the JSON, JUnit and Markdown files and of
// the terminal summary. Each level run keeps its own full run report; the break point is in the
// swept field's unit; the verdict is one sentence with its uncertainty (the bisection's precision,
// and the 95% interval of the rates that decided it). schemas/sweep-report.schema.json publishes it.
import type { ExitCode } from "../errors.js";
import type { SweepableField } from "./fault.js";
import { formatFigure, formatInterval } from "./figures.js";
import type { RunTarget } from "./plan.js";
import type { Report, ThresholdReport } from "./report.js";
import type { BreakPoint, Gate, LevelOutcome, LevelPurpose, SweepEnd, SweepResult } from "./sweep.js";
import type { SweepPlan } from "./sweep-plan.js";
import type { PredictedBreak } from "./sweep-predict.js";

export const SWEEP_SCHEMA_VERSION = 1;

export interface SweepLevelReport {
  level: number;
  purpose: LevelPurpose;
  attempt: 1 | 2;
  outcome: LevelOutcome;
  elapsedMs: number;
  /** The level's own run report; null when the level could not start (interrupted, environment error). */
  report: Report | null;
  error?: string;
}

export interface SweepReport {
  schemaVersion: typeof SWEEP_SCHEMA_VERSION;
  kind: "sweep";
  tool: { name: "fislat"; version: string };
  experiment: { name: string; description: string; source: string };
  /** Where the levels ran: the request's target kind (local, local-app, aws, aws-service). */
  environment: RunTarget["kind"];
  labels: Record<string, string>;
  /** The swept field, its flag and the unit of every level in this report. */
  fault: { kind: string; field: string; flag: string; unit: SweepableField["unit"] };
  settings: {
    levels: number[];
    bisect: number | null;
    allLevels: boolean;
    expectHoldsAt: number | null;
    maxDurationMs: number | null;
    levelMs: number;
  };
  /** Said before the start: the most levels and the longest it can take, re-runs aside. */
  plannedMax: { levels: number; durationMs: number };
  startedAt: string;
  endedAt: string;
  end: SweepEnd;
  interrupted?: { reason: string };
  levels: SweepLevelReport[];
  breakPoint: BreakPoint;
  /** The thresholds that did not hold at `breakPoint.broke`, with their figures. */
  breaking: ThresholdReport[];
  predicted: PredictedBreak | null;
  gate: { at: number; answer: Gate } | null;
  verdict: string;
  skipped: number[];
  notes: string[];
  exitCode: ExitCode;
}

export interface LevelRecord {
  report?: Report;
  error?: string;
}

/** A threshold's figure with its statistics, in the shared figures' words: "38.0%, 95% CI 25.1% to 52.3%". */
export function figureText(t: ThresholdReport): string {
  const unit = t.unit ?? (/^\s*(rate|count)/.exec(t.expression)?.[1] as ThresholdReport["unit"]);
  const kind = unit === "rate" ? "rate" : unit === "count" ? "count" : "time";
  const value = formatFigure(kind, t.observed);
  return t.observed !== null && t.interval ? `${value}, ${formatInterval(t.interval)}` : value;
}

const judgedReport = (levels: SweepLevelReport[], level: number | null) =>
  level === null ? undefined : (levels.filter((l) => l.level === level && l.report).at(-1)?.report ?? undefined);

/** The hypothesis thresholds that decided a level: failed ones at the break. */
const failedAt = (report: Report | undefined) =>
  (report?.thresholds ?? []).filter((t) => t.role === "hypothesis" && t.status === "failed");

/**
 * "holds up to 400 ms; breaks at 450 ms (injection.failed: rate<0.05 observed 38.0%, 95% CI
 * 25.1% to 52.3%); the break lies above 400 ms and at or below 450 ms (±25 ms)".
 */
export function verdictOf(
  breakPoint: BreakPoint,
  levels: SweepLevelReport[],
  format: (level: number) => string,
  end: SweepEnd,
): string {
  const { held, broke } = breakPoint;
  const breaking = failedAt(judgedReport(levels, broke));
  const why = breaking.map((t) => `${t.id} observed ${figureText(t)}`).join("; ");
  // At the level that held, the same thresholds' figures: how close to the bound it held.
  const heldReport = judgedReport(levels, held);
  const margin = (heldReport?.thresholds ?? [])
    .filter((t) => breaking.some((b) => b.id === t.id))
    .map((t) => `${t.id.split(":")[0]} ${figureText(t)}`)
    .join("; ");
  const stopped = end === "interrupted" ? " (interrupted: levels not run may change it)" : "";
  if (held !== null && broke !== null) {
    return `holds up to ${format(held)}${margin ? ` (${margin})` : ""}; breaks at ${format(broke)}${why ? ` (${why})` : ""}; the break lies above ${format(held)} and at or below ${format(broke)} (±${format((broke - held) / 2)})${stopped}`;
  }
  if (broke !== null) {
    return `breaks at ${format(broke)} already, the lowest level judged${why ? ` (${why})` : ""}: sweep lower levels to find where it holds${stopped}`;
  }
  if (held !== null) {
    return `holds up to ${format(held)}${margin ? ` (${margin})` : ""}, the highest level judged: no break found${stopped}`;
  }
  return `no level could be judged, so there is no break point${stopped}`;
}

export function buildSweepReport(input: {
  plan: SweepPlan;
  result: SweepResult<LevelRecord>;
  version: string;
  startedAt: Date;
  endedAt: Date;
  predicted: PredictedBreak | null;
  gate: Gate | undefined;
  exitCode: ExitCode;
  interrupted?: string;
}): SweepReport {
  const { plan, result } = input;
  const { request, settings, sweepable } = plan;
  const levels: SweepLevelReport[] = result.runs.map((r) => {
    const entry: SweepLevelReport = {
      level: r.level,
      purpose: r.purpose,
      attempt: r.attempt,
      outcome: r.outcome,
      elapsedMs: Math.round(r.elapsedMs),
      report: r.result.report ?? null,
    };
    if (r.result.error !== undefined) entry.error = r.result.error;
    return entry;
  });
  const plannedLevels = plan.maxRuns.listed + plan.maxRuns.bisection;
  const report: SweepReport = {
    schemaVersion: SWEEP_SCHEMA_VERSION,
    kind: "sweep",
    tool: { name: "fislat", version: input.version },
    experiment: { name: request.name, description: request.description, source: request.source },
    environment: request.target.kind,
    labels: request.labels,
    fault: { kind: request.fault.kind, field: plan.field, flag: plan.flag, unit: sweepable.unit },
    settings: {
      levels: settings.levels,
      bisect: settings.bisect ?? null,
      allLevels: settings.allLevels,
      expectHoldsAt: plan.expectHoldsAt ?? null,
      maxDurationMs: settings.maxDurationMs ?? null,
      levelMs: settings.levelMs,
    },
    plannedMax: { levels: plannedLevels, durationMs: plannedLevels * settings.levelMs },
    startedAt: input.startedAt.toISOString(),
    endedAt: input.endedAt.toISOString(),
    end: result.end,
    levels,
    breakPoint: result.breakPoint,
    breaking: failedAt(judgedReport(levels, result.breakPoint.broke)),
    predicted: input.predicted,
    gate:
      plan.expectHoldsAt === undefined || input.gate === undefined
        ? null
        : { at: plan.expectHoldsAt, answer: input.gate },
    verdict: verdictOf(result.breakPoint, levels, plan.format, result.end),
    skipped: result.skipped,
    notes: result.notes,
    exitCode: input.exitCode,
  };
  if (input.interrupted !== undefined) report.interrupted = { reason: input.interrupted };
  return report;
}
