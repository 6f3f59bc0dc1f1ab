// fislat sweep: step the fault's size and find where the hypothesis stops holding. Thin: the plan
// and the sweep's logic are pure (engine/sweep*.ts); each level is one experiment run the way
// `fislat run` runs it (the same planner, environment and engine), its resources released, fault
// first, before the next level starts. Ctrl-C at any moment removes the fault, writes the sweep
// report marked interrupted and exits 4.
import { createRequire } from "node:module";
import { runExperiment } from "../engine/experiment.js";
import { faultKind } from "../engine/fault.js";
import type { ExperimentSource } from "../engine/planner.js";
import { buildReport } from "../engine/report.js";
import { gateOf, type LevelRunner, runSweep, sweepExitCode } from "../engine/sweep.js";
import { planSweep, type SweepFlags } from "../engine/sweep-plan.js";
import { predictBreak } from "../engine/sweep-predict.js";
import { buildSweepReport, type LevelRecord } from "../engine/sweep-report.js";
import { badInput, type ExitCode, FislatError } from "../errors.js";
import { createProgress } from "../render/progress.js";
import { makeChalk, outputWidth } from "../render/style.js";
import { writeSweepReports } from "../render/sweep-files.js";
import { costText, renderSweepSummary } from "../render/sweep-summary.js";
import { Resources } from "../resources.js";
import { onInterrupt, settleOnSignal } from "../signals.js";
import { type PrepareContext, prepareEnvironment, type RunCommandFlags } from "./run.js";
import { checkReportPath, checkReportTargets, loadExperimentSource, planRequest } from "./run-options.js";

const version = (createRequire(import.meta.url)("../../package.json") as { version: string }).version;

export type SweepCommandFlags = SweepFlags & RunCommandFlags & { html?: string };

/** The run's report checks, and --html beside them (a file of its own). */
function sweepReportTargets(flags: SweepCommandFlags) {
  const checked: { json?: string; junit?: string; markdown?: string; html?: string } = checkReportTargets({
    json: flags.json,
    junit: flags.junit,
    markdown: flags.markdown,
  });
  if (flags.html !== undefined) {
    const html = checkReportPath("--html", flags.html);
    if (Object.values(checked).includes(html)) {
      throw badInput(
        `--html ${JSON.stringify(flags.html)} names the same file as another report: give each report its own file`,
      );
    }
    checked.html = html;
  }
  return checked;
}

/**
 * The experiment a sweep judges: a file or scenario, or, with neither, the --threshold flags alone
 * (the built-in scenarios other than `succeed` expect the fault to bite, which a sweep cannot use).
 */
function sweepSource(flags: SweepCommandFlags): ExperimentSource {
  // The user's own app (run --local --app) is its own experiment, with a default hypothesis: as for run.
  const ownApp = (flags as { app?: string }).app !== undefined;
  if (flags.experiment !== undefined || flags.scenario !== undefined || ownApp) return loadExperimentSource(flags);
  if ((flags.threshold ?? []).length === 0) {
    throw badInput(
      "fislat sweep needs a hypothesis that should hold at low levels: --threshold 'injection.failed:rate<0.05' (repeatable), --experiment FILE, or --scenario succeed",
    );
  }
  return { kind: "file", name: "the --threshold flags", data: { version: 1, name: "thresholds" } };
}

export async function sweepCommand(flags: SweepCommandFlags): Promise<ExitCode> {
  // Every level is planned, and every report target checked, before anything starts.
  const source = sweepSource(flags);
  const plan = planSweep(flags, source, (levelFlags) => planRequest(levelFlags, source));
  const reports = sweepReportTargets(flags);
  const progress = createProgress(process.stderr, makeChalk(process.stderr));
  const abort = new AbortController();
  let current: Resources | undefined;
  let signals = 0;
  let faultNotRemoved = false;
  const stopListening = onInterrupt((signal) => {
    signals += 1;
    if (signals === 1) {
      progress.info(
        `${signal}: removing the fault, stopping the sweep and writing its report (press again to see what is pending)`,
      );
      abort.abort(`${signal} received`);
    } else {
      progress.info(`still stopping, waiting for: ${current?.current ?? current?.pending()[0] ?? "the sweep report"}`);
    }
  });
  const startedAt = new Date();
  let traits: import("../engine/fault.js").EnvironmentTraits | undefined;
  let probe: import("../engine/fault.js").ProbeSettings | undefined;

  const runLevel: LevelRunner<LevelRecord> = async (level, { purpose, attempt }) => {
    const started = performance.now();
    const elapsed = () => performance.now() - started;
    if (abort.signal.aborted)
      return { outcome: "interrupted", elapsedMs: 0, result: { error: String(abort.signal.reason) } };
    const request = plan.requestAt(level);
    progress.info(
      `level ${plan.sweepable.format(level)}${purpose === "bisection" ? " (bisection)" : ""}${attempt === 2 ? " again: the first run was inconclusive" : ""}: ${faultKind(request.fault).describe(request.fault)}`,
    );
    const resources = new Resources();
    current = resources;
    try {
      const context: PrepareContext = { flags, resources, progress };
      const prepared = await prepareEnvironment(request, context);
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
        `level ${plan.sweepable.format(level)}: ${report.outcome}${report.outcome === "passed" ? "" : ` (${report.summary})`}`,
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
      if (error instanceof FislatError && error.exitCode === 2) throw error;
      return { outcome: "error", elapsedMs: elapsed(), result: { error: message } };
    } finally {
      current = undefined;
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
            traits,
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
    const json = flags.output === "json";
    process.stdout.write(
      json
        ? `${JSON.stringify(report, null, 2)}\n`
        : `${renderSweepSummary(report, makeChalk(process.stdout), outputWidth(process.stdout))}\n`,
    );
    const { written, failed } = await writeSweepReports(report, reports);
    for (const file of written) (json ? process.stderr : process.stdout).write(`report: ${file}\n`);
    for (const f of failed) process.stderr.write(`fislat: could not write the report ${f.file}: ${f.error}\n`);
    const final = failed.length > 0 && code === 0 ? sweepExitCode({ ...result, end: "error" }, undefined, false) : code;
    settleOnSignal(final);
    return final;
  } finally {
    progress.done();
    stopListening();
  }
}
