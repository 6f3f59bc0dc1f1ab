// fislat report FILE.json: a JSON report written by `run --json` turned into any other format
// (--html, --markdown, --junit, --json), and its summary printed, without running anything again.
// Exit 0 once every file is written, whatever the run's verdict (the summary shows the run's own
// code): re-rendering a failed run succeeded. 2 bad input (nothing written), 6 a file not written.
import { type CommandContext, chalkFor, sayError, widthOf } from "../context.js";
import { EXIT, type ExitCode } from "../errors.js";
import { REPORTERS, reportFilesOf, writeReports } from "../reporters/index.js";
import { readReport } from "./read-report.js";
import { checkReportTargets } from "./run-options.js";

/** `file`: the JSON report to read; the rest: the report flags (--html FILE, ...). */
export async function reportCommand(
  ctx: CommandContext,
  input: { file: string } & Record<string, unknown>,
): Promise<ExitCode> {
  const { file, ...flags } = input;
  // Both refused before anything is written: a report that cannot be read, a target that cannot be written.
  const report = readReport(file, "report", ctx.cwd);
  const targets = checkReportTargets(reportFilesOf(flags), [{ what: "report", file }], ctx.cwd);
  ctx.stdout.write(
    `${REPORTERS.summary.render(report, { chalk: chalkFor(ctx, ctx.stdout), width: widthOf(ctx, ctx.stdout) })}\n`,
  );
  const { written, failed } = await writeReports(report, targets);
  for (const f of written) ctx.stdout.write(`report: ${f}\n`);
  for (const f of failed) sayError(ctx, `could not write the report ${f.file}: ${f.error}`);
  return failed.length > 0 ? EXIT.environment : EXIT.passed;
}
