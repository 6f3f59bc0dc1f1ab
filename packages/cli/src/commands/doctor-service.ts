// fislat doctor for the user's own ECS service (one that does not run fislat's probe): one check
// per requirement of FIS's ECS latency action, and the task-definition change to paste when any
// is missing. The probe's own checks (Round trip lines in its log group) do not apply to it.
import type { TaskDefinition } from "@aws-sdk/client-ecs";
import type { AwsClients } from "../aws/clients.js";
import { registrationProblem, unregisteredTasks } from "../aws/preflight.js";
import { checkServiceReadiness, type ServiceReadiness } from "../aws/task-definition-check.js";
import type { Check } from "./doctor.js";

/** A task definition runs fislat's probe when a container carries the probe's own settings. */
export function runsProbe(definition: TaskDefinition): boolean {
  return (definition.containerDefinitions ?? []).some((c) => {
    const names = new Set((c.environment ?? []).map((e) => e.name));
    return names.has("TEST_INTERVAL_SECONDS") || (names.has("CONNECTION_TIMEOUT_MS") && names.has("READ_TIMEOUT_MS"));
  });
}

const LABELS: Record<string, string> = {
  enableFaultInjection: "enableFaultInjection",
  pidMode: "pidMode task",
  networkMode: "awsvpc",
  linux: "Linux",
  platformVersion: "platform version",
  sidecar: "SSM agent sidecar",
  sidecarRole: "sidecar's MANAGED_INSTANCE_ROLE_NAME",
  sidecarEssential: "sidecar not essential",
  ecsExec: "ECS Exec off",
  taskRole: "task role may create the SSM activation",
};

/** The checks for a service, and the readiness they came from (undefined when it could not be read). */
export async function serviceChecks(
  clients: AwsClients,
  where: { cluster: string; service: string },
): Promise<{ checks: Check[]; readiness?: ServiceReadiness }> {
  let readiness: ServiceReadiness;
  try {
    readiness = await checkServiceReadiness(clients, where);
  } catch (error) {
    return {
      checks: [
        {
          name: "service",
          status: "FAIL",
          detail: (error as Error).message,
          fix: "name the cluster and service your application runs in: --cluster C --service NAME",
        },
      ],
    };
  }
  const checks: Check[] = [
    {
      name: "service",
      status: "PASS",
      detail: `${where.service} in cluster ${where.cluster}: task definition ${readiness.family}, ${readiness.tasks?.length ?? 0} task(s) running`,
    },
  ];
  for (const r of readiness.requirements) {
    checks.push({
      name: LABELS[r.id] ?? r.id,
      status: r.ok === true ? "PASS" : r.ok === false ? "FAIL" : "WARN",
      detail: r.what,
      ...(r.ok === true ? {} : { fix: r.fix }),
    });
  }
  // FIS reaches a task only once its sidecar registered it with SSM.
  const arns = (readiness.tasks ?? []).flatMap((t) => (t.taskArn ? [t.taskArn] : []));
  if (arns.length > 0) {
    try {
      const problem = registrationProblem(await unregisteredTasks(clients.ssm, arns));
      checks.push(
        problem
          ? { name: "SSM registration", status: "FAIL", detail: problem.what, fix: problem.fix }
          : {
              name: "SSM registration",
              status: "PASS",
              detail: `all ${arns.length} running task(s) are managed instances`,
            },
      );
    } catch (error) {
      checks.push({
        name: "SSM registration",
        status: "WARN",
        detail: `could not ask SSM: ${(error as Error).message}`,
        fix: "allow ssm:DescribeInstanceInformation",
      });
    }
  }
  if (readiness.change || readiness.taskRoleStatements) {
    checks.push({
      name: "the change to make",
      // Only a task role that could not be checked: a suggestion, not a failure.
      status: readiness.requirements.some((r) => r.ok === false) ? "FAIL" : "WARN",
      detail: `task definition ${readiness.family}${readiness.taskRoleStatements ? " and its task role" : ""} need the change below: register a revision with these fields (a container listed is added to containerDefinitions, or replaces the one of its name)${readiness.taskRoleStatements ? ", and add the statements to the task role" : ""}`,
      change: {
        ...(readiness.change ? { taskDefinition: readiness.change } : {}),
        ...(readiness.taskRoleStatements ? { taskRoleStatements: readiness.taskRoleStatements } : {}),
      },
    });
  }
  return { checks, readiness };
}
