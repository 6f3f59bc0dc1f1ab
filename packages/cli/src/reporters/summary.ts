// The end-of-run summary for a person: a table per phase, the times that matter, each threshold
// with PASS/FAIL/INCONCLUSIVE, and a chart of round-trip time over the run with the injection window marked.

import asciichart from "asciichart";
import { findingsOf } from "../engine/evidence.js";
import { formatInterval, formatMs, formatRate, formatResolution } from "../engine/figures.js";
import type { Report, ThresholdReport } from "../engine/report.js";
import { PHASES } from "../engine/timeline.js";
import { chartColumns, fitTable } from "../render/layout.js";
import type { makeChalk } from "../render/style.js";
import { wrapProse } from "../render/wrap.js";
import { headline, tripNoun } from "./headline.js";
import { phaseHeaders, phaseRow } from "./phase-table.js";
import type { Reporter } from "./reporter.js";
import { evidenceChecks, hypothesisChecks, markOf, outcomeSentence, VACUOUS_NOTE } from "./threshold-text.js";

type Chalk = ReturnType<typeof makeChalk>;
const CHART_WIDTH = 64;

/** The loop's round trips as (start, ms); past the report's limit, each second's slowest. */
function chartPoints(report: Report): { at: number; ms: number }[] {
  if (report.records?.held === "aggregates")
    return PHASES.flatMap((p) => (report.perSecond?.[p] ?? []).map((s) => ({ at: Date.parse(s.at), ms: s.max }))).sort(
      (a, b) => a.at - b.at,
    );
  return report.roundTrips.filter((r) => r.src === "loop").map((r) => ({ at: Date.parse(r.ts), ms: r.rttMs }));
}

export function renderChart(report: Report, width = CHART_WIDTH): string {
  const trips = chartPoints(report);
  if (trips.length < 2) return "";
  const start = trips[0]?.at ?? 0;
  const span = Math.max(1, (trips.at(-1)?.at ?? 0) - start);
  const columns = Math.min(width, trips.length);
  const buckets: number[][] = Array.from({ length: columns }, () => []);
  for (const r of trips) {
    const i = Math.min(columns - 1, Math.floor(((r.at - start) / span) * columns));
    buckets[i]?.push(r.ms);
  }
  // Each column shows its slowest round trip; an empty column repeats its neighbour.
  let last = 0;
  const series = buckets.map((b) => {
    if (b.length > 0) last = b.reduce((a, v) => Math.max(a, v), Number.NEGATIVE_INFINITY);
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

/** The times that matter, each with how precisely the probe's schedule lets it be known. */
function timesLines(report: Report): string[] {
  const t = report.times;
  const trip = t.resolutionMs ? ` (${formatResolution(t.resolutionMs.roundTrip)})` : "";
  const poll = t.resolutionMs ? ` (${formatResolution(t.resolutionMs.health)})` : "";
  return [
    t.timeToDetectMs !== null && `detected ${formatMs(t.timeToDetectMs)}${trip} after the fault started`,
    t.timeToUnhealthyMs !== null &&
      `/health 503 ${formatMs(t.unhealthyAfterFirstFailureMs ?? t.timeToUnhealthyMs)}${poll} after the first failure`,
    t.timeToRecoverMs !== null && `recovered ${formatMs(t.timeToRecoverMs)}${trip} after the fault was removed`,
    t.timeToHealthyMs !== null && `/health 200 again ${formatMs(t.timeToHealthyMs)}${poll} after it`,
  ].filter((line): line is string => typeof line === "string");
}

/** The last line: what happened, without repeating the thresholds listed just above it. */
function closingLines(report: Report): string[] {
  const end = `(exit ${report.exitCode})`;
  const name = report.experiment.name;
  if (report.outcome === "failed") return [`${name}: ${outcomeSentence(report, "FAIL above")} ${end}`];
  if (report.outcome === "inconclusive" && report.reasons.length > 1) {
    return [
      `${name}: inconclusive, the experiment could not test the hypothesis ${end}:`,
      ...report.reasons.map((r) => `  - ${r}`),
    ];
  }
  return [`${name}: ${report.summary} ${end}`];
}

function checkLines(checks: ThresholdReport[], chalk: Chalk): string[] {
  const colour = {
    PASS: chalk.green("PASS"),
    SEEN: chalk.green("SEEN"),
    FAIL: chalk.red.bold("FAIL"),
    INCONCLUSIVE: chalk.yellow("INCONCLUSIVE"),
    "NOT MET": chalk.yellow("NOT MET"),
  };
  const out: string[] = [];
  for (const th of checks) {
    const mark = markOf(th);
    out.push(`${colour[mark]} ${th.id}: ${th.detail}${th.vacuous ? `; ${VACUOUS_NOTE}` : ""}`);
    if (th.caveat) out.push(`     ${chalk.yellow("!")} ${th.caveat}`);
  }
  return out;
}

function render(report: Report, chalk: Chalk, width = Number.POSITIVE_INFINITY): string {
  const out: string[] = [];
  out.push(
    fitTable(
      phaseHeaders(report),
      PHASES.map((phase) => phaseRow(phase, report)),
      width,
    ),
  );
  out.push(...timesLines(report));
  // The progress showed these as set aside; the table counts them in no phase.
  const aside = report.lines.straddlingFault;
  if (aside > 0)
    out.push(
      `${aside} ${tripNoun(report, aside === 1)} straddled the fault's start or end and ${aside === 1 ? "is" : "are"} counted in no phase`,
    );
  if (report.prediction) {
    const observed = report.observed.timeoutFraction;
    const interval = report.observed.timeoutFraction95;
    out.push(
      `predicted timeouts under the fault: ${formatRate(report.prediction.timeoutFraction)}` +
        (observed === null ? "" : `; observed ${formatRate(observed)}`) +
        (observed !== null && interval ? ` (${formatInterval(interval)})` : ""),
    );
  }
  // A local run says how faithful its stand-in for the AWS fault is (the fault kind's own note).
  if (report.parameters.fault.fidelity) out.push(`local twin: ${report.parameters.fault.fidelity}`);
  const chart = renderChart(report, chartColumns(width, CHART_WIDTH));
  if (chart) out.push("", chart);
  const evidence = evidenceChecks(report);
  if (evidence.length > 0) out.push("", "could the run be judged (evidence checks):", ...checkLines(evidence, chalk));
  const hypothesis = hypothesisChecks(report);
  if (hypothesis.length > 0) out.push("", "the hypothesis's thresholds:", ...checkLines(hypothesis, chalk));
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
  const sentence = headline(report);
  out.push("", `${sentence ? `${sentence}: ` : ""}${verdict}`);
  out.push(...closingLines(report));
  return wrapProse(out.join("\n"), width);
}

/** `width`: the terminal's columns; narrower terminals get the phase table on its side. */
export const renderSummary = render;

export const summary: Reporter = {
  description: "the end-of-run summary for a person (stdout)",
  render: (report, { chalk, width }) => render(report, chalk, width),
};
