// fislat template: the FIS experiment template a run would create, as JSON, without calling AWS,
// for review or for the user's own infrastructure code. Planned by the same planner as `fislat
// run` (the same limits, defaults and experiment files); only the targets are its own, since it
// cannot ask ECS which tasks a service runs.
import { randomUUID } from "node:crypto";
import { buildTemplate, type TargetSelection } from "../aws/fis-template.js";
import type { CommandContext } from "../context.js";
import { faultKind } from "../engine/fault.js";
import { quoted } from "../engine/limits.js";
import type { AwsTarget } from "../engine/plan.js";
import { planExperiment } from "../engine/planner.js";
import { badInput, EXIT, type ExitCode } from "../errors.js";
import { loadExperimentSource } from "./run-options.js";

export interface TemplateFlags {
  scenario?: string;
  experiment?: string;
  roleArn?: string;
  cluster?: string;
  service?: string;
  task?: string[];
  /** The fault's kind; its own flags (--delay, --loss, ...) come as their field names. */
  fault?: string;
  [faultField: string]: unknown;
  duration?: string;
  sources?: string;
  stopAlarm?: string[];
}

/**
 * FIS names tasks by ARN. A bare task id becomes one offline, from the cluster's ARN (the task ARN
 * is the cluster's with `task/<cluster name>/<id>` in place of `cluster/<name>`).
 */
export function taskArnOf(task: string, cluster: string | undefined): string {
  if (task.startsWith("arn:")) return task;
  if (!/^[A-Za-z0-9-]+$/.test(task))
    throw badInput(`--task ${JSON.stringify(task)} is neither a task ARN nor a task id`);
  const m = /^(arn:[^:]+:ecs:[^:]+:[^:]+:)cluster\/(.+)$/.exec(cluster ?? "");
  if (!m) {
    throw badInput(
      `--task ${task} is a task id, and FIS needs its ARN: pass the task's ARN, or --cluster as the cluster's ARN (arn:<partition>:ecs:<region>:<account>:cluster/<name>) to build it`,
    );
  }
  return `${m[1]}task/${m[2]}/${task}`;
}

/** The cluster a task ARN names (`...:task/<cluster>/<id>`); a task ARN of the old form names none. */
function clusterOfTask(taskArn: string): string | undefined {
  return /:task\/([^/]+)\/[^/]+$/.exec(taskArn)?.[1];
}

export function templateCommand(ctx: CommandContext, flags: TemplateFlags): ExitCode {
  const source = loadExperimentSource(flags, ctx.cwd);
  const tasks = (flags.task ?? []).map((t) => taskArnOf(t, flags.cluster));
  if (tasks.length === 0 && !(flags.cluster && flags.service))
    throw badInput("name the targets: --task <arn> (repeatable), or --cluster and --service");
  const cluster = flags.cluster ?? clusterOfTask(tasks[0] as string);
  if (!cluster) throw badInput(`--task ${quoted(tasks[0] as string)} names no cluster: pass --cluster as well`);
  // Offline, a service cannot be resolved to its tasks: FIS is aimed at the service itself.
  const request = planExperiment(
    {
      ...flags,
      local: false,
      cluster,
      task: tasks,
      targetBy: tasks.length > 0 ? "arns" : "service",
    },
    source,
  );
  const aws = request.target as AwsTarget;
  const target: TargetSelection =
    aws.targetBy === "service"
      ? { kind: "service", cluster: aws.cluster, service: aws.service as string }
      : { kind: "arns", taskArns: aws.task };
  const kindOnAws = faultKind(request.fault).aws;
  if ("refused" in kindOnAws) throw badInput(kindOnAws.refused);
  const template = buildTemplate({
    runId: randomUUID(),
    scenario: request.slug,
    roleArn: aws.roleArn,
    fault: request.fault,
    durationMs: request.phases.injectionMs,
    sources: aws.sources,
    target: aws.selection === undefined ? target : { ...target, selectionMode: aws.selection },
    stopAlarmArns: aws.stopAlarm,
  });
  ctx.stdout.write(`${JSON.stringify(template, null, 2)}\n`);
  return EXIT.passed;
}
