// fislat compare BASE.json RUN.json: is RUN worse than BASE by more than chance? Exit 0 not worse,
// 1 worse (a test or a threshold naming the base), 3 when the two cannot be compared (another
// fault or timeouts, too few round trips), 2 for bad input: every refusal before anything is written.
import { type CommandContext, widthOf } from "../context.js";
import { BaseThresholdError, compareReports, parseBaseThreshold } from "../engine/compare.js";
import { badInput, EXIT, type ExitCode } from "../errors.js";
import { writeFileAtomic } from "../render/atomic-write.js";
import { COMPARISON_REPORTERS } from "../reporters/comparison.js";
import { readReport } from "./read-report.js";
import { checkReportTargets } from "./run-options.js";

/** The two runs cannot be compared: the run's inconclusive code (3). */
export const CANNOT_COMPARE: ExitCode = EXIT.inconclusive;

export interface CompareInput {
  /** The BASE and RUN reports' files, as given. */
  base: string;
  run: string;
  threshold?: string[];
  output?: string;
  json?: string;
  markdown?: string;
  html?: string;
}

export async function compareCommand(ctx: CommandContext, flags: CompareInput): Promise<ExitCode> {
  const { base: baseFile, run: runFile } = flags;
  const thresholds = (flags.threshold ?? []).map((t) => {
    try {
      return parseBaseThreshold(t);
    } catch (error) {
      if (error instanceof BaseThresholdError) throw badInput(error.message);
      throw error;
    }
  });
  const base = readReport(baseFile, "BASE", ctx.cwd);
  const run = readReport(runFile, "RUN", ctx.cwd);
  const targets = checkReportTargets(
    { json: flags.json, markdown: flags.markdown, html: flags.html },
    [
      { what: "BASE report", file: baseFile },
      { what: "RUN report", file: runFile },
    ],
    ctx.cwd,
  );
  const comparison = compareReports(base, run, { base: baseFile, run: runFile }, thresholds);
  const json = flags.output === "json";
  ctx.stdout.write(
    json
      ? COMPARISON_REPORTERS.json.render(comparison, 0)
      : `${COMPARISON_REPORTERS.text.render(comparison, widthOf(ctx, ctx.stdout))}\n`,
  );
  let failedWrites = 0;
  for (const format of ["json", "markdown", "html"] as const) {
    const file = targets[format];
    if (!file) continue;
    try {
      await writeFileAtomic(file, COMPARISON_REPORTERS[format].render(comparison, Number.POSITIVE_INFINITY));
      (json ? ctx.stderr : ctx.stdout).write(`report: ${file}\n`);
    } catch (error) {
      failedWrites++;
      ctx.stderr.write(
        `fislat: could not write ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`,
      );
    }
  }
  if (comparison.incomparable.length > 0) return CANNOT_COMPARE;
  if (comparison.worse) return EXIT.failed;
  return failedWrites > 0 ? EXIT.environment : EXIT.passed;
}
