// The per-phase table every format shows: round trips, outcomes and latency percentiles, the cells
// formatted by engine/figures.ts so the table, the Markdown and the HTML show the JSON's digits.
import { msCell } from "../engine/figures.js";
import type { Report } from "../engine/report.js";
import type { PhaseName } from "../engine/timeline.js";

export const PHASE_HEADERS = [
  "phase",
  "round trips",
  "ok",
  "timeouts",
  "errors",
  "p50 ms",
  "p90 ms",
  "p99 ms",
  "max ms",
  "median shift ms",
];

/** The table's headers for this report: a run against the user's app counts its requests. */
export function phaseHeaders(report: Report): string[] {
  return report.environment.app ? PHASE_HEADERS.map((h) => (h === "round trips" ? "requests" : h)) : PHASE_HEADERS;
}

export function phaseRow(name: PhaseName, report: Report): string[] {
  const p = report.phases[name];
  const otherErrors = Object.values(p.errors).reduce((a, b) => a + (b ?? 0), 0);
  return [
    name,
    String(p.count),
    String(p.successes),
    String(p.timeouts),
    String(otherErrors),
    msCell(p.latency?.p50),
    msCell(p.latency?.p90),
    msCell(p.latency?.p99),
    msCell(p.latency?.max),
    p.medianShiftMs === undefined || name === "baseline"
      ? "–"
      : `${p.medianShiftMs >= 0 ? "+" : ""}${msCell(p.medianShiftMs)}`,
  ];
}
