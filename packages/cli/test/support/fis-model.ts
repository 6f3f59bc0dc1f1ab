// One model of AWS FIS for every test: templates and experiments with FIS's state machine
// (initiating -> running -> completed; stopping -> stopped; failed), shared by the in-process
// simulation (simulated-aws.ts, behind aws-sdk-client-mock) and the HTTP fake (fake-aws-http.ts,
// for the built CLI). Each request is checked against the FIS API model's constraints before it is
// served, so a test fails where FIS would refuse what fislat sends (ValidationException).
// Source for every limit: the FIS Smithy model, fis-2020-12-01.json in aws/api-models-aws
// (shared/facts/fis-and-ecs-fault-injection.md, section 1).

import { actionProblems } from "./fis-action-model.js";
import { ModelError } from "./model.js";

/** An error as FIS answers it: its name is the exception's. */
export class FisError extends ModelError {
  constructor(
    name: "ValidationException" | "ResourceNotFoundException" | "ConflictException" | "ServiceQuotaExceededException",
    message: string,
  ) {
    super(name, message, name === "ResourceNotFoundException" ? 404 : name === "ConflictException" ? 409 : 400);
  }
}

/** ExperimentTemplateDescription: at most 512 characters. */
const MAX_DESCRIPTION = 512;
/** ExperimentTemplateActionParameter: 1 to 1024 characters, pattern ^[\S]+$. */
const MAX_ACTION_PARAMETER = 1024;
/** ResourceArnList: at most 5 ARNs per target. */
const MAX_RESOURCE_ARNS = 5;
/** TagMap: at most 50 tags. */
const MAX_TAGS = 50;
/** ExperimentTemplateTargetName / ActionName: at most 64 characters, no whitespace. */
const NAME = /^[\S]{1,64}$/;
/** ExperimentTemplateTargetSelectionMode. */
const SELECTION_MODE = /^(ALL|COUNT\(\d+\)|PERCENT\(\d+\))$/;
/** ExperimentTemplateTargetFilterPath: at most 256 characters. */
const MAX_FILTER_PATH = 256;

export interface TemplateTarget {
  resourceType: string;
  resourceArns?: string[];
  resourceTags?: Record<string, string>;
  filters?: { path: string; values: string[] }[];
  parameters?: Record<string, string>;
  selectionMode: string;
}

export interface TemplateInput {
  clientToken?: string;
  description: string;
  roleArn: string;
  targets?: Record<string, TemplateTarget>;
  actions: Record<
    string,
    { actionId: string; description?: string; parameters?: Record<string, string>; targets?: Record<string, string> }
  >;
  stopConditions: { source: string; value?: string }[];
  tags?: Record<string, string>;
}

/** The CreateExperimentTemplate request against the FIS API model: what FIS would refuse, refused. */
export function checkTemplateInput(input: TemplateInput): void {
  const invalid = (message: string) => new FisError("ValidationException", message);
  for (const member of ["description", "roleArn", "actions", "stopConditions"] as const)
    if (input[member] === undefined) throw invalid(`${member} is required`);
  if (input.description.length > MAX_DESCRIPTION)
    throw invalid(`description: ${input.description.length} characters, at most ${MAX_DESCRIPTION}`);
  if (input.roleArn.length < 20 || input.roleArn.length > 2048) throw invalid("roleArn: 20 to 2048 characters");
  if (Object.keys(input.tags ?? {}).length > MAX_TAGS) throw invalid(`tags: at most ${MAX_TAGS}`);
  for (const [name, target] of Object.entries(input.targets ?? {})) {
    if (!NAME.test(name)) throw invalid(`target name ${name}: 1 to 64 characters, no whitespace`);
    if (!target.resourceType) throw invalid(`targets.${name}.resourceType is required`);
    if (!SELECTION_MODE.test(target.selectionMode ?? ""))
      throw invalid(`targets.${name}.selectionMode ${target.selectionMode}: ALL, COUNT(n) or PERCENT(n)`);
    if ((target.resourceArns ?? []).length > MAX_RESOURCE_ARNS)
      throw invalid(`targets.${name}.resourceArns: at most ${MAX_RESOURCE_ARNS}`);
    for (const f of target.filters ?? [])
      if (!f.path || f.path.length > MAX_FILTER_PATH || !Array.isArray(f.values))
        throw invalid(`targets.${name}.filters: a path of 1 to ${MAX_FILTER_PATH} characters and values`);
  }
  for (const [name, action] of Object.entries(input.actions)) {
    if (!NAME.test(name)) throw invalid(`action name ${name}: 1 to 64 characters, no whitespace`);
    if (!action.actionId) throw invalid(`actions.${name}.actionId is required`);
    if ((action.description ?? "").length > MAX_DESCRIPTION)
      throw invalid(`actions.${name}.description: at most ${MAX_DESCRIPTION} characters`);
    for (const [key, value] of Object.entries(action.parameters ?? {}))
      if (typeof value !== "string" || value.length < 1 || value.length > MAX_ACTION_PARAMETER || /\s/.test(value))
        throw invalid(`actions.${name}.parameters.${key}: 1 to ${MAX_ACTION_PARAMETER} characters without whitespace`);
    for (const targetName of Object.values(action.targets ?? {}))
      if (!input.targets?.[targetName]) throw invalid(`actions.${name} names no target ${targetName}`);
  }
  for (const c of input.stopConditions)
    if (c.source !== "none" && !(c.source === "aws:cloudwatch:alarm" && c.value))
      throw invalid("stopConditions: none, or aws:cloudwatch:alarm with the alarm's ARN");
}

