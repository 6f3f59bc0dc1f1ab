// --launch: a fresh probe task for this run, started with RunTask and the scenario's timeouts as
// container environment overrides (the original setup's "edit task-definition.json and
// re-register" as a flag). Registered with the cleanup owner at once; stopped at the end.
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  type ECSClient,
  type NetworkConfiguration,
  RunTaskCommand,
  StopTaskCommand,
} from "@aws-sdk/client-ecs";
import type { Clock } from "../engine/ports.js";
import { badInput, EXIT, FislatError } from "../errors.js";
import type { Resources } from "../resources.js";
import { probeContainer } from "./ecs-targets.js";
import { MANAGED_BY_TAG, RUN_ID_TAG } from "./fis-template.js";
import { retryThrottled } from "./retry.js";

export interface LaunchOptions {
  cluster: string;
  taskDefinition: string;
  container?: string;
  subnets?: string[];
  securityGroups?: string[];
  assignPublicIp?: boolean;
  /** Copy the network settings from this service when no subnets are given. */
  service?: string;
  environment: Record<string, string>;
  runId: string;
  clock: Clock;
  resources: Resources;
  pollMs?: number;
  runningTimeoutMs?: number;
}

async function networkFor(ecs: ECSClient, options: LaunchOptions): Promise<NetworkConfiguration> {
  if (options.subnets && options.subnets.length > 0) {
    return {
      awsvpcConfiguration: {
        subnets: options.subnets,
        securityGroups: options.securityGroups ?? [],
        assignPublicIp: options.assignPublicIp ? "ENABLED" : "DISABLED",
      },
    };
  }
  if (!options.service) {
    throw badInput("--launch needs --subnets (and --security-groups), or --service to copy them from");
  }
  const res = await retryThrottled(() =>
    ecs.send(new DescribeServicesCommand({ cluster: options.cluster, services: [options.service as string] })),
  );
  const network = res.services?.[0]?.networkConfiguration;
  if (!network?.awsvpcConfiguration) {
    throw new FislatError(
      `service ${options.service} has no awsvpc network configuration to copy: pass --subnets`,
      EXIT.environment,
    );
  }
  return network;
}

/** Starts the task and resolves with its ARN once it is RUNNING. */
export async function launchProbeTask(ecs: ECSClient, options: LaunchOptions): Promise<string> {
  const definition = (
    await retryThrottled(() => ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: options.taskDefinition })))
  ).taskDefinition;
  const container = definition ? probeContainer(definition, options.container) : undefined;
  if (!container?.name) {
    throw new FislatError(
      `task definition ${options.taskDefinition} has no probe container to launch`,
      EXIT.environment,
    );
  }
  const networkConfiguration = await networkFor(ecs, options);
  const res = await retryThrottled(() =>
    ecs.send(
      new RunTaskCommand({
        cluster: options.cluster,
        taskDefinition: options.taskDefinition,
        launchType: "FARGATE",
        count: 1,
        // FIS's SSM agent sidecar cannot run beside ECS Exec's agent.
        enableExecuteCommand: false,
        startedBy: "fislat",
        networkConfiguration,
        overrides: {
          containerOverrides: [
            {
              name: container.name,
              environment: Object.entries(options.environment).map(([name, value]) => ({ name, value })),
            },
          ],
        },
        tags: [
          { key: MANAGED_BY_TAG.key, value: MANAGED_BY_TAG.value },
          { key: RUN_ID_TAG, value: options.runId },
        ],
      }),
    ),
  );
  const taskArn = res.tasks?.[0]?.taskArn;
  if (!taskArn) {
    const why = (res.failures ?? []).map((f) => `${f.reason ?? "?"} ${f.detail ?? ""}`.trim()).join("; ");
    throw new FislatError(`RunTask started no task: ${why || "no reason given"}`, EXIT.environment);
  }
  options.resources.add(`launched task ${taskArn}`, () =>
    retryThrottled(() =>
      ecs.send(new StopTaskCommand({ cluster: options.cluster, task: taskArn, reason: "fislat run finished" })),
    ),
  );

  const deadline = options.clock.now() + (options.runningTimeoutMs ?? 300_000);
  for (;;) {
    const task = (
      await retryThrottled(() => ecs.send(new DescribeTasksCommand({ cluster: options.cluster, tasks: [taskArn] })))
    ).tasks?.[0];
    if (task?.lastStatus === "RUNNING") return taskArn;
    if (task?.lastStatus === "STOPPED" || task?.desiredStatus === "STOPPED") {
      throw new FislatError(
        `launched task stopped before running: ${task.stoppedReason ?? "no reason given"}`,
        EXIT.environment,
      );
    }
    if (options.clock.now() > deadline) {
      throw new FislatError(
        `launched task ${taskArn} is not RUNNING after 5 minutes (${task?.lastStatus})`,
        EXIT.environment,
      );
    }
    await options.clock.sleep(options.pollMs ?? 5000);
  }
}
