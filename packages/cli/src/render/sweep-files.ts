// The sweep's report files: JSON (everything, each level's run report included), JUnit (a test
// case per level run: failed, skipped when inconclusive, error when it could not run) and Markdown
// (verdict, levels, prediction, for a CI job's summary page), HTML (sweep-html.ts). Written whole or not at all.
import type { SweepReport } from "../engine/sweep-report.js";
import { writeFileAtomic } from "./atomic-write.js";
import type { WrittenReports } from "./report-files.js";
import { toSweepHtml } from "./sweep-html.js";
import { gateText, predictionText, SWEEP_HEADERS, sortedLevels, sweepRow } from "./sweep-summary.js";

export function toSweepJson(report: SweepReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

const xml = (s: string) =>
  s.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c] as string);

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

/** Writes every report it can: one that fails does not stop the others. */
export async function writeSweepReports(
  report: SweepReport,
  files: { json?: string; junit?: string; markdown?: string; html?: string },
): Promise<WrittenReports> {
  const out: WrittenReports = { written: [], failed: [] };
  const jobs: [string | undefined, () => string][] = [
    [files.json, () => toSweepJson(report)],
    [files.junit, () => toSweepJunit(report)],
    [files.markdown, () => toSweepMarkdown(report)],
    [files.html, () => toSweepHtml(report)],
  ];
  for (const [file, render] of jobs) {
    if (!file) continue;
    try {
      await writeFileAtomic(file, render());
      out.written.push(file);
    } catch (error) {
      out.failed.push({ file, error: (error as NodeJS.ErrnoException).code ?? (error as Error).message });
    }
  }
  return out;
}
