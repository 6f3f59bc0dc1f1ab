// A threshold in words, the same in every format: its mark (PASS, FAIL, INCONCLUSIVE, or SEEN for
// a check no value can fail), its figure with unit, interval and resolution, and the caveat when
// the sample cannot support the bound. Evidence checks (can the run be judged) are kept apart from
// the hypothesis's thresholds.
import { type FigureKind, formatFigure, formatInterval, formatResolution } from "../engine/figures.js";
import { METRICS } from "../engine/metrics.js";
import type { Report, ThresholdReport } from "../engine/report.js";

export type Mark = "PASS" | "FAIL" | "INCONCLUSIVE" | "SEEN" | "NOT MET";

export function markOf(t: ThresholdReport): Mark {
  // An evidence check short of its bound does not fail the hypothesis: the run could not judge it.
  if (t.status === "failed" && t.role === "evidence") return "NOT MET";
  if (t.status === "failed") return "FAIL";
  if (t.status === "inconclusive") return "INCONCLUSIVE";
  return t.vacuous ? "SEEN" : "PASS";
}

/** A shape per mark, so a report without colour still tells them apart. */
export const MARK_SHAPE: Record<Mark, string> = {
  PASS: "✔",
  FAIL: "✖",
  INCONCLUSIVE: "▲",
  SEEN: "●",
  "NOT MET": "▲",
};

/** The figure's kind: from `unit`, or for a report written before it, from the metric and aggregation. */
export function kindOf(t: ThresholdReport): FigureKind {
  const unit = t.unit ?? unitOf(t);
  return unit === "rate" ? "rate" : unit === "count" ? "count" : "time";
}

function unitOf(t: ThresholdReport): ThresholdReport["unit"] {
  if (/^rate/.test(t.expression)) return "rate";
  if (/^count/.test(t.expression)) return "count";
  const kind = (METRICS as Record<string, { kind: string }>)[t.metric]?.kind;
  return kind === "count" ? "count" : "ms";
}

/** "100.0% (95% CI 91.0% to 100.0%)", "995.9 ms (± 1000 ms)", "did not occur". */
export function observedText(t: ThresholdReport): string {
  const v = formatFigure(kindOf(t), t.observed);
  if (t.observed === null) return v;
  const interval = t.interval ? ` (${formatInterval(t.interval)})` : "";
  const resolution = t.resolutionMs !== undefined ? ` (${formatResolution(t.resolutionMs)})` : "";
  return `${v}${interval}${resolution}`;
}

export function boundText(t: ThresholdReport): string {
  if (t.bound === null) return "unknown";
  if (Array.isArray(t.bound)) return `${formatFigure("rate", t.bound[0])} to ${formatFigure("rate", t.bound[1])}`;
  return formatFigure(kindOf(t), t.bound);
}

/** What a SEEN check says instead of a bound it could not miss. */
export const VACUOUS_NOTE = "any value holds: it only says this happened";

export function hypothesisChecks(report: Report): ThresholdReport[] {
  return report.thresholds.filter((t) => t.role !== "evidence");
}

export function evidenceChecks(report: Report): ThresholdReport[] {
  return report.thresholds.filter((t) => t.role === "evidence");
}

/**
 * The run's outcome in a sentence that does not repeat what the thresholds list shows: a failed
 * run counts its failed thresholds ("2 of 7 thresholds did not hold") instead of naming them again.
 */
export function outcomeSentence(report: Report, where: string): string {
  if (report.outcome !== "failed") return report.summary;
  const hypothesis = hypothesisChecks(report);
  const failed = hypothesis.filter((t) => t.status === "failed").length;
  return `the hypothesis failed: ${failed} of ${hypothesis.length} thresholds did not hold (${where})`;
}
