// The FIS experiment template, as data: the fault kind's action (fault.ts; for latency,
// aws:ecs:task-network-latency through the ECS fault injection endpoints), aimed at the probe's
// tasks by ARN (or by cluster and service, or tag), tagged as fislat's. Pure: `fislat template`
// prints it, the FIS injector sends it. Limits are the FIS API model's (shared/facts).
import { toIsoDuration } from "../durations.js";
import { type Fault, fisActionOf } from "../engine/fault.js";
import { checkSources } from "../engine/fis-sources.js";
import { badInput } from "../errors.js";

export const MANAGED_BY_TAG = { key: "managed-by", value: "fislat" } as const;
export const RUN_ID_TAG = "fislat-run-id";
export const SCENARIO_TAG = "fislat-scenario";
/**
 * The FIS API takes at most five ARNs per target (FIS API model, ResourceArnList), and the action
 * acts on at most five tasks by default (Service Quotas, "Target Tasks for
 * aws:ecs:task-network-latency", L-B34128D0, adjustable; FIS user guide, quotas).
 */
export const MAX_TARGET_ARNS = 5;
const TARGET_NAME = "probeTasks";
/** The action's name in the template, under which experiments report its state and times. */
export const ACTION_KEY = "dynamodbLatency";

export type TargetSelection = (
  | { kind: "arns"; taskArns: string[] }
  | { kind: "service"; cluster: string; service: string }
  | {
      kind: "tag";
      key: string;
      value: string;
      /** The cluster fislat checked: FIS resolves a tag across the account and Region, so the target is kept to it. */
      clusterArn?: string;
    }
) & {
  /** Which of the resolved tasks FIS picks: ALL, COUNT(n) or PERCENT(n) (FIS API model). */
  selectionMode?: string;
};

/** Checks a selection mode as FIS defines it: ALL, COUNT(n) with n >= 1, PERCENT(n) with 1 <= n <= 100. */
export function parseSelectionMode(text: string): string {
  const m = /^(ALL|COUNT\((\d+)\)|PERCENT\((\d+)\))$/.exec(text.trim().toUpperCase());
  const count = m?.[2] === undefined ? undefined : Number(m[2]);
  const percent = m?.[3] === undefined ? undefined : Number(m[3]);
  if (!m || (count !== undefined && count < 1) || (percent !== undefined && (percent < 1 || percent > 100))) {
    throw badInput(
      `--selection ${JSON.stringify(text)} is not valid: expected ALL, COUNT(n) with n >= 1, or PERCENT(n) with n from 1 to 100`,
    );
  }
  return m[0] as string;
}

export interface TemplateSpec {
  runId: string;
  scenario: string;
  roleArn: string;
  fault: Fault;
  durationMs: number;
  /** Comma-separated FIS sources: DYNAMODB by default. */
  sources: string;
  target: TargetSelection;
  stopAlarmArns: string[];
  /**
   * false when the tasks' SSM sidecar already carries the tools the action's SSM document uses
   * (atd, curl-minimal, dig, jq, lsof): the action then skips installing them, and the fault takes
   * effect sooner. Absent: FIS's default (install them on every run).
   */
  installDependencies?: boolean;
}

/** Set on the SSM sidecar container by a task definition whose sidecar image has the action's tools. */
export const SIDECAR_DEPENDENCIES_ENV = "FISLAT_FIS_DEPENDENCIES";

/** The CreateExperimentTemplate request, without the clientToken (the caller adds one). */
export interface TemplateRequest {
  description: string;
  roleArn: string;
  targets: Record<
    string,
    {
      resourceType: "aws:ecs:task";
      selectionMode: string;
      resourceArns?: string[];
      resourceTags?: Record<string, string>;
      filters?: { path: string; values: string[] }[];
      parameters?: Record<string, string>;
    }
  >;
  actions: Record<
    string,
    { actionId: string; description: string; parameters: Record<string, string>; targets: Record<string, string> }
  >;
  stopConditions: { source: string; value?: string }[];
  tags: Record<string, string>;
}

