// fislat report FILE.json: a JSON report written by `run --json` turned into any other format
// (--html, --markdown, --junit, --json), and its summary printed, without running anything again.
import { EXIT, type ExitCode } from "../errors.js";
import { makeChalk, outputWidth } from "../render/style.js";
import { REPORTERS, reportFilesOf, writeReports } from "../reporters/index.js";
import { readReport } from "./read-report.js";
import { checkReportTargets } from "./run-options.js";

export interface ReportCommandIo {
  out: NodeJS.WriteStream;
  err: NodeJS.WriteStream;
}

export async function reportCommand(
  file: string,
  flags: Record<string, unknown>,
  io: ReportCommandIo = { out: process.stdout, err: process.stderr },
): Promise<ExitCode> {
  // Both refused before anything is written: a report that cannot be read, a target that cannot be written.
  const report = readReport(file);
  const targets = checkReportTargets(reportFilesOf(flags));
  io.out.write(`${REPORTERS.summary.render(report, { chalk: makeChalk(io.out), width: outputWidth(io.out) })}\n`);
  const { written, failed } = await writeReports(report, targets);
  for (const f of written) io.out.write(`report: ${f}\n`);
  for (const f of failed) io.err.write(`fislat: could not write the report ${f.file}: ${f.error}\n`);
  return failed.length > 0 ? EXIT.environment : EXIT.passed;
}
