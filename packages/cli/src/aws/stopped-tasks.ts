// Why a stack's ECS service does not become stable: the stopped tasks' own reasons
// (CannotPullContainerError, ResourceInitializationError, an essential container that exited...),
// read while CloudFormation waits on the service, so fislat deploy can say what to fix instead of
// only "CREATE_IN_PROGRESS" until the deployment circuit breaker or the wait's bound ends it.
import { type CloudFormationClient, DescribeStackResourceCommand } from "@aws-sdk/client-cloudformation";
import { DescribeTasksCommand, type ECSClient, ListTasksCommand, type Task } from "@aws-sdk/client-ecs";
import { retryThrottled } from "./retry.js";

/** The stack's service resource (packages/infra's logical id). */
export const SERVICE_LOGICAL_ID = "Service";
/** DescribeTasks takes at most 100 tasks per call (ECS API reference); the newest 100 are plenty. */
const MAX_TASKS = 100;

/** One line per stopped task: its stop code and reason, and each container's reason. */
export function stopReasonOf(task: Task): string | undefined {
  const containers = (task.containers ?? []).flatMap((c) => (c.reason ? [`container ${c.name}: ${c.reason}`] : []));
  const parts = [task.stoppedReason, ...containers].filter((p): p is string => Boolean(p));
  return parts.length > 0 ? parts.join("; ") : undefined;
}

/**
 * The distinct reasons the stack's service's tasks stopped for, most frequent first; empty when
 * the service does not exist yet or no task has stopped. Failures to look (the ECS client
 * included) are not errors: this only explains a wait.
 */
export async function stoppedTaskReasons(
  cfn: CloudFormationClient,
  ecsClient: () => ECSClient,
  stackName: string,
): Promise<string[]> {
  try {
    const ecs = ecsClient();
    const resource = await retryThrottled(() =>
      cfn.send(new DescribeStackResourceCommand({ StackName: stackName, LogicalResourceId: SERVICE_LOGICAL_ID })),
    );
    // Ref of AWS::ECS::Service is the service ARN: arn:<p>:ecs:<r>:<a>:service/<cluster>/<name>.
    const arn = resource.StackResourceDetail?.PhysicalResourceId ?? "";
    const m = /:service\/([^/]+)\/([^/]+)$/.exec(arn);
    if (!m) return [];
    const [, cluster, serviceName] = m as unknown as [string, string, string];
    const listed = await retryThrottled(() =>
      ecs.send(new ListTasksCommand({ cluster, serviceName, desiredStatus: "STOPPED", maxResults: MAX_TASKS })),
    );
    const arns = listed.taskArns ?? [];
    if (arns.length === 0) return [];
    const described = await retryThrottled(() => ecs.send(new DescribeTasksCommand({ cluster, tasks: arns })));
    const counts = new Map<string, number>();
    for (const task of described.tasks ?? []) {
      const reason = stopReasonOf(task);
      if (reason) counts.set(reason, (counts.get(reason) ?? 0) + 1);
    }
    return [...counts].sort((a, b) => b[1] - a[1]).map(([reason, n]) => (n > 1 ? `${reason} (${n} tasks)` : reason));
  } catch {
    return [];
  }
}