const isoDurationMs = (iso: string) => {
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?$/.exec(iso);
  return ((Number(m?.[1] ?? 0) * 60 + Number(m?.[2] ?? 0)) * 60 + Number(m?.[3] ?? 0)) * 1000;
};

export interface ModelExperiment {
  id: string;
  templateId: string;
  roleArn: string;
  startedAt: number;
  actionStartAt: number;
  durationMs: number;
  stoppedAt?: number;
  /** GetExperiment reads answered since the stop (FIS shows "stopping" for a while). */
  readsSinceStop: number;
  tags: Record<string, string>;
  targets: Record<string, TemplateTarget>;
  /** The name of the template's one action (its state is shown under it). */
  actionName: string;
  actionId: string;
  /** The action's parameters, as the template gave them (the probe model applies them). */
  parameters: Record<string, string>;
  /** Task ARNs FIS resolved the target to. */
  resolved: string[];
}

export interface FisModelOptions {
  /** From StartExperiment to the action running (FIS resolves targets and starts the SSM document). */
  actionStartMs?: number;
  /** The action fails when it would start, with this reason. */
  actionFails?: string;
  /** A stop is accepted but never completes. */
  neverStops?: boolean;
  /** GetExperiment reads that show "stopping" after a stop before "stopped". */
  stoppingReads?: number;
}

/** FIS's templates and experiments on a clock the caller gives (virtual or real milliseconds). */
export class FisModel {
  readonly templates = new Map<string, TemplateInput>();
  readonly experiments = new Map<string, ModelExperiment>();
  private templateCount = 0;

  constructor(
    private readonly options: FisModelOptions = {},
    /** The tasks a target resolves to at start. */
    private readonly resolve: (target: TemplateTarget | undefined) => string[] = () => [],
  ) {}

  /** FIS's operations by API name, on the transport's clock: what both transports dispatch to. */
  operations(now: () => number) {
    return {
      CreateExperimentTemplate: (input: TemplateInput) => ({ experimentTemplate: this.createTemplate(input, now()) }),
      DeleteExperimentTemplate: (input: { id: string }) => ({ experimentTemplate: this.deleteTemplate(input.id) }),
      StartExperiment: (input: { experimentTemplateId: string; tags?: Record<string, string> }) => ({
        experiment: this.startExperiment(input, now()),
      }),
      GetExperiment: (input: { id: string }) => ({ experiment: this.getExperiment(input.id, now()) }),
      StopExperiment: (input: { id: string }) => ({ experiment: this.stopExperiment(input.id, now()) }),
      ListExperimentResolvedTargets: (input: { experimentId: string }) => ({
        resolvedTargets: this.resolvedTargets(input.experimentId),
      }),
      ListExperiments: () => ({ experiments: this.listExperiments(now()) }),
    };
  }

  createTemplate(input: TemplateInput, now: number) {
    checkTemplateInput(input);
    // FIS validates each action's parameters against the action's definition (fis-action-model.ts).
    const problems = Object.values(input.actions ?? {}).flatMap((a) => actionProblems(a));
    if (problems.length > 0) throw new FisError("ValidationException", problems.join("; "));
    const id = `EXT${++this.templateCount}`;
    this.templates.set(id, input);
    return {
      id,
      description: input.description,
      roleArn: input.roleArn,
      tags: input.tags,
      creationTime: new Date(now),
    };
  }

  deleteTemplate(id: string) {
    if (!this.templates.delete(id))
      throw new FisError("ResourceNotFoundException", `Experiment template ${id} not found.`);
    return { id };
  }

