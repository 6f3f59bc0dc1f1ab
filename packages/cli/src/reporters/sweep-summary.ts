// The sweep for a person: a row per level run (level, outcome, round trips, failed share, p50/p90/
// p99 under the fault), the curve against the level (latency percentiles, then the failed share),
// the predicted break next to the observed one, and the verdict with its uncertainty.
import asciichart from "asciichart";
import { formatDuration } from "../durations.js";
import { formatRate, msCell } from "../engine/figures.js";
import { formatLevel as levelText } from "../engine/sweep-levels.js";
import type { SweepPlan } from "../engine/sweep-plan.js";
import type { SweepLevelReport, SweepReport } from "../engine/sweep-report.js";
import { chartColumns, fitTable } from "../render/layout.js";
import type { makeChalk } from "../render/style.js";
import { wrapProse } from "../render/wrap.js";

type Chalk = ReturnType<typeof makeChalk>;

export const SWEEP_HEADERS = ["level", "run", "outcome", "round trips", "failed", "p50 ms", "p90 ms", "p99 ms"];

/** A level in the report's unit: "400 ms", "20%", "0.05". */
export function formatLevel(report: Pick<SweepReport, "fault">, level: number): string {
  return levelText(report.fault.unit, level);
}

/** Under the fault: the injection phase's figures, or dashes for a level that never ran. */
export function injectionFigures(entry: SweepLevelReport) {
  const p = entry.report?.phases.injection;
  const failed = p && p.count > 0 ? (p.count - p.successes) / p.count : undefined;
  return { count: p?.count, failed, p50: p?.latency?.p50, p90: p?.latency?.p90, p99: p?.latency?.p99 };
}

export function sweepRow(report: SweepReport, entry: SweepLevelReport): string[] {
  const f = injectionFigures(entry);
  return [
    formatLevel(report, entry.level),
    entry.attempt === 2 ? "re-run" : entry.purpose,
    entry.outcome,
    f.count === undefined ? "–" : String(f.count),
    f.failed === undefined ? "–" : formatRate(f.failed),
    msCell(f.p50),
    msCell(f.p90),
    msCell(f.p99),
  ];
}

/** Levels in ascending order, each run's row (a re-run after its first run). */
export function sortedLevels(report: SweepReport): SweepLevelReport[] {
  return [...report.levels].sort((a, b) => a.level - b.level || a.attempt - b.attempt);
}

/** One value per column: each level's point, straight lines between them, over an even level axis. */
function resample(points: [number, number][], columns: number): number[] {
  const first = points[0] as [number, number];
  const last = points.at(-1) as [number, number];
  const span = last[0] - first[0];
  return Array.from({ length: columns }, (_, i) => {
    const x = first[0] + (span * i) / Math.max(1, columns - 1);
    const right = points.findIndex(([px]) => px >= x);
    if (right <= 0) return (points[Math.max(0, right)] as [number, number])[1];
    const [x0, y0] = points[right - 1] as [number, number];
    const [x1, y1] = points[right] as [number, number];
    return x1 === x0 ? y1 : y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
  });
}

/** The curve: p50/p90/p99 under the fault, then the failed share, against the level. */
export function renderCurve(report: SweepReport, width = 64, colour = false): string {
  const byLevel = new Map<number, ReturnType<typeof injectionFigures>>();
  for (const entry of sortedLevels(report)) {
    const f = injectionFigures(entry);
    if (f.count !== undefined && f.count > 0) byLevel.set(entry.level, f);
  }
  const levels = [...byLevel.keys()];
  if (levels.length < 2) return "";
  const columns = Math.max(10, width);
  const series = (pick: (f: ReturnType<typeof injectionFigures>) => number | undefined) =>
    resample(
      levels.map((l) => [l, pick(byLevel.get(l) as ReturnType<typeof injectionFigures>) ?? 0]),
      columns,
    );
  const latency = asciichart.plot([series((f) => f.p50), series((f) => f.p90), series((f) => f.p99)], {
    height: 8,
    ...(colour ? { colors: [asciichart.blue, asciichart.yellow, asciichart.red] } : {}),
    format: (x: number) => `${x.toFixed(0).padStart(6)} ms`,
  });
  const failed = asciichart.plot(
    series((f) => (f.failed ?? 0) * 100),
    {
      height: 4,
      min: 0,
      max: 100,
      // As wide as the latency chart's labels, so both charts share one x axis.
      format: (x: number) => `${x.toFixed(0).padStart(8)}%`,
    },
  );
  const firstLine = latency.split("\n")[0] ?? "";
  const axis = Math.max(firstLine.indexOf("┤"), firstLine.indexOf("┼")) + 1;
  const lo = levels[0] as number;
  const hi = levels.at(-1) as number;
  // Each level's column marked under the chart, its value at the ends, the break where it is.
  const marks = Array.from({ length: columns }, () => " ");
  const column = (l: number) => Math.round(((l - lo) / (hi - lo)) * (columns - 1));
  for (const l of levels) marks[column(l)] = "┴";
  const broke = report.breakPoint.broke;
  if (broke !== null && broke >= lo && broke <= hi) marks[column(broke)] = "▲";
  const left = formatLevel(report, lo);
  const right = formatLevel(report, hi);
  const labels = `${left}${" ".repeat(Math.max(1, columns - left.length - right.length))}${right}`;
  const names = colour
    ? `${asciichart.blue}p50${asciichart.reset}, ${asciichart.yellow}p90${asciichart.reset}, ${asciichart.red}p99${asciichart.reset}`
    : "p50, p90, p99";
  const legend = `${names} under the fault and the failed share, against ${report.fault.field}${broke !== null ? `; ▲ breaks at ${formatLevel(report, broke)}` : ""}`;
  return [
    latency,
    failed,
    `${" ".repeat(axis)}${marks.join("")}`,
    `${" ".repeat(axis)}${labels}`,
    `${" ".repeat(axis)}${legend}`,
  ].join("\n");
}

