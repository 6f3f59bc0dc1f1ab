// JUnit XML: one test case per threshold (evidence checks too), so CI shows which one failed; a
// run that could not judge the hypothesis adds one erroring case that says why.
import type { Reporter } from "./reporter.js";
import { observedText } from "./threshold-text.js";

const xml = (s: string) =>
  s.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c] as string);

export const junit: Reporter = {
  description: "write one JUnit test case per assertion",
  file: { flag: "--junit", extension: "xml" },
  render(report) {
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
  },
};
