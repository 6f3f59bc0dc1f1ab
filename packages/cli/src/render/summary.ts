// The end-of-run summary for a person: a table per phase, the times that matter, each assertion
// with PASS/FAIL, and a chart of round-trip time over the run with the injection window marked.
import asciichart from "asciichart";
import { formatDuration } from "../durations.js";
import type { Report } from "../engine/report.js";
import { PHASES } from "../engine/timeline.js";
import { headline } from "./headline.js";
import { chartColumns, fitTable, wrapProse } from "./layout.js";
import { PHASE_HEADERS, phaseRow } from "./report-files.js";
import type { makeChalk } from "./style.js";

type Chalk = ReturnType<typeof makeChalk>;
const CHART_WIDTH = 64;

export function renderChart(report: Report, width = CHART_WIDTH): string {
  const trips = report.roundTrips.filter((r) => r.src === "loop");
  if (trips.length < 2) return "";
  const start = Date.parse(trips[0]?.ts ?? "");
  const span = Math.max(1, Date.parse(trips.at(-1)?.ts ?? "") - start);
  const columns = Math.min(width, trips.length);
  const buckets: number[][] = Array.from({ length: columns }, () => []);
  for (const r of trips) {
    const i = Math.min(columns - 1, Math.floor(((Date.parse(r.ts) - start) / span) * columns));
    buckets[i]?.push(r.rttMs);
  }
  // Each column shows its slowest round trip; an empty column repeats its neighbour.
  let last = 0;
  const series = buckets.map((b) => {
    if (b.length > 0) last = Math.max(...b);
    return last;
  });
  const chart = asciichart.plot(series, { height: 8, format: (x: number) => `${x.toFixed(0).padStart(6)} ms` });
  const firstLine = chart.split("\n")[0] ?? "";
  const axis = Math.max(firstLine.indexOf("┤"), firstLine.indexOf("┼"));
  const faultStart = report.fault.startedAt ? Date.parse(report.fault.startedAt) : undefined;
  const faultEnd = report.fault.endedAt ? Date.parse(report.fault.endedAt) : Date.parse(report.endedAt);
  const marks = series.map((_, i) => {
    const t = start + ((i + 0.5) / columns) * span;
    return faultStart !== undefined && t >= faultStart && t < faultEnd ? "▀" : " ";
  });
  return `${chart}\n${" ".repeat(axis + 1)}${marks.join("")}\n${" ".repeat(axis + 1)}▀ = fault injected`;
}

/** `width`: the terminal's columns; narrower terminals get the phase table on its side. */
export function renderSummary(report: Report, chalk: Chalk, width = Number.POSITIVE_INFINITY): string {
  const out: string[] = [];
  out.push(
    fitTable(
      PHASE_HEADERS,
      PHASES.map((phase) => phaseRow(phase, report)),
      width,
    ),
  );

  const t = report.times;
  const times = [
    t.timeToDetectMs !== undefined && `detected ${formatDuration(t.timeToDetectMs)} after the fault started`,
    t.timeToUnhealthyMs !== undefined &&
      `/health 503 ${formatDuration(t.unhealthyAfterFirstFailureMs ?? t.timeToUnhealthyMs)} after the first failure`,
    t.timeToRecoverMs !== undefined && `recovered ${formatDuration(t.timeToRecoverMs)} after the fault was removed`,
    t.timeToHealthyMs !== undefined && `/health 200 again ${formatDuration(t.timeToHealthyMs)} after`,
  ].filter(Boolean);
  if (times.length > 0) out.push(times.join("; "));
  if (report.prediction) {
    const observed = report.observed?.timeoutFraction;
    out.push(
      `predicted timeouts under the fault: ${(report.prediction.timeoutFraction * 100).toFixed(1)}%` +
        (observed === undefined ? "" : `; observed ${(observed * 100).toFixed(1)}%`),
    );
  }
  const chart = renderChart(report, chartColumns(width, CHART_WIDTH));
  if (chart) out.push("", chart);
  if (report.assertions.length > 0) {
    out.push("");
    for (const a of report.assertions) {
      const mark = a.passed ? chalk.green("PASS") : chalk.red.bold("FAIL");
      out.push(`${mark} ${a.title}: ${a.observed}${a.passed ? "" : ` (expected ${a.expected})`}`);
    }
  }
  const verdict =
    report.outcome === "passed"
      ? chalk.green.bold("PASS")
      : report.outcome === "failed"
        ? chalk.red.bold("FAIL")
        : chalk.yellow.bold(report.outcome.toUpperCase());
  const sentence = headline(report);
  out.push("", `${sentence ? `${sentence}: ` : ""}${verdict}`);
  out.push(`${report.scenario.name}: ${report.summary} (exit ${report.exitCode})`);
  return wrapProse(out.join("\n"), width);
}