export function predictionText(report: SweepReport): string | undefined {
  const p = report.predicted;
  const { held, broke } = report.breakPoint;
  const observed =
    broke === null
      ? "none observed"
      : held === null
        ? `observed at or below ${formatLevel(report, broke)}`
        : `observed above ${formatLevel(report, held)} and at or below ${formatLevel(report, broke)}`;
  if (!p) return undefined;
  const range =
    p.range[0] === p.range[1]
      ? ""
      : ` (${formatLevel(report, p.range[0])} to ${formatLevel(report, p.range[1])} over the baseline's spread)`;
  return `predicted break: ${formatLevel(report, p.level)}${range} for ${p.threshold}; ${observed}`;
}

export function gateText(report: SweepReport): string | undefined {
  if (!report.gate) return undefined;
  const at = formatLevel(report, report.gate.at);
  const answer = {
    holds: `holds at ${at}`,
    breaks: `breaks at or below ${at}`,
    unknown: `cannot tell whether it holds at ${at}`,
  }[report.gate.answer];
  return `--expect-holds-at ${at}: ${answer}`;
}

export function renderSweepSummary(report: SweepReport, chalk: Chalk, width = Number.POSITIVE_INFINITY): string {
  const out: string[] = [];
  out.push(
    fitTable(
      SWEEP_HEADERS,
      sortedLevels(report).map((e) => sweepRow(report, e)),
      width,
    ),
  );
  const curve = renderCurve(report, chartColumns(width, 64), chalk.level > 0);
  if (curve) out.push("", curve);
  out.push("");
  const prediction = predictionText(report);
  if (prediction) out.push(prediction);
  for (const note of report.notes) out.push(`note: ${note}`);
  const gate = gateText(report);
  if (gate) out.push(gate);
  const colour =
    report.breakPoint.broke === null
      ? chalk.green.bold
      : report.breakPoint.held === null
        ? chalk.red.bold
        : chalk.yellow.bold;
  out.push("", `${report.experiment.name}, ${report.fault.field} swept: ${colour(report.verdict)}`);
  const runs = report.levels.length;
  const took = formatDuration(Date.parse(report.endedAt) - Date.parse(report.startedAt));
  const ended =
    report.end === "completed"
      ? "sweep completed"
      : `sweep ${report.end}${report.interrupted ? ` (${report.interrupted.reason})` : ""}`;
  out.push(`${ended}: ${runs} level run${runs === 1 ? "" : "s"} in ${took} (exit ${report.exitCode})`);
  return wrapProse(out.join("\n"), width);
}

/** What the sweep says before it starts: how many levels at most, and how long that takes. */
export function costText(plan: SweepPlan): string {
  const { listed, bisection } = plan.maxRuns;
  const { phases } = plan.request;
  const each = plan.settings.levelMs;
  const most = (listed + bisection) * each;
  const levels = plan.settings.levels.map(plan.format).join(", ");
  return [
    `sweep of ${plan.field} (${plan.flag}): ${levels}${plan.addedForGate !== undefined ? ` (${plan.format(plan.addedForGate)} added for --expect-holds-at)` : ""}`,
    `${listed} level(s)${bisection > 0 ? ` + up to ${bisection} for the bisection` : ""}, each ${formatDuration(each)} (baseline ${formatDuration(phases.baselineMs)}, fault ${formatDuration(phases.injectionMs)}, recovery ${formatDuration(phases.recoveryMs)}) plus start-up: at most ${formatDuration(most)}, ${formatDuration(2 * most)} if every level were inconclusive and re-run`,
    ...(plan.settings.maxDurationMs !== undefined
      ? [`--max-duration ${formatDuration(plan.settings.maxDurationMs)}: no level starts that could not end by then`]
      : []),
  ].join("\n");
}
