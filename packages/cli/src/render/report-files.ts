// The report as files for machines and CI: JSON (everything), JUnit (one test case per assertion,
// so CI shows which failed) and Markdown (for a CI job's summary page).
import { findingsOf } from "../engine/evidence.js";
import type { Report, ThresholdReport } from "../engine/report.js";
import type { PhaseName } from "../engine/timeline.js";
import { PHASES } from "../engine/timeline.js";
import { writeFileAtomic } from "./atomic-write.js";
import { headline } from "./headline.js";

export function toJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

const xml = (s: string) =>
  s.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c] as string);

const STATUS_WORD = { passed: "PASS", failed: "FAIL", inconclusive: "INCONCLUSIVE" } as const;

/** A threshold's figure for people: "312.4", "did not occur", with the lost-lines range if any. */
export function observedText(t: ThresholdReport): string {
  const v = t.observed === null ? "did not occur" : String(t.observed);
  const interval = t.interval ? ` (95% ${t.interval[0]} to ${t.interval[1]})` : "";
  return `${v}${interval}`;
}

export function toJunit(report: Report): string {
  const seconds = (Date.parse(report.endedAt) - Date.parse(report.startedAt)) / 1000;
  const suite = `fislat ${report.environment.kind} ${report.experiment.name}`;
  const cases = report.thresholds.map((t) => {
    const body =
      t.status === "passed"
        ? ""
        : t.status === "failed"
          ? `\n      <failure message="${xml(`${t.id}: observed ${observedText(t)}`)}" type="ThresholdFailed">${xml(t.detail)}</failure>\n    `
          : `\n      <skipped message="${xml(`inconclusive: ${t.detail}`)}"/>\n    `;
    return `    <testcase classname="${xml(suite)}" name="${xml(t.id)}">${body}</testcase>`;
  });
  const unjudged = report.outcome !== "passed" && report.outcome !== "failed";
  if (unjudged) {
    cases.push(
      `    <testcase classname="${xml(suite)}" name="the experiment could test the hypothesis">\n      <error message="${xml(report.summary)}" type="${report.outcome}">${xml(report.summary)}</error>\n    </testcase>`,
    );
  }
  const failures = report.thresholds.filter((t) => t.status === "failed").length;
  const skipped = report.thresholds.filter((t) => t.status === "inconclusive").length;
  const errors = unjudged ? 1 : 0;
  const props = Object.entries(report.labels)
    .map(([k, v]) => `      <property name="${xml(k)}" value="${xml(v)}"/>`)
    .join("\n");
  const properties = props ? `    <properties>\n${props}\n    </properties>\n` : "";
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="fislat" tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${seconds.toFixed(3)}">
  <testsuite name="${xml(suite)}" tests="${cases.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${seconds.toFixed(3)}" timestamp="${report.startedAt}">
${properties}${cases.join("\n")}
  </testsuite>
</testsuites>
`;
}

const md = (s: string) => s.replace(/\|/g, "\\|");
const num = (v: number | undefined | null, digits = 1) => (v === undefined || v === null ? "–" : v.toFixed(digits));

export function phaseRow(name: PhaseName, report: Report): string[] {
  const p = report.phases[name];
  const otherErrors = Object.values(p.errors).reduce((a, b) => a + (b ?? 0), 0);
  return [
    name,
    String(p.count),
    String(p.successes),
    String(p.timeouts),
    String(otherErrors),
    num(p.latency?.p50),
    num(p.latency?.p90),
    num(p.latency?.p99),
    num(p.latency?.max),
    p.medianShiftMs === undefined || name === "baseline"
      ? "–"
      : `${p.medianShiftMs >= 0 ? "+" : ""}${num(p.medianShiftMs)}`,
  ];
}

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
  "median shift",
];

export function toMarkdown(report: Report): string {
  const icon = report.outcome === "passed" ? "✅" : report.outcome === "failed" ? "❌" : "⚠️";
  const labels = Object.entries(report.labels);
  const lines = [
    `## ${icon} fislat ${md(report.experiment.name)} (${report.environment.kind}): ${report.outcome.toUpperCase()}`,
    "",
    `${md(headline(report))}: **${report.outcome.toUpperCase()}**. ${md(report.summary)}.`,
    "",
    `Hypothesis: ${md(report.experiment.description)}. Fault: ${md(report.parameters.fault.description)} for ${report.parameters.injectionMs / 1000} s; timeouts ${report.parameters.connectionTimeoutMs}/${report.parameters.readTimeoutMs} ms.`,
    ...(report.parameters.fault.fidelity ? ["", `Local twin: ${md(report.parameters.fault.fidelity)}`] : []),
    ...(labels.length > 0 ? ["", `Labels: ${labels.map(([k, v]) => `\`${md(k)}=${md(v)}\``).join(", ")}`] : []),
    "",
    `| ${PHASE_HEADERS.join(" | ")} |`,
    `|${PHASE_HEADERS.map(() => "---").join("|")}|`,
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
    "| threshold | result | observed | detail |",
    "|---|---|---|---|",
    ...report.thresholds.map(
      (t) =>
        `| \`${md(t.id)}\` | ${t.status === "passed" ? "PASS" : `**${STATUS_WORD[t.status]}**`} | ${md(observedText(t))} | ${md(t.detail)} |`,
    ),
    "",
  ];
  return lines.join("\n");
}

export interface WrittenReports {
  written: string[];
  failed: { file: string; error: string }[];
}

/** Writes every report it can: one that fails does not stop the others. */
export async function writeReports(
  report: Report,
  files: { json?: string; junit?: string; markdown?: string },
): Promise<WrittenReports> {
  const out: WrittenReports = { written: [], failed: [] };
  const jobs: [string | undefined, () => string][] = [
    [files.json, () => toJson(report)],
    [files.junit, () => toJunit(report)],
    [files.markdown, () => toMarkdown(report)],
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
