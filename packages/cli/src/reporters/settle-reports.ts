// Writes a run's report files and decides its exit code, once, after they are written: every
// report states the code the process exits with.
import type { ExperimentResult } from "../engine/experiment.js";
import { exitCodeFor } from "../engine/outcome.js";
import type { ReportTargets } from "../engine/plan.js";
import type { Report } from "../engine/report.js";
import type { ExitCode } from "../errors.js";
import { type WrittenReports, writeReports } from "./index.js";

/**
 * A report that could not be written turns a pass into an environment error (a pass CI cannot
 * see is not a pass). When that changes the code, the files already written are written again
 * (atomically), so none of them states another code; `report.exitCode` is updated in place for
 * what is printed after.
 */
export async function writeReportsAndSettle(
  report: Report,
  result: Pick<ExperimentResult, "removalError">,
  files: ReportTargets,
): Promise<WrittenReports & { code: ExitCode }> {
  const first = await writeReports(report, files);
  const code = exitCodeFor(report.outcome, result, { failed: first.failed.length });
  if (code === report.exitCode) return { ...first, code };
  report.exitCode = code;
  const writtenOnly = Object.fromEntries(
    Object.entries(files).filter(([, file]) => typeof file === "string" && first.written.includes(file)),
  );
  const again = await writeReports(report, writtenOnly);
  return { code, written: again.written, failed: [...first.failed, ...again.failed] };
}
