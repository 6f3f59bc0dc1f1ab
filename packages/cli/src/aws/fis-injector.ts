// The fault on AWS: an FIS experiment of aws:ecs:task-network-latency. Its boundaries are the
// action's own start and end times as FIS reports them. The template and the experiment are
// registered with the cleanup owner the moment they exist, so an interrupt or crash at any later
// point stops the experiment and deletes the template.
import {
  CreateExperimentTemplateCommand,
  DeleteExperimentTemplateCommand,
  type Experiment,
  type FisClient,
  GetExperimentCommand,
  ListExperimentResolvedTargetsCommand,
  StartExperimentCommand,
  StopExperimentCommand,
} from "@aws-sdk/client-fis";
import type { Clock, FaultEnded, FaultInjector, FaultStarted } from "../engine/ports.js";
import { EXIT, FislatError } from "../errors.js";
import type { Resources } from "../resources.js";
import {
  ACTION_KEY,
  buildTemplate,
  MANAGED_BY_TAG,
  RUN_ID_TAG,
  SCENARIO_TAG,
  type TemplateSpec,
} from "./fis-template.js";
import { retryThrottled } from "./retry.js";

export const TERMINAL = new Set(["completed", "stopped", "failed", "cancelled"]);

export interface FisInjectorOptions {
  spec: Omit<TemplateSpec, "fault" | "durationMs">;
  keepTemplate: boolean;
  resources: Resources;
  clock: Clock;
  pollMs?: number;
  /** How long a stop may take before fislat says it cannot confirm it (exit 5). */
  stopTimeoutMs?: number;
  /** How long FIS may take to start the action. */
  startTimeoutMs?: number;
  onExperiment?: (id: string) => void;
}

function describeState(experiment: Experiment | undefined): string {
  const state = experiment?.state;
  const action = experiment?.actions?.[ACTION_KEY]?.state;
  return [state?.status, state?.reason, action?.reason].filter(Boolean).join(": ");
}