  startExperiment(
    input: { experimentTemplateId: string; clientToken?: string; tags?: Record<string, string> },
    now: number,
  ) {
    if (!input.experimentTemplateId) throw new FisError("ValidationException", "experimentTemplateId is required");
    const template = this.templates.get(input.experimentTemplateId);
    if (!template)
      throw new FisError("ResourceNotFoundException", `Experiment template ${input.experimentTemplateId} not found.`);
    const [actionName, action] = Object.entries(template.actions)[0] ?? ["action", { actionId: "", parameters: {} }];
    const id = `EXP${this.experiments.size + 1}`;
    const experiment: ModelExperiment = {
      id,
      templateId: input.experimentTemplateId,
      roleArn: template.roleArn,
      startedAt: now,
      actionStartAt: now + (this.options.actionStartMs ?? 3000),
      durationMs: isoDurationMs(action.parameters?.duration ?? "PT1M"),
      readsSinceStop: 0,
      tags: input.tags ?? {},
      targets: template.targets ?? {},
      actionName,
      actionId: action.actionId,
      parameters: action.parameters ?? {},
      resolved: this.resolve(Object.values(template.targets ?? {})[0]),
    };
    this.experiments.set(id, experiment);
    return this.view(experiment, now);
  }

  experiment(id: string): ModelExperiment {
    const e = this.experiments.get(id);
    if (!e) throw new FisError("ResourceNotFoundException", `Experiment ${id} not found.`);
    return e;
  }

  getExperiment(id: string, now: number) {
    const e = this.experiment(id);
    const view = this.view(e, now);
    if (e.stoppedAt !== undefined) e.readsSinceStop += 1;
    return view;
  }

  stopExperiment(id: string, now: number) {
    const e = this.experiment(id);
    e.stoppedAt ??= now;
    return this.view(e, now);
  }

  listExperiments(now: number) {
    return [...this.experiments.values()].map((e) => {
      const view = this.view(e, now);
      return {
        id: e.id,
        experimentTemplateId: e.templateId,
        state: view.state,
        tags: e.tags,
        creationTime: view.creationTime,
      };
    });
  }

  resolvedTargets(id: string) {
    const e = this.experiment(id);
    const targetName = Object.keys(e.targets)[0] ?? "target";
    return e.resolved.map((arn) => ({ resourceType: "aws:ecs:task", targetName, targetInformation: { arn } }));
  }

  /** Whether the action is applying its fault at `t` (between its start and its end or stop). */
  actionActive(e: ModelExperiment, t: number): boolean {
    if (this.options.actionFails) return false;
    const end = Math.min(e.actionStartAt + e.durationMs, e.stoppedAt ?? Number.POSITIVE_INFINITY);
    return t >= e.actionStartAt && t < end;
  }

  /** The experiment as GetExperiment shows it at `now`. */
  view(e: ModelExperiment, now: number) {
    const actionEnd = e.actionStartAt + e.durationMs;
    let status = "initiating";
    let actionStatus = "pending";
    let reason: string | undefined;
    let endTime: number | undefined;
    if (this.options.actionFails && now >= e.actionStartAt) {
      status = "failed";
      actionStatus = "failed";
      reason = this.options.actionFails;
      endTime = e.actionStartAt;
    } else if (e.stoppedAt !== undefined) {
      const confirmed = !this.options.neverStops && e.readsSinceStop >= (this.options.stoppingReads ?? 0);
      status = confirmed ? "stopped" : "stopping";
      actionStatus = status;
      if (confirmed) endTime = e.stoppedAt;
    } else if (now >= actionEnd) {
      status = "completed";
      actionStatus = "completed";
      endTime = actionEnd;
    } else if (now >= e.actionStartAt) {
      status = "running";
      actionStatus = "running";
    }
    const actionStarted = now >= e.actionStartAt && (e.stoppedAt ?? now) >= e.actionStartAt;
    return {
      id: e.id,
      experimentTemplateId: e.templateId,
      roleArn: e.roleArn,
      state: { status, ...(reason ? { reason } : {}) },
      tags: e.tags,
      targets: e.targets,
      creationTime: new Date(e.startedAt),
      startTime: new Date(e.startedAt),
      ...(endTime === undefined ? {} : { endTime: new Date(endTime) }),
      actions: {
        [e.actionName]: {
          actionId: e.actionId,
          state: { status: actionStatus, ...(reason && status === "failed" ? { reason } : {}) },
          ...(actionStarted ? { startTime: new Date(e.actionStartAt) } : {}),
          ...(endTime === undefined ? {} : { endTime: new Date(endTime) }),
        },
      },
    };
  }
}
