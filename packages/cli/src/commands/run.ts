// fislat run: one experiment, locally (--local) or against ECS tasks with AWS FIS. Both share
// this lifecycle: flags -> one validated request (nothing started before it is complete), the
// world started under the context's cleanup owner, the engine run with live progress, then the
// summary, the reports and the outcome's exit code. Ctrl-C or SIGTERM at any moment removes the fault,
// stops everything fislat started and exits 4; a fault whose removal cannot be confirmed exits 5
// with the command that removes it.
import { createRequire } from "node:module";
import { type CommandContext, chalkFor, sayError, widthOf } from "../context.js";
import type { AwsServiceTarget } from "../engine/aws-service-run.js";
import { type ExperimentPorts, runExperiment } from "../engine/experiment.js";
import { faultKind } from "../engine/fault.js";
import type {
  AwsTarget,
  ExperimentPlan,
  ExperimentRequest,
  HttpLoadSettings,
  LocalTarget,
  RunTarget,
} from "../engine/plan.js";
import { buildReport, type Report } from "../engine/report.js";
import { EXIT, type ExitCode } from "../errors.js";
import { createProgress, type Progress } from "../render/progress.js";
import { REPORTERS } from "../reporters/index.js";
import { writeReportsAndSettle } from "../reporters/settle-reports.js";
import { planRun, type RunFlags } from "./run-options.js";

const version = (createRequire(import.meta.url)("../../package.json") as { version: string }).version;

export interface PreparedRun {
  plan: ExperimentPlan;
  ports: ExperimentPorts;
  environment: Report["environment"];
}

export type RunCommandFlags = RunFlags & { profile?: string; region?: string; output?: string };

export async function runCommand(ctx: CommandContext, flags: RunCommandFlags): Promise<ExitCode> {
  // Everything that can be refused is refused here, before any process, port or AWS call.
  const request = planRun(flags, ctx.cwd);
  const progress = createProgress(ctx.stderr, chalkFor(ctx, ctx.stderr), ctx.env);
  const { resources } = ctx;
  const abort = new AbortController();
  let signals = 0;
  let faultTookEffect = false;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals === 1) {
      // The status says "stopping" from here on (not the phase's clock, nor "judging").
      progress.stopping?.(
        faultTookEffect
          ? `${signal}: removing the fault and stopping (press again to see what is pending)`
          : `${signal}: stopping; no fault has taken effect yet (press again to see what is pending)`,
      );
      abort.abort(`${signal} received`);
    } else {
      // A second Ctrl-C does not skip the cleanup: it says what it is still waiting for.
      progress.info(`still stopping, waiting for: ${resources.current ?? resources.pending()[0] ?? "the report"}`);
    }
  };
  const stopListening = ctx.onInterrupt(onSignal);

  try {
    progress.info(
      `${request.source.startsWith("scenario ") ? request.source : `experiment ${request.name}`}: ${request.description}; fault ${faultKind(request.fault).describe(request.fault)}`,
    );
    const prepared = await prepareEnvironment(request, { ctx, progress, signal: abort.signal });
    // A signal while the world was starting: stop here (what started is released below), before
    // the engine begins a run with no phase to report.
    if (abort.signal.aborted) throw new Error(String(abort.signal.reason));
    progress.info(`target: ${prepared.environment.target}`);
    const events: Progress = {
      ...progress,
      faultStarted: (at) => {
        faultTookEffect = true;
        progress.faultStarted?.(at);
      },
    };
    const result = await runExperiment(prepared.plan, prepared.ports, events, abort.signal);
    const failures = await resources.releaseAll();
    for (const f of failures) {
      progress.info(`could not release ${f.name}: ${f.error}`);
      if (f.fault && result.removalError === undefined) result.removalError = f.error;
    }
    progress.done();
    const report = buildReport(result, { version, environment: prepared.environment });
    // The exit code is decided once, after every report file is written, and every report states
    // the code the process exits with; stdout is written last, so it states it too.
    const { code, written, failed } = await writeReportsAndSettle(report, result, request.reports);
    // --output json: stdout is the report alone, for a program; the rest goes to stderr.
    const json = flags.output === "json";
    ctx.stdout.write(
      json
        ? `${JSON.stringify(report, null, 2)}\n`
        : `${REPORTERS.summary.render(report, { chalk: chalkFor(ctx, ctx.stdout), width: widthOf(ctx, ctx.stdout) })}\n`,
    );
    for (const file of written) (json ? ctx.stderr : ctx.stdout).write(`report: ${file}\n`);
    for (const f of failed) sayError(ctx, `could not write the report ${f.file}: ${f.error}`);
    if (result.removalError !== undefined) sayError(ctx, result.removalError);
    // From here a signal exits with this code at once: the reports are written.
    ctx.settle(code);
    return code;
  } catch (error) {
    progress.done();
    // Interrupted while starting (a Ctrl-C reaches the whole process group): nothing was injected.
    if (abort.signal.aborted) {
      sayError(ctx, `${abort.signal.reason} while starting: stopped; nothing was injected, no report`);
      return EXIT.interrupted;
    }
    // cli.ts turns every error into its exit code and message, AWS set-up problems included.
    throw error;
  } finally {
    const failures = await resources.releaseAll();
    for (const f of failures) sayError(ctx, `could not release ${f.name}: ${f.error}`);
    stopListening();
  }
}

