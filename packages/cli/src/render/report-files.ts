// The report as files for machines and CI: JSON (everything), JUnit (one test case per assertion,
// so CI shows which failed) and Markdown (for a CI job's summary page).
import type { Report } from "../engine/report.js";
import type { PhaseName } from "../engine/timeline.js";
import { PHASES } from "../engine/timeline.js";
import { writeFileAtomic } from "./atomic-write.js";
import { headline } from "./headline.js";

export function toJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

const xml = (s: string) =>
  s.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c] as string);

export function toJunit(report: Report): string {
  const seconds = (Date.parse(report.endedAt) - Date.parse(report.startedAt)) / 1000;
  const suite = `fislat ${report.environment.kind} ${report.scenario.name}`;
  const cases = report.assertions.map((a) => {
    const body = a.passed
      ? ""
      : `\n      <failure message="${xml(a.title)}" type="AssertionFailed">expected: ${xml(a.expected)}\nobserved: ${xml(a.observed)}</failure>\n    `;
    return `    <testcase classname="${xml(suite)}" name="${xml(`${a.id}: ${a.title}`)}">${body}</testcase>`;
  });
  if (report.outcome === "interrupted" || report.outcome === "error") {
    cases.push(
      `    <testcase classname="${xml(suite)}" name="run completed">\n      <error message="${xml(report.summary)}" type="${report.outcome}">${xml(report.summary)}</error>\n    </testcase>`,
    );
  }
  const failures = report.assertions.filter((a) => !a.passed).length;
  const errors = report.outcome === "interrupted" || report.outcome === "error" ? 1 : 0;
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="fislat" tests="${cases.length}" failures="${failures}" errors="${errors}" time="${seconds.toFixed(3)}">
  <testsuite name="${xml(suite)}" tests="${cases.length}" failures="${failures}" errors="${errors}" time="${seconds.toFixed(3)}" timestamp="${report.startedAt}">
${cases.join("\n")}
  </testsuite>
</testsuites>
`;
}

const md = (s: string) => s.replace(/\|/g, "\\|");
const num = (v: number | undefined, digits = 1) => (v === undefined ? "–" : v.toFixed(digits));

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
  const lines = [
    `## ${icon} fislat ${report.scenario.name} (${report.environment.kind}): ${report.outcome.toUpperCase()}`,
    "",
    `${md(headline(report))}: **${report.outcome.toUpperCase()}**. ${md(report.summary)}.`,
    "",
    `Hypothesis: ${md(report.scenario.hypothesis)}. Fault: ${report.parameters.delayMs} ms ± ${report.parameters.jitterMs} ms for ${report.parameters.injectionMs / 1000} s; timeouts ${report.parameters.connectionTimeoutMs}/${report.parameters.readTimeoutMs} ms.`,
    "",
    `| ${PHASE_HEADERS.join(" | ")} |`,
    `|${PHASE_HEADERS.map(() => "---").join("|")}|`,
    ...PHASES.map((p) => `| ${phaseRow(p, report).join(" | ")} |`),
    "",
    "| assertion | result | expected | observed |",
    "|---|---|---|---|",
    ...report.assertions.map(
      (a) => `| ${md(a.title)} | ${a.passed ? "PASS" : "**FAIL**"} | ${md(a.expected)} | ${md(a.observed)} |`,
    ),
    "",
  ];
  return lines.join("\n");
}

export async function writeReports(report: Report, files: { json?: string; junit?: string; markdown?: string }) {
  const written: string[] = [];
  if (files.json) {
    await writeFileAtomic(files.json, toJson(report));
    written.push(files.json);
  }
  if (files.junit) {
    await writeFileAtomic(files.junit, toJunit(report));
    written.push(files.junit);
  }
  if (files.markdown) {
    await writeFileAtomic(files.markdown, toMarkdown(report));
    written.push(files.markdown);
  }
  return written;
}
