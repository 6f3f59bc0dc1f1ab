// fislat run --local: the experiment end to end on this machine. Flags -> plan, the local world
// started under one cleanup owner, the engine run with live progress, then reports and a verdict.
// Ctrl-C or SIGTERM at any moment removes the fault, stops everything and exits 4.
import { createRequire } from "node:module";
import { runExperiment } from "../engine/experiment.js";
import type { ExperimentPlan } from "../engine/plan.js";
import { buildReport, exitCodeOf } from "../engine/report.js";
import { badInput, EXIT, type ExitCode, FislatError } from "../errors.js";
import { LOCAL_HEALTH_POLL_MS, startLocalEnvironment } from "../local/environment.js";
import { createProgress } from "../render/progress.js";
import { writeReports } from "../render/report-files.js";
import { makeChalk } from "../render/style.js";
import { renderSummary } from "../render/summary.js";
import { Resources } from "../resources.js";
import { type RunFlags, resolveRunOptions } from "./run-options.js";

const version = (createRequire(import.meta.url)("../../package.json") as { version: string }).version;

export async function runCommand(flags: RunFlags): Promise<ExitCode> {
  if (!flags.local) {
    throw badInput("fislat run needs --local for now: experiments against AWS (FIS on ECS) are not available yet");
  }
  const options = resolveRunOptions(flags);
  const out = process.stdout;
  const chalk = makeChalk(out);
  const progress = createProgress(process.stderr, makeChalk(process.stderr));
  const resources = new Resources();
  const abort = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals === 1) {
      progress.info(`${signal}: removing the fault and stopping (press again to see what is pending)`);
      abort.abort(`${signal} received`);
    } else {
      // A second Ctrl-C does not skip the cleanup: it says what it is still waiting for.
      const waiting = resources.current ?? resources.pending()[0] ?? "writing the report";
      progress.info(`still stopping, waiting for: ${waiting}`);
    }
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  try {
    progress.info(
      `scenario ${options.scenario.name}: ${options.scenario.hypothesis}; fault ${options.delayMs} ms +/- ${options.jitterMs} ms`,
    );
    const env = await startLocalEnvironment(
      {
        connectionTimeoutMs: options.connectionTimeoutMs,
        readTimeoutMs: options.readTimeoutMs,
        intervalMs: options.intervalMs,
        healthFailureMs: options.healthFailureMs,
      },
      resources,
    );
    if (abort.signal.aborted) progress.info("interrupted while starting");
    progress.info(`local environment: ${env.target}`);
    const plan: ExperimentPlan = {
      scenario: options.scenario,
      fault: { delayMs: options.delayMs, jitterMs: options.jitterMs, durationMs: options.injectionMs },
      baselineMs: options.baselineMs,
      recoveryMs: options.recoveryMs,
      connectionTimeoutMs: options.connectionTimeoutMs,
      readTimeoutMs: options.readTimeoutMs,
      intervalMs: options.intervalMs,
      healthFailureMs: options.healthFailureMs,
      healthPollMs: LOCAL_HEALTH_POLL_MS,
      lateLineGraceMs: 0,
      // The local proxy accepts connections at once: a new connection pays the delay once.
      waitsOnNewConnection: 1,
      connectDelayed: false,
    };
    const result = await runExperiment(plan, env.ports, progress, abort.signal);
    const failures = await resources.releaseAll();
    if (failures.length > 0) {
      const faultFailure = failures.find((f) => f.name === "the latency fault");
      if (faultFailure) result.removalError = faultFailure.error;
      for (const f of failures) progress.info(chalk.red(`could not release ${f.name}: ${f.error}`));
    }
    progress.done();
    const report = buildReport(result, {
      version,
      environment: { kind: "local", target: env.target, injector: env.ports.injector.description },
    });
    const written = await writeReports(report, options.reports);
    out.write(`${renderSummary(report, chalk)}\n`);
    for (const file of written) out.write(`report: ${file}\n`);
    return exitCodeOf(result);
  } catch (error) {
    progress.done();
    if (error instanceof FislatError) throw error;
    throw new FislatError(
      `the local experiment failed: ${error instanceof Error ? error.message : String(error)}`,
      EXIT.environment,
    );
  } finally {
    const failures = await resources.releaseAll();
    for (const f of failures) process.stderr.write(`fislat: could not release ${f.name}: ${f.error}\n`);
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}
