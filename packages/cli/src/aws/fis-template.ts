// The FIS experiment template for a latency experiment, as data: action
// aws:ecs:task-network-latency through the ECS fault injection endpoints, aimed at the probe's
// tasks by ARN (or by cluster and service), tagged as fislat's. Pure: `fislat template` prints it,
// the FIS injector sends it. Limits are the FIS API model's (shared/facts).
import { toIsoDuration } from "../durations.js";
import { badInput } from "../errors.js";

export const FIS_ACTION_ID = "aws:ecs:task-network-latency";
export const MANAGED_BY_TAG = { key: "managed-by", value: "fislat" } as const;
export const RUN_ID_TAG = "fislat-run-id";
export const SCENARIO_TAG = "fislat-scenario";
/** The FIS API takes at most five ARNs per target (and the action's default quota is five tasks). */
export const MAX_TARGET_ARNS = 5;
const TARGET_NAME = "probeTasks";
/** The action's name in the template, under which experiments report its state and times. */
export const ACTION_KEY = "dynamodbLatency";

export type TargetSelection =
  | { kind: "arns"; taskArns: string[] }
  | { kind: "service"; cluster: string; service: string };

export interface TemplateSpec {
  runId: string;
  scenario: string;
  roleArn: string;
  delayMs: number;
  jitterMs: number;
  durationMs: number;
  /** Comma-separated FIS sources: DYNAMODB by default. */
  sources: string;
  target: TargetSelection;
  stopAlarmArns: string[];
}

/** The CreateExperimentTemplate request, without the clientToken (the caller adds one). */
export interface TemplateRequest {
  description: string;
  roleArn: string;
  targets: Record<
    string,
    { resourceType: "aws:ecs:task"; selectionMode: "ALL"; resourceArns?: string[]; parameters?: Record<string, string> }
  >;
  actions: Record<
    string,
    { actionId: string; description: string; parameters: Record<string, string>; targets: Record<string, string> }
  >;
  stopConditions: { source: string; value?: string }[];
  tags: Record<string, string>;
}

export function buildTemplate(spec: TemplateSpec): TemplateRequest {
  if (spec.durationMs < 60_000) {
    throw badInput(
      `--duration ${toIsoDuration(spec.durationMs)} is too short for FIS: actions run for 1 minute or more`,
    );
  }
  if (!/^[A-Za-z0-9.,:/_-]+$/.test(spec.sources)) {
    throw badInput(
      `--sources ${JSON.stringify(spec.sources)} is not valid: comma-separated, no spaces (e.g. DYNAMODB or DYNAMODB,S3)`,
    );
  }
  const target =
    spec.target.kind === "arns"
      ? { resourceType: "aws:ecs:task" as const, selectionMode: "ALL" as const, resourceArns: spec.target.taskArns }
      : {
          resourceType: "aws:ecs:task" as const,
          selectionMode: "ALL" as const,
          parameters: { cluster: spec.target.cluster, service: spec.target.service },
        };
  if (spec.target.kind === "arns" && spec.target.taskArns.length > MAX_TARGET_ARNS) {
    throw badInput(
      `${spec.target.taskArns.length} tasks: FIS takes at most ${MAX_TARGET_ARNS} task ARNs per experiment; name fewer with --task, or use --target-by service`,
    );
  }
  return {
    description: `fislat ${spec.scenario}: ${spec.delayMs} ms +/- ${spec.jitterMs} ms to ${spec.sources} for ${toIsoDuration(spec.durationMs)} (run ${spec.runId})`,
    roleArn: spec.roleArn,
    targets: { [TARGET_NAME]: target },
    actions: {
      [ACTION_KEY]: {
        actionId: FIS_ACTION_ID,
        description: "network latency to DynamoDB through the ECS fault injection endpoints",
        parameters: {
          duration: toIsoDuration(spec.durationMs),
          delayMilliseconds: String(Math.round(spec.delayMs)),
          jitterMilliseconds: String(Math.round(spec.jitterMs)),
          sources: spec.sources,
          useEcsFaultInjectionEndpoints: "true",
        },
        targets: { Tasks: TARGET_NAME },
      },
    },
    stopConditions:
      spec.stopAlarmArns.length === 0
        ? [{ source: "none" }]
        : spec.stopAlarmArns.map((value) => ({ source: "aws:cloudwatch:alarm", value })),
    tags: { [MANAGED_BY_TAG.key]: MANAGED_BY_TAG.value, [RUN_ID_TAG]: spec.runId, [SCENARIO_TAG]: spec.scenario },
  };
}
