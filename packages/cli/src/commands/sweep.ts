// fislat sweep: step the fault's size and find where the hypothesis stops holding. Thin: the plan
// and the sweep's logic are pure (engine/sweep*.ts); each level is one experiment run the way
// `fislat run` runs it (the same planner, environment and engine), its resources released, fault
// first, before the next level starts. Ctrl-C at any moment removes the fault, writes the sweep
// report marked interrupted and exits 4.
import { createRequire } from "node:module";
import { type CommandContext, chalkFor, sayError, widthOf } from "../context.js";
import { isAppRun } from "../engine/app-run.js";
import { runExperiment } from "../engine/experiment.js";
import { type EnvironmentTraits, faultKind, type ProbeSettings } from "../engine/fault.js";
import type { ExperimentSource } from "../engine/planner.js";
import { buildReport } from "../engine/report.js";
import { gateOf, type LevelRunner, runSweep, sweepExitCode } from "../engine/sweep.js";
import { planSweep, type SweepFlags } from "../engine/sweep-plan.js";
import { predictBreak } from "../engine/sweep-predict.js";
import { buildSweepReport, type LevelRecord } from "../engine/sweep-report.js";
import { badInput, EXIT, type ExitCode, FislatError } from "../errors.js";
import { createProgress } from "../render/progress.js";
import { makeChalk } from "../render/style.js";
import { reportFilesOf } from "../reporters/index.js";
import { SWEEP_REPORTERS, writeSweepReports } from "../reporters/sweep.js";
import { costText } from "../reporters/sweep-summary.js";
import { type PrepareContext, prepareEnvironment, type RunCommandFlags } from "./run.js";
import { checkReportTargets, inputsOf, loadExperimentSource, requestPlanner } from "./run-options.js";

const version = (createRequire(import.meta.url)("../../package.json") as { version: string }).version;

export type SweepCommandFlags = SweepFlags & RunCommandFlags;

/**
 * The experiment a sweep judges: a file or scenario, or, with neither, the --threshold flags alone
 * (the built-in scenarios other than `succeed` expect the fault to bite, which a sweep cannot use).
 */
function sweepSource(flags: SweepCommandFlags, cwd: string): ExperimentSource {
  // The user's own app or service (--app, --url) is its own experiment, with a default hypothesis: as for run.
  if (flags.experiment !== undefined || flags.scenario !== undefined || isAppRun(flags, {})) {
    return loadExperimentSource(flags, cwd);
  }
  if ((flags.threshold ?? []).length === 0) {
    throw badInput(
      "fislat sweep needs a hypothesis that should hold at low levels: --threshold 'injection.failed:rate<0.05' (repeatable), --experiment FILE, or --scenario succeed",
    );
  }
  return { kind: "file", name: "the --threshold flags", data: { version: 1, name: "thresholds" } };
}