/**
 * The filter that keeps a tag target to one cluster: the task's cluster ARN, as DescribeTasks names
 * it (FIS filters a resource by a path into its describe call's output; FIS user guide, "Targets",
 * resource filters). The exact path FIS accepts for aws:ecs:task is not in the pages fislat could
 * read: the README says so, and the run checks the tasks FIS resolved against the ones it checked.
 */
export const CLUSTER_FILTER_PATH = "ClusterArn";
/** Template and action descriptions are at most 512 characters (FIS API model, ExperimentTemplateDescription). */
export const MAX_DESCRIPTION_LENGTH = 512;

/** A description FIS takes: cut short, with an ellipsis, past 512 characters (a long --sources). */
export function fitDescription(text: string, max = MAX_DESCRIPTION_LENGTH): string {
  if (text.length <= max) return text;
  return max > 3 ? `${text.slice(0, max - 3)}...` : "";
}

export function buildTemplate(spec: TemplateSpec): TemplateRequest {
  if (spec.durationMs < 60_000) {
    throw badInput(
      `--duration ${toIsoDuration(spec.durationMs)} is too short for FIS: actions run for 1 minute or more`,
    );
  }
  checkSources(spec.sources);
  const selectionMode = parseSelectionMode(spec.target.selectionMode ?? "ALL");
  const resourceType = "aws:ecs:task" as const;
  const target =
    spec.target.kind === "arns"
      ? { resourceType, selectionMode, resourceArns: spec.target.taskArns }
      : spec.target.kind === "tag"
        ? {
            resourceType,
            selectionMode,
            resourceTags: { [spec.target.key]: spec.target.value },
            ...(spec.target.clusterArn
              ? { filters: [{ path: CLUSTER_FILTER_PATH, values: [spec.target.clusterArn] }] }
              : {}),
          }
        : { resourceType, selectionMode, parameters: { cluster: spec.target.cluster, service: spec.target.service } };
  if (spec.target.kind === "arns") {
    const bare = spec.target.taskArns.find((a) => !a.startsWith("arn:"));
    if (bare) {
      throw badInput(
        `--task ${JSON.stringify(bare)} is a task id: FIS needs the task's ARN (arn:<partition>:ecs:<region>:<account>:task/<cluster>/<id>)`,
      );
    }
  }
  if (spec.target.kind === "arns" && spec.target.taskArns.length > MAX_TARGET_ARNS) {
    throw badInput(
      `${spec.target.taskArns.length} tasks: FIS takes at most ${MAX_TARGET_ARNS} task ARNs per experiment; name fewer with --task, or use --target-by service (or tag) with --selection, e.g. PERCENT(20)`,
    );
  }
  const action = fisActionOf(spec.fault, {
    durationMs: spec.durationMs,
    sources: spec.sources,
    ...(spec.installDependencies === undefined ? {} : { installDependencies: spec.installDependencies }),
  });
  return {
    // The run id stays whole (it tells a person which run made the template): the action's part is cut.
    description: ((prefix, suffix) =>
      fitDescription(
        `${prefix}${fitDescription(action.description, MAX_DESCRIPTION_LENGTH - prefix.length - suffix.length)}${suffix}`,
      ))(`fislat ${spec.scenario}: `, ` for ${toIsoDuration(spec.durationMs)} (run ${spec.runId})`),
    roleArn: spec.roleArn,
    targets: { [TARGET_NAME]: target },
    actions: {
      [ACTION_KEY]: { ...action, description: fitDescription(action.description), targets: { Tasks: TARGET_NAME } },
    },
    stopConditions:
      spec.stopAlarmArns.length === 0
        ? [{ source: "none" }]
        : spec.stopAlarmArns.map((value) => ({ source: "aws:cloudwatch:alarm", value })),
    tags: { [MANAGED_BY_TAG.key]: MANAGED_BY_TAG.value, [RUN_ID_TAG]: spec.runId, [SCENARIO_TAG]: spec.scenario },
  };
}