export function fisInjector(
  fis: FisClient,
  options: FisInjectorOptions,
): FaultInjector & { experimentId(): string | undefined } {
  const pollMs = options.pollMs ?? 2000;
  const stopTimeoutMs = options.stopTimeoutMs ?? 60_000;
  let experimentId: string | undefined;
  let ended: FaultEnded | undefined;
  // Ends the watch on the experiment: no poll may outlive the run (an unconfirmed stop must not
  // keep the process alive after exit 5 is reported).
  const done = new AbortController();

  const get = async () => {
    const res = await retryThrottled(() => fis.send(new GetExperimentCommand({ id: experimentId })));
    return res.experiment;
  };
  const endOf = (experiment: Experiment | undefined): FaultEnded => {
    const status = experiment?.state?.status ?? "stopped";
    const action = experiment?.actions?.[ACTION_KEY];
    const result: FaultEnded = {
      endedAt: action?.endTime ?? experiment?.endTime ?? options.clock.wallNow(),
      reason: status === "completed" ? "completed" : status === "stopped" ? "stopped" : "failed",
    };
    const detail = describeState(experiment);
    if (status !== "completed" && detail) result.detail = detail;
    return result;
  };

  let stopping: Promise<FaultEnded> | undefined;
  const injector: FaultInjector & { experimentId(): string | undefined } = {
    description: "AWS FIS experiment",
    experimentId: () => experimentId,

    async start(fault, signal): Promise<FaultStarted> {
      const { runId } = options.spec;
      const template = buildTemplate({ ...options.spec, ...fault });
      const created = await retryThrottled(() =>
        fis.send(new CreateExperimentTemplateCommand({ ...template, clientToken: `${runId}-template` })),
      );
      const templateId = created.experimentTemplate?.id;
      if (!templateId) throw new FislatError("FIS created no experiment template", EXIT.environment);
      if (!options.keepTemplate) {
        options.resources.add(`FIS experiment template ${templateId}`, () =>
          retryThrottled(() => fis.send(new DeleteExperimentTemplateCommand({ id: templateId }))),
        );
      }
      const started = await retryThrottled(() =>
        fis.send(
          new StartExperimentCommand({
            experimentTemplateId: templateId,
            clientToken: `${runId}-start`,
            tags: {
              [MANAGED_BY_TAG.key]: MANAGED_BY_TAG.value,
              [RUN_ID_TAG]: runId,
              [SCENARIO_TAG]: options.spec.scenario,
            },
          }),
        ),
      );
      experimentId = started.experiment?.id;
      if (!experimentId) throw new FislatError("FIS started no experiment", EXIT.environment);
      options.resources.add(`FIS experiment ${experimentId}`, () => injector.stop(), { fault: true });
      options.onExperiment?.(experimentId);

      // Wait for the action itself to run: the fault's start is FIS's, not ours.
      const deadline = options.clock.now() + (options.startTimeoutMs ?? 300_000);
      let experiment = await get();
      while (experiment?.actions?.[ACTION_KEY]?.state?.status !== "running") {
        const status = experiment?.state?.status ?? "";
        if (TERMINAL.has(status)) {
          ended = endOf(experiment);
          throw new FislatError(`FIS experiment ${experimentId} ${describeState(experiment)}`, EXIT.environment);
        }
        // Ctrl-C while FIS prepares the action: stop the experiment now, before the fault lands,
        // not once the action runs (FIS may take minutes to start it).
        if (signal?.aborted) {
          await injector.stop();
          throw new Error(`interrupted before FIS started the action: experiment ${experimentId} stopped`);
        }
        if (options.clock.now() > deadline) {
          throw new FislatError(
            `FIS experiment ${experimentId} did not start its action in time: ${describeState(experiment)}`,
            EXIT.environment,
          );
        }
        await options.clock.sleep(pollMs, signal);
        experiment = await get();
      }
      const startedAt = experiment.actions?.[ACTION_KEY]?.startTime ?? options.clock.wallNow();
      const endedPromise = (async (): Promise<FaultEnded> => {
        while (!done.signal.aborted) {
          if (ended) return ended;
          await options.clock.sleep(pollMs, done.signal);
          if (ended || done.signal.aborted) break;
          const current = await get();
          if (TERMINAL.has(current?.state?.status ?? "")) {
            ended = endOf(current);
            return ended;
          }
        }
        // The watch was ended by a stop, whose caller handles its failure: this promise must not
        // reject unheard (an unhandled rejection would end the process before it exits 5).
        return (
          ended ??
          (await injector.stop().catch((error: unknown) => ({
            endedAt: options.clock.wallNow(),
            reason: "failed" as const,
            detail: error instanceof Error ? error.message : String(error),
          })))
        );
      })();
      const result: FaultStarted = { startedAt, ended: endedPromise };
      const targets = await resolvedTargets();
      if (targets) result.targets = targets;
      return result;
    },

    /** One attempt, shared by every caller (the engine, then the cleanup owner). */
    stop(): Promise<FaultEnded> {
      stopping ??= stopAndConfirm();
      return stopping;
    },
  };
  return injector;

  /** The tasks FIS resolved the target to (a selection mode picks them at start); undefined if unknown. */
  async function resolvedTargets(): Promise<string[] | undefined> {
    try {
      const arns: string[] = [];
      let nextToken: string | undefined;
      do {
        // maxResults is 1 to 100 (FIS API model, ListExperimentResolvedTargetsMaxResults).
        const page = await retryThrottled(() =>
          fis.send(new ListExperimentResolvedTargetsCommand({ experimentId, nextToken, maxResults: 100 })),
        );
        for (const t of page.resolvedTargets ?? []) {
          // targetInformation's keys are not documented; the task's ARN is the value that is one.
          const info = t.targetInformation ?? {};
          const arn = info.arn ?? Object.values(info).find((v) => v.startsWith("arn:"));
          if (arn) arns.push(arn);
        }
        nextToken = page.nextToken;
      } while (nextToken);
      return arns.length > 0 ? arns : undefined;
    } catch {
      // Older roles may lack fis:ListExperimentResolvedTargets: every task is then taken as targeted.
      return undefined;
    }
  }

  async function stopAndConfirm(): Promise<FaultEnded> {
    try {
      return await stopAndConfirmOnce();
    } finally {
      done.abort();
    }
  }

  async function stopAndConfirmOnce(): Promise<FaultEnded> {
    if (!experimentId) return ended ?? { endedAt: options.clock.wallNow(), reason: "stopped" };
    if (ended) return ended;
    try {
      await retryThrottled(() => fis.send(new StopExperimentCommand({ id: experimentId })));
    } catch (error) {
      // Already finished is fine; anything else is checked below by reading the state.
      void error;
    }
    const deadline = options.clock.now() + stopTimeoutMs;
    for (;;) {
      const experiment = await get().catch(() => undefined);
      if (TERMINAL.has(experiment?.state?.status ?? "")) {
        ended = endOf(experiment);
        return ended;
      }
      if (options.clock.now() >= deadline) {
        throw new Error(
          `FIS experiment ${experimentId} is not confirmed stopped within the ${Math.round(stopTimeoutMs / 1000)} s deadline (${describeState(experiment) || "state unknown"}); run: fislat stop ${experimentId}`,
        );
      }
      await options.clock.sleep(Math.min(pollMs, Math.max(0, deadline - options.clock.now())));
    }
  }
}