export async function sweepCommand(ctx: CommandContext, flags: SweepCommandFlags): Promise<ExitCode> {
  // Every level is planned, and every report target checked, before anything starts.
  const source = sweepSource(flags, ctx.cwd);
  const plan = planSweep(flags, source, requestPlanner(flags, source, ctx.cwd));
  const reports = checkReportTargets(reportFilesOf(flags as Record<string, unknown>), inputsOf(flags), ctx.cwd);
  const progress = createProgress(ctx.stderr, chalkFor(ctx, ctx.stderr), ctx.env);
  const abort = new AbortController();
  let signals = 0;
  let faultNotRemoved = false;
  const stopListening = ctx.onInterrupt((signal) => {
    signals += 1;
    if (signals === 1) {
      progress.stopping?.(
        `${signal}: removing the fault, stopping the sweep and writing its report (press again to see what is pending)`,
      );
      abort.abort(`${signal} received`);
    } else {
      const { resources } = ctx;
      progress.info(
        `still stopping, waiting for: ${resources.current ?? resources.pending()[0] ?? "the sweep report"}`,
      );
    }
  });
  const startedAt = new Date();
  let traits: EnvironmentTraits | undefined;
  let probe: ProbeSettings | undefined;

  const runLevel: LevelRunner<LevelRecord> = async (level, { purpose, attempt }) => {
    const started = performance.now();
    const elapsed = () => performance.now() - started;
    if (abort.signal.aborted)
      return { outcome: "interrupted", elapsedMs: 0, result: { error: String(abort.signal.reason) } };
    const request = plan.requestAt(level);
    progress.info(
      `level ${plan.format(level)}${purpose === "bisection" ? " (bisection)" : ""}${attempt === 2 ? " again: the first run was inconclusive" : ""}: ${faultKind(request.fault).describe(request.fault)}`,
    );
    // Each level starts and releases its own world through the command's one cleanup owner.
    const { resources } = ctx;
    try {
      const context: PrepareContext = { ctx, progress, signal: abort.signal };
      const prepared = await prepareEnvironment(request, context);
      // A signal while the level's world was starting: stop here (released below), no fault injected.
      if (abort.signal.aborted) throw new Error(String(abort.signal.reason));
      progress.info(`target: ${prepared.environment.target}`);
      traits ??= prepared.plan.traits;
      probe ??= prepared.plan.probe;
      const result = await runExperiment(prepared.plan, prepared.ports, progress, abort.signal);
      // The level's fault goes first (it was registered last), then everything else it started.
      for (const f of await resources.releaseAll()) {
        progress.info(`could not release ${f.name}: ${f.error}`);
        if (f.fault && result.removalError === undefined) result.removalError = f.error;
      }
      if (result.removalError !== undefined) faultNotRemoved = true;
      const report = buildReport(result, { version, environment: prepared.environment });
      progress.info(
        `level ${plan.format(level)}: ${report.outcome}${report.outcome === "passed" ? "" : ` (${report.summary})`}`,
      );
      return { outcome: report.outcome, elapsedMs: elapsed(), result: { report } };
    } catch (error) {
      for (const f of await resources.releaseAll()) {
        progress.info(`could not release ${f.name}: ${f.error}`);
        if (f.fault) faultNotRemoved = true;
      }
      if (abort.signal.aborted) {
        return {
          outcome: "interrupted",
          elapsedMs: elapsed(),
          result: { error: `${abort.signal.reason} while starting the level` },
        };
      }
      // A level that could not start is an environment error: it ends the sweep, as it would a run.
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof FislatError && error.exitCode === EXIT.badInput) throw error;
      return { outcome: "error", elapsedMs: elapsed(), result: { error: message } };
    }
  };

  try {
    progress.info(`${plan.request.source}: ${plan.request.description}`);
    progress.info(costText(plan));
    const result = await runSweep(plan.settings, runLevel);
    progress.done();
    const firstBaseline = result.runs.find((r) => r.result.report?.phases.baseline.latency)?.result.report;
    const levels = plan.settings.levels;
    // The timeout model is the probe's (its timeouts, its connections): no prediction for an app.
    const probeWorkload = plan.request.target.kind === "local" || plan.request.target.kind === "aws";
    const predicted =
      probeWorkload && traits && probe && firstBaseline
        ? predictBreak(
            (l) => plan.requestAt(l).fault,
            plan.request.hypothesis,
            probe,
            firstBaseline.phases.baseline.latency,
            // Through the local proxy, how a new connection pays the fault depends on its size (the
            // handshake's waits): each level's own, not the first level's.
            plan.request.target.kind === "local"
              ? (fault) => faultKind(fault).localTraits(fault, probe as ProbeSettings)
              : traits,
            [levels[0] as number, levels.at(-1) as number],
            plan.sweepable.step,
          )
        : null;
    const gate = plan.expectHoldsAt === undefined ? undefined : gateOf(result.breakPoint, plan.expectHoldsAt);
    const code = sweepExitCode(result, gate, faultNotRemoved);
    const report = buildSweepReport({
      plan,
      result,
      version,
      startedAt,
      endedAt: new Date(),
      predicted,
      gate,
      exitCode: code,
      ...(abort.signal.aborted ? { interrupted: String(abort.signal.reason) } : {}),
    });
    // The reports first, then stdout: each states the code the process exits with. A report that
    // could not be written turns a sweep that would exit 0 into an environment error, as for run.
    const files = { chalk: makeChalk({ isTTY: false }, {}), width: Number.POSITIVE_INFINITY };
    let { written, failed } = await writeSweepReports(report, reports, files);
    if (failed.length > 0 && report.exitCode === EXIT.passed) {
      report.exitCode = EXIT.environment;
      const again = await writeSweepReports(
        report,
        Object.fromEntries(Object.entries(reports).filter(([, file]) => written.includes(file as string))),
        files,
      );
      written = again.written;
      failed = [...failed, ...again.failed];
    }
    const json = flags.output === "json";
    ctx.stdout.write(
      json
        ? SWEEP_REPORTERS.json.render(report, files)
        : `${SWEEP_REPORTERS.summary.render(report, { chalk: chalkFor(ctx, ctx.stdout), width: widthOf(ctx, ctx.stdout) })}\n`,
    );
    for (const file of written) (json ? ctx.stderr : ctx.stdout).write(`report: ${file}\n`);
    for (const f of failed) sayError(ctx, `could not write the report ${f.file}: ${f.error}`);
    // From here a signal exits with this code at once: the reports are written.
    ctx.settle(report.exitCode);
    return report.exitCode;
  } finally {
    progress.done();
    stopListening();
  }
}
