// The JSON report: the whole model as it is (schemas/report.schema.json publishes its shape).
import type { Reporter } from "./reporter.js";

export const json: Reporter = {
  description: "write the full report as JSON",
  file: { flag: "--json", extension: "json" },
  render: (report) => `${JSON.stringify(report, null, 2)}\n`,
};