export interface PrepareContext {
  /** What is started is registered with `ctx.resources`; AWS clients come from `ctx.aws`. */
  ctx: CommandContext;
  progress: Progress;
  /** Aborts on Ctrl-C/SIGTERM while the environment is still getting ready. */
  signal: AbortSignal;
}

/** Where an experiment runs: each prepares the engine's ports from the request (later: the user's own service). */
const ENVIRONMENTS: Record<
  RunTarget["kind"],
  (request: ExperimentRequest, context: PrepareContext) => Promise<PreparedRun>
> = {
  local: (request, { ctx }) => prepareLocal(request, ctx),
  aws: (request, { ctx, progress }) => prepareAws(request, request.target as AwsTarget, ctx, progress),
  "local-app": async (request, { ctx, progress, signal }) =>
    (await import("../environments/local-app.js")).prepareLocalApp(request, progress, signal, ctx),
  "aws-service": (request, { ctx, progress }) => prepareAwsService(request, ctx, progress),
};

/** The environment a request runs in, ready for the engine: also each level of `fislat sweep`. */
export function prepareEnvironment(request: ExperimentRequest, context: PrepareContext): Promise<PreparedRun> {
  return ENVIRONMENTS[request.target.kind](request, context);
}

async function prepareAwsService(
  request: ExperimentRequest,
  ctx: CommandContext,
  progress: Progress,
): Promise<PreparedRun> {
  const { prepareAwsService: prepare } = await import("../environments/aws-service.js");
  const target = request.target as AwsServiceTarget;
  // The request's --profile and --region go to the clients; the environment is left as it was.
  const clients = await ctx.aws(target);
  const env = await prepare(clients, request, target, ctx.resources, ctx.clock, (m) => progress.info(m));
  // The load fislat sent to the service is the run's record, as for an app on this machine: its
  // reports count requests, not the probe's round trips.
  const load = request.load as HttpLoadSettings;
  return {
    plan: env.plan,
    ports: env.ports,
    environment: {
      kind: "aws",
      target: env.target,
      injector: env.injector,
      app: { urls: load.urls, ratePerSecond: load.ratePerSecond },
    },
  };
}

async function prepareLocal(request: ExperimentRequest, ctx: CommandContext): Promise<PreparedRun> {
  // Loaded only once the request is valid: a refusal should not wait for dynalite to load.
  const { LOCAL_HEALTH_POLL_MS, startLocalEnvironment } = await import("../local/environment.js");
  const env = await startLocalEnvironment(request.probe, ctx, (request.target as LocalTarget).seed);
  return {
    plan: {
      request,
      probe: request.probe,
      healthPollMs: LOCAL_HEALTH_POLL_MS,
      lateLineGraceMs: 0,
      // How a new connection pays the fault through the local proxy: the fault's kind knows.
      traits: faultKind(request.fault).localTraits(request.fault, request.probe),
    },
    ports: env.ports,
    environment: {
      kind: "local",
      target: env.target,
      injector: env.ports.injector.description,
      seed: env.seed,
      probe: { pid: env.probePid, port: env.probePort },
      proxyPort: env.proxyPort,
      dynamoPort: env.dynamoPort,
    },
  };
}

async function prepareAws(
  request: ExperimentRequest,
  target: AwsTarget,
  ctx: CommandContext,
  progress: Progress,
): Promise<PreparedRun> {
  // Loaded here only: --help and --local never load an AWS SDK client.
  const { prepareAwsRun } = await import("../aws/environment.js");
  // The request's --profile and --region go to the clients; the environment is left as it was.
  const clients = await ctx.aws(target);
  const env = await prepareAwsRun(clients, request, target, ctx.resources, ctx.clock, (m) => progress.info(m));
  return {
    plan: env.plan,
    ports: env.ports,
    environment: { kind: "aws", target: env.target, injector: env.ports.injector.description },
  };
}
