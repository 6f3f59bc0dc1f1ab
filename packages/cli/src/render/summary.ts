// The end-of-run summary for a person: a table per phase, the times that matter, each threshold
// with PASS/FAIL/INCONCLUSIVE, and a chart of round-trip time over the run with the injection window marked.

import asciichart from "asciichart";
import { formatDuration } from "../durations.js";
import { findingsOf } from "../engine/evidence.js";
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
  // No fault ever started (interrupted before it): no band, and no legend for one.
  if (faultStart === undefined) return chart;
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
    t.timeToDetectMs !== null && `detected ${formatDuration(t.timeToDetectMs)} after the fault started`,
    t.timeToUnhealthyMs !== null &&
      `/health 503 ${formatDuration(t.unhealthyAfterFirstFailureMs ?? t.timeToUnhealthyMs)} after the first failure`,
    t.timeToRecoverMs !== null && `recovered ${formatDuration(t.timeToRecoverMs)} after the fault was removed`,
    t.timeToHealthyMs !== null && `/health 200 again ${formatDuration(t.timeToHealthyMs)} after`,
  ].filter(Boolean);
  if (times.length > 0) out.push(times.join("; "));
  if (report.prediction) {
    const observed = report.observed.timeoutFraction;
    out.push(
      `predicted timeouts under the fault: ${(report.prediction.timeoutFraction * 100).toFixed(1)}%` +
        (observed === null ? "" : `; observed ${(observed * 100).toFixed(1)}%`),
    );
  }
  // A local run says how faithful its stand-in for the AWS fault is (the fault kind's own note).
  if (report.parameters.fault.fidelity) out.push(`local twin: ${report.parameters.fault.fidelity}`);
  const chart = renderChart(report, chartColumns(width, CHART_WIDTH));
  if (chart) out.push("", chart);
  if (report.thresholds.length > 0) {
    out.push("");
    const mark = {
      passed: chalk.green("PASS"),
      failed: chalk.red.bold("FAIL"),
      inconclusive: chalk.yellow("INCONCLUSIVE"),
    };
    for (const th of report.thresholds) {
      out.push(`${mark[th.status]} ${th.id}: ${th.detail}`);
    }
  }
  const events = report.targetEvents ?? [];
  if (events.length > 0) {
    out.push("", "target events:");
    for (const e of events.slice(0, 10)) out.push(`  ${e.at} ${e.task} ${e.kind}: ${e.detail}`);
    if (events.length > 10) out.push(`  … ${events.length - 10} more in the JSON report`);
  }
  // The evidence's findings (AWS): lines lost or late, clock skew, when the fault took effect.
  const findings = findingsOf(report.evidence);
  if (findings.length > 0) {
    out.push("", "evidence:");
    for (const f of findings.slice(0, 10)) out.push(`  ${f}`);
    if (findings.length > 10) out.push(`  … ${findings.length - 10} more in the JSON report`);
  }
  const labels = Object.entries(report.labels);
  if (labels.length > 0) out.push(`labels: ${labels.map(([k, v]) => `${k}=${v}`).join(", ")}`);
  const verdict =
    report.outcome === "passed"
      ? chalk.green.bold("PASS")
      : report.outcome === "failed"
        ? chalk.red.bold("FAIL")
        : chalk.yellow.bold(report.outcome.toUpperCase());
  const why = report.outcome === "passed" ? [] : report.reasons.map((r) => `  - ${r}`);
  const sentence = headline(report);
  out.push("", `${sentence ? `${sentence}: ` : ""}${verdict}`);
  out.push(`${report.experiment.name}: ${report.summary} (exit ${report.exitCode})`);
  if (why.length > 1) out.push(...why);
  return wrapProse(out.join("\n"), width);
}
