// `fislat sweep`'s formats, one table as for a run's reports (index.ts) and a comparison's
// (comparison.ts): the terminal summary (table, curve, verdict), JSON (everything, each level's
// run report included), JUnit (a test case per level run: failed, skipped when inconclusive, error
// when it could not run), Markdown (for a CI job's summary page) and one HTML page (sweep-html.ts).
import type { SweepReport } from "../engine/sweep-report.js";
import { writeFileAtomic } from "../render/atomic-write.js";
import { escapeHtml } from "./html-escape.js";
import type { FileFormat, WrittenReports } from "./index.js";
import type { ReporterContext } from "./reporter.js";
import { toSweepHtml } from "./sweep-html.js";
import {
  gateText,
  predictionText,
  renderSweepSummary,
  SWEEP_HEADERS,
  sortedLevels,
  sweepRow,
} from "./sweep-summary.js";

export interface SweepReporter {
  /** The option that writes it to a file, as for a run; none for the terminal summary. */
  file?: { flag: `--${FileFormat}` };
  render(report: SweepReport, context: ReporterContext): string;
}

export function toSweepJson(report: SweepReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

const xml = escapeHtml;

export function toSweepJunit(report: SweepReport): string {
  const suite = `fislat sweep ${report.environment} ${report.experiment.name}`;
  const seconds = (Date.parse(report.endedAt) - Date.parse(report.startedAt)) / 1000;
  const cases = sortedLevels(report).map((entry) => {
    const row = sweepRow(report, entry);
    const name = `${report.fault.field} ${row[0]}${entry.attempt === 2 ? " (re-run)" : entry.purpose === "bisection" ? " (bisection)" : ""}`;
    const failed = (entry.report?.thresholds ?? []).filter((t) => t.role === "hypothesis" && t.status === "failed");
    const why = entry.report?.summary ?? entry.error ?? entry.outcome;
    const body =
      entry.outcome === "passed"
        ? ""
        : entry.outcome === "failed"
          ? `\n      <failure message="${xml(failed.map((t) => t.id).join("; ") || why)}" type="HypothesisFailed">${xml(why)}</failure>\n    `
          : entry.outcome === "inconclusive"
            ? `\n      <skipped message="${xml(`inconclusive: ${why}`)}"/>\n    `
            : `\n      <error message="${xml(why)}" type="${entry.outcome}">${xml(why)}</error>\n    `;
    return `    <testcase classname="${xml(suite)}" name="${xml(name)}" time="${(entry.elapsedMs / 1000).toFixed(3)}">${body}</testcase>`;
  });
  const count = (o: string) => report.levels.filter((l) => l.outcome === o).length;
  const failures = count("failed");
  const skipped = count("inconclusive");
  const errors = count("interrupted") + count("error");
  const props = [
    ["verdict", report.verdict],
    ["breakPoint.held", String(report.breakPoint.held)],
    ["breakPoint.broke", String(report.breakPoint.broke)],
    ...Object.entries(report.labels),
  ]
    .map(([k, v]) => `      <property name="${xml(k ?? "")}" value="${xml(v ?? "")}"/>`)
    .join("\n");
  const attrs = `tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${seconds.toFixed(3)}"`;
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="fislat" ${attrs}>
  <testsuite name="${xml(suite)}" ${attrs} timestamp="${report.startedAt}">
    <properties>
${props}
    </properties>
${cases.join("\n")}
  </testsuite>
</testsuites>
`;
}

const md = (s: string) => s.replace(/\|/g, "\\|");

export function toSweepMarkdown(report: SweepReport): string {
  const icon = report.end !== "completed" ? "⚠️" : report.breakPoint.broke === null ? "✅" : "📉";
  const prediction = predictionText(report);
  const gate = gateText(report);
  return [
    `## ${icon} fislat sweep ${md(report.experiment.name)} (${report.environment}): ${md(report.fault.field)}`,
    "",
    `**${md(report.verdict)}**`,
    "",
    `Hypothesis: ${md(report.experiment.description)}. Sweep ${report.end}; exit ${report.exitCode}.`,
    ...(prediction ? ["", md(prediction)] : []),
    ...(gate ? ["", md(gate)] : []),
    "",
    `| ${SWEEP_HEADERS.join(" | ")} |`,
    `|${SWEEP_HEADERS.map(() => "---").join("|")}|`,
    ...sortedLevels(report).map((e) => `| ${sweepRow(report, e).map(md).join(" | ")} |`),
    "",
    ...(report.notes.length > 0 ? [...report.notes.map((n) => `- ${md(n)}`), ""] : []),
  ].join("\n");
}

const summary: SweepReporter = { render: (report, { chalk, width }) => renderSweepSummary(report, chalk, width) };
const json: SweepReporter = { file: { flag: "--json" }, render: toSweepJson };
const junit: SweepReporter = { file: { flag: "--junit" }, render: toSweepJunit };
const markdown: SweepReporter = { file: { flag: "--markdown" }, render: toSweepMarkdown };
const html: SweepReporter = { file: { flag: "--html" }, render: toSweepHtml };

export const SWEEP_REPORTERS = { summary, json, junit, markdown, html } satisfies Record<string, SweepReporter>;

/** Writes every report it can (no colour, no wrapping): one that fails does not stop the others. */
export async function writeSweepReports(
  report: SweepReport,
  files: Partial<Record<FileFormat, string>>,
  context: ReporterContext,
): Promise<WrittenReports> {
  const out: WrittenReports = { written: [], failed: [] };
  for (const format of Object.keys(SWEEP_REPORTERS) as (keyof typeof SWEEP_REPORTERS)[]) {
    const file = format === "summary" ? undefined : files[format];
    if (!file) continue;
    try {
      await writeFileAtomic(file, SWEEP_REPORTERS[format].render(report, context));
      out.written.push(file);
    } catch (error) {
      out.failed.push({ file, error: (error as NodeJS.ErrnoException).code ?? (error as Error).message });
    }
  }
  return out;
}
