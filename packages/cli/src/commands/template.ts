// fislat template: the FIS experiment template a run would create, as JSON, without calling AWS,
// for review or for the user's own infrastructure code.
import { randomUUID } from "node:crypto";
import { buildTemplate, type TargetSelection } from "../aws/fis-template.js";
import { parseDuration } from "../durations.js";
import { type Fault, faultKind } from "../engine/fault.js";
import { planFault } from "../engine/planner.js";
import { isScenarioName, scenarioFile } from "../engine/scenario.js";
import { badInput, EXIT, type ExitCode } from "../errors.js";

export interface TemplateFlags {
  scenario?: string;
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

export function templateCommand(flags: TemplateFlags): ExitCode {
  const scenario = flags.scenario ?? "timeout";
  if (!isScenarioName(scenario)) throw badInput(`--scenario ${JSON.stringify(flags.scenario)} is not a scenario`);
  if (!flags.roleArn) throw badInput("--role-arn is required: the IAM role FIS acts with");
  let target: TargetSelection;
  if ((flags.task ?? []).length > 0)
    target = { kind: "arns", taskArns: (flags.task as string[]).map((t) => taskArnOf(t, flags.cluster)) };
  else if (flags.cluster && flags.service) target = { kind: "service", cluster: flags.cluster, service: flags.service };
  else throw badInput("name the targets: --task <arn> (repeatable), or --cluster and --service");
  // The same rules as fislat run's: the scenario's fault, the flags over it, and FIS's limits.
  const fault: Fault = planFault(flags, scenarioFile(scenario).fault);
  const aws = faultKind(fault).aws;
  if ("refused" in aws) throw badInput(aws.refused);
  const template = buildTemplate({
    runId: randomUUID(),
    scenario,
    roleArn: flags.roleArn,
    fault,
    durationMs: parseDuration("--duration", flags.duration ?? "5m"),
    sources: flags.sources ?? "DYNAMODB",
    target,
    stopAlarmArns: flags.stopAlarm ?? [],
  });
  process.stdout.write(`${JSON.stringify(template, null, 2)}\n`);
  return EXIT.passed;
}
