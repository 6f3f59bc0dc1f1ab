// What FIS needs to reach each Fargate task, checked before any fault exists: the SSM agent
// sidecar (with MANAGED_INSTANCE_ROLE_NAME) that registers the task as a managed instance tagged
// ECS_TASK_ARN, ECS Exec off (its own SSM agent keeps the sidecar from starting), and the
// registration itself. Source: FIS user guide, "Use the AWS FIS aws:ecs:task actions".
import type { ContainerDefinition, Task, TaskDefinition } from "@aws-sdk/client-ecs";
import { DescribeInstanceInformationCommand, type SSMClient } from "@aws-sdk/client-ssm";
import type { Clock } from "../engine/ports.js";
import { EXIT, FislatError } from "../errors.js";
import { retryThrottled } from "./retry.js";

export interface Problem {
  what: string;
  fix: string;
}

/** The tag the FIS sidecar script puts on the managed instance it registers for a task. */
export const TASK_ARN_TAG = "ECS_TASK_ARN";
/** InstanceInformationStringFilter takes at most 100 values (SSM API reference). */
const MAX_FILTER_VALUES = 100;

const idOf = (arn: string) => arn.split("/").at(-1) ?? arn;

/**
 * The SSM agent sidecar: the image the FIS user guide names, or (an image copied to a private
 * repository, as partitions without ECR Public need) the container named so or given
 * MANAGED_INSTANCE_ROLE_NAME.
 */
export function ssmSidecar(definition: TaskDefinition): ContainerDefinition | undefined {
  const containers = definition.containerDefinitions ?? [];
  return (
    containers.find((c) => /amazon-ssm-agent/.test(c.image ?? "")) ??
    containers.find(
      (c) =>
        c.name === "amazon-ssm-agent" || (c.environment ?? []).some((e) => e.name === "MANAGED_INSTANCE_ROLE_NAME"),
    )
  );
}

/** The sidecar and ECS Exec, from the task definition and the running task. */
export function sidecarProblems(definition: TaskDefinition, family: string, task: Task): Problem[] {
  const problems: Problem[] = [];
  const sidecar = ssmSidecar(definition);
  if (!sidecar) {
    problems.push({
      what: `task definition ${family} has no SSM agent sidecar container`,
      fix: "add the amazon-ssm-agent sidecar from the FIS user guide (fislat deploy's task definition has it): FIS reaches Fargate tasks only through it",
    });
  } else if (!(sidecar.environment ?? []).some((e) => e.name === "MANAGED_INSTANCE_ROLE_NAME" && e.value)) {
    problems.push({
      what: `the SSM agent sidecar ${sidecar.name} of ${family} has no MANAGED_INSTANCE_ROLE_NAME`,
      fix: "set MANAGED_INSTANCE_ROLE_NAME to the role the sidecar registers the task with (AmazonSSMManagedInstanceCore)",
    });
  }
  if (task.enableExecuteCommand === true) {
    problems.push({
      what: `task ${idOf(task.taskArn ?? "")} has ECS Exec enabled`,
      fix: "start the task with ECS Exec off (--no-enable-execute-command / enableExecuteCommand: false): its SSM agent keeps FIS's sidecar from registering",
    });
  }
  return problems;
}

/** Task ARNs not registered (and online) as SSM managed instances tagged ECS_TASK_ARN. */
export async function unregisteredTasks(ssm: SSMClient, taskArns: string[]): Promise<string[]> {
  const online = async (values: string[]) => {
    let count = 0;
    let nextToken: string | undefined;
    do {
      const page = await retryThrottled(() =>
        ssm.send(
          new DescribeInstanceInformationCommand({
            Filters: [{ Key: `tag:${TASK_ARN_TAG}`, Values: values }],
            // DescribeInstanceInformation pages hold at most 50 (SSM API reference, MaxResults 5-50).
            MaxResults: 50,
            NextToken: nextToken,
          }),
        ),
      );
      count += (page.InstanceInformationList ?? []).filter((i) => i.PingStatus === "Online").length;
      nextToken = page.NextToken;
    } while (nextToken);
    return count;
  };
  const missing: string[] = [];
  for (let i = 0; i < taskArns.length; i += MAX_FILTER_VALUES) {
    const chunk = taskArns.slice(i, i + MAX_FILTER_VALUES);
    // The answer does not carry the tags: when a chunk comes up short, ask task by task to name them.
    if ((await online(chunk)) >= chunk.length) continue;
    for (const arn of chunk) if ((await online([arn])) === 0) missing.push(arn);
  }
  return missing;
}

export function registrationProblem(missing: string[]): Problem | undefined {
  if (missing.length === 0) return undefined;
  return {
    what: `${missing.length} task(s) not registered with SSM as a managed instance tagged ${TASK_ARN_TAG}, so FIS cannot reach them: ${missing
      .slice(0, 5)
      .map(idOf)
      .join(", ")}${missing.length > 5 ? ", ..." : ""}`,
    fix: "look at the amazon-ssm-agent sidecar's log; the task role needs ssm:CreateActivation and iam:PassRole on MANAGED_INSTANCE_ROLE_NAME, and the task needs a route to the SSM endpoints",
  };
}

/** --launch: a new task registers some time after RUNNING; FIS cannot reach it before. */
export async function waitForRegistration(
  ssm: SSMClient,
  taskArns: string[],
  clock: Clock,
  boundMs = 300_000,
  pollMs = 10_000,
): Promise<void> {
  const began = clock.now();
  for (;;) {
    const missing = await unregisteredTasks(ssm, taskArns);
    if (missing.length === 0) return;
    if (clock.now() - began >= boundMs) {
      const problem = registrationProblem(missing) as Problem;
      throw new FislatError(
        `${problem.what} after waiting ${Math.round(boundMs / 1000)} s; no fault was created.\n  fix: ${problem.fix}`,
        EXIT.environment,
      );
    }
    await clock.sleep(pollMs);
  }
}
