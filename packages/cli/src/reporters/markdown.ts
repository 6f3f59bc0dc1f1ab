// Markdown for a CI job's summary page: the verdict, the phase table, the hypothesis's thresholds
// and, apart from them, the evidence checks that decide whether the run could be judged.
import { findingsOf } from "../engine/evidence.js";
import type { Report, ThresholdReport } from "../engine/report.js";
import { PHASES } from "../engine/timeline.js";
import { headline } from "./headline.js";
import { phaseHeaders, phaseRow } from "./phase-table.js";
import type { Reporter } from "./reporter.js";
import {
  evidenceChecks,
  hypothesisChecks,
  MARK_SHAPE,
  markOf,
  observedText,
  outcomeSentence,
  VACUOUS_NOTE,
} from "./threshold-text.js";

const md = (s: string) => s.replace(/\|/g, "\\|");

function thresholdRows(checks: ThresholdReport[]): string[] {
  return checks.map((t) => {
    const mark = markOf(t);
    const result =
      mark === "PASS" || mark === "SEEN" ? `${MARK_SHAPE[mark]} ${mark}` : `**${MARK_SHAPE[mark]} ${mark}**`;
    const notes = [t.detail, t.vacuous ? VACUOUS_NOTE : "", t.caveat ? `⚠ ${t.caveat}` : ""].filter(Boolean);
    return `| \`${md(t.id)}\` | ${result} | ${md(observedText(t))} | ${md(notes.join("; "))} |`;
  });
}

export const markdown: Reporter = {
  description: "write a Markdown summary (for a CI job summary page)",
  file: { flag: "--markdown", extension: "md" },
  render(report: Report) {
    const icon = report.outcome === "passed" ? "✅" : report.outcome === "failed" ? "❌" : "⚠️";
    const labels = Object.entries(report.labels);
    const hypothesis = hypothesisChecks(report);
    const evidence = evidenceChecks(report);
    const lines = [
      `## ${icon} fislat ${md(report.experiment.name)} (${report.environment.kind}): ${report.outcome.toUpperCase()}`,
      "",
      `${md(headline(report))}: **${report.outcome.toUpperCase()}**. ${md(outcomeSentence(report, "✖ below"))}.`,
      "",
      `Hypothesis: ${md(report.experiment.description)}. Fault: ${md(report.parameters.fault.description)} for ${report.parameters.injectionMs / 1000} s; timeouts ${report.parameters.connectionTimeoutMs}/${report.parameters.readTimeoutMs} ms.`,
      ...(report.parameters.fault.fidelity ? ["", `Local twin: ${md(report.parameters.fault.fidelity)}`] : []),
      ...(labels.length > 0 ? ["", `Labels: ${labels.map(([k, v]) => `\`${md(k)}=${md(v)}\``).join(", ")}`] : []),
      "",
      `| ${phaseHeaders(report).join(" | ")} |`,
      `|${phaseHeaders(report)
        .map(() => "---")
        .join("|")}|`,
      ...PHASES.map((p) => `| ${phaseRow(p, report).join(" | ")} |`),
      "",
      ...(report.targetEvents?.length
        ? [
            "| target event | task | what |",
            "|---|---|---|",
            ...report.targetEvents.map((e) => `| ${e.at} | ${md(e.task)} | ${md(`${e.kind}: ${e.detail}`)} |`),
            "",
          ]
        : []),
      ...(findingsOf(report.evidence).length > 0
        ? ["Evidence:", "", ...findingsOf(report.evidence).map((f) => `- ${md(f)}`), ""]
        : []),
      ...(hypothesis.length > 0
        ? ["| threshold | result | observed | detail |", "|---|---|---|---|", ...thresholdRows(hypothesis), ""]
        : []),
      ...(evidence.length > 0
        ? [
            "Could the run be judged (evidence checks):",
            "",
            "| evidence check | result | observed | detail |",
            "|---|---|---|---|",
            ...thresholdRows(evidence),
            "",
          ]
        : []),
    ];
    return lines.join("\n");
  },
};
