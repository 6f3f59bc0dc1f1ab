// Finds the probe's ECS tasks (by service, task ARN or id, or tag) and checks, before any fault
// exists, everything the FIS latency action and fislat's log reading need. Each problem is named
// with how to fix it; all of them are reported at once (exit 6).
import type { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
  type ContainerDefinition,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  type ECSClient,
  ListTasksCommand,
  type Task,
  type TaskDefinition,
} from "@aws-sdk/client-ecs";
import type { Target } from "../engine/ports.js";
import { badInput, EXIT, FislatError } from "../errors.js";
import { SIDECAR_DEPENDENCIES_ENV } from "./fis-template.js";
import { sidecarProblems, ssmSidecar } from "./preflight.js";
import { retryThrottled } from "./retry.js";

export type TaskSelector =
  | { kind: "service"; cluster: string; service: string }
  | { kind: "tasks"; cluster: string; tasks: string[] }
  | { kind: "tag"; cluster: string; key: string; value: string };

/** The probe's settings as the task really runs them: task definition environment, then overrides. */
export interface ProbeSettings {
  connectionTimeoutMs: number;
  readTimeoutMs: number;
  intervalMs: number;
  healthFailureMs: number;
}

export interface ProbeTask extends Target {
  taskArn: string;
  taskId: string;
  cluster: string;
  /** The cluster's ARN as DescribeTasks gives it. */
  clusterArn?: string;
  taskDefinitionArn: string;
  launchType: string;
  container: string;
  logGroup?: string;
  logStream?: string;
  logRegion?: string;
  settings: ProbeSettings;
  /** The SSM sidecar says its image already has the FIS action's tools (see SIDECAR_DEPENDENCIES_ENV). */
  sidecarHasDependencies?: boolean;
}

export interface PreflightProblem {
  what: string;
  fix: string;
}

const taskIdOf = (arn: string) => arn.split("/").at(-1) ?? arn;

export function parseTag(text: string): { key: string; value: string } {
  const match = /^([^=]+)=(.*)$/.exec(text);
  if (!match) throw badInput(`--tag ${JSON.stringify(text)} is not key=value`);
  return { key: match[1] as string, value: match[2] as string };
}

/** The tasks named by flags, first match wins: --task, then --tag (one pair), then --service. */
export function selectorFromFlags(
  cluster: string,
  flags: { service?: string; task?: string[]; tag?: string[] },
): TaskSelector | undefined {
  const tasks = flags.task ?? [];
  const tags = flags.tag ?? [];
  if (tasks.length > 0) return { kind: "tasks", cluster, tasks };
  if (tags.length > 1) throw badInput("--tag takes one key=value pair");
  if (tags.length === 1) return { kind: "tag", cluster, ...parseTag(tags[0] as string) };
  if (flags.service) return { kind: "service", cluster, service: flags.service };
  return undefined;
}

async function taskArnsFor(ecs: ECSClient, selector: TaskSelector): Promise<string[]> {
  if (selector.kind === "tasks") return selector.tasks;
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await retryThrottled(() =>
      ecs.send(
        new ListTasksCommand({
          cluster: selector.cluster,
          desiredStatus: "RUNNING",
          nextToken,
          ...(selector.kind === "service" ? { serviceName: selector.service } : {}),
        }),
      ),
    );
    arns.push(...(page.taskArns ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return arns;
}

function describe(selector: TaskSelector): string {
  if (selector.kind === "service") return `service ${selector.service} in cluster ${selector.cluster}`;
  if (selector.kind === "tag") return `tasks tagged ${selector.key}=${selector.value} in cluster ${selector.cluster}`;
  return `tasks ${selector.tasks.join(", ")} in cluster ${selector.cluster}`;
}

/** The container that runs the probe: named, or the one whose environment has the probe's variables. */
export function probeContainer(definition: TaskDefinition, name?: string): ContainerDefinition | undefined {
  const containers = definition.containerDefinitions ?? [];
  if (name) return containers.find((c) => c.name === name);
  const probeVars = new Set(["CONNECTION_TIMEOUT_MS", "READ_TIMEOUT_MS", "TABLE_NAME"]);
  const sidecar = ssmSidecar(definition);
  return (
    containers.find((c) => (c.environment ?? []).some((e) => probeVars.has(e.name ?? ""))) ??
    containers.find((c) => c !== sidecar)
  );
}

function settingsOf(container: ContainerDefinition, task: Task): ProbeSettings {
  const env = new Map((container.environment ?? []).map((e) => [e.name ?? "", e.value ?? ""]));
  const override = task.overrides?.containerOverrides?.find((o) => o.name === container.name);
  for (const e of override?.environment ?? []) env.set(e.name ?? "", e.value ?? "");
  const number = (name: string, fallback: number) => {
    const v = Number(env.get(name));
    return env.has(name) && Number.isFinite(v) ? v : fallback;
  };
  return {
    connectionTimeoutMs: number("CONNECTION_TIMEOUT_MS", 5000),
    readTimeoutMs: number("READ_TIMEOUT_MS", 5000),
    intervalMs: number("TEST_INTERVAL_SECONDS", 5) * 1000,
    healthFailureMs: number("HEALTH_FAILURE_SECONDS", 30) * 1000,
  };
}

export interface ResolvedTasks {
  tasks: ProbeTask[];
  definitions: Map<string, TaskDefinition>;
  problems: PreflightProblem[];
}

export async function resolveProbeTasks(
  ecs: ECSClient,
  selector: TaskSelector,
  containerName?: string,
): Promise<ResolvedTasks> {
  const arns = await taskArnsFor(ecs, selector);
  if (arns.length === 0) {
    throw new FislatError(
      `no running tasks found for ${describe(selector)}: check the names (aws ecs list-tasks), or start one with --launch`,
      EXIT.environment,
    );
  }
  const described: Task[] = [];
  for (let i = 0; i < arns.length; i += 100) {
    const page = await retryThrottled(() =>
      ecs.send(
        new DescribeTasksCommand({ cluster: selector.cluster, tasks: arns.slice(i, i + 100), include: ["TAGS"] }),
      ),
    );
    described.push(...(page.tasks ?? []));
  }
  const running = described.filter(
    (t) =>
      t.lastStatus === "RUNNING" &&
      (selector.kind !== "tag" ||
        (t.tags ?? []).some((tag) => tag.key === selector.key && tag.value === selector.value)),
  );
  if (running.length === 0) {
    throw new FislatError(`no RUNNING tasks among ${describe(selector)}`, EXIT.environment);
  }

  const definitions = new Map<string, TaskDefinition>();
  for (const arn of new Set(running.map((t) => t.taskDefinitionArn ?? ""))) {
    const res = await retryThrottled(() => ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn })));
    if (res.taskDefinition) definitions.set(arn, res.taskDefinition);
  }

  const problems: PreflightProblem[] = [];
  const tasks: ProbeTask[] = [];
  for (const task of running) {
    const taskArn = task.taskArn ?? "";
    const taskId = taskIdOf(taskArn);
    const definition = definitions.get(task.taskDefinitionArn ?? "");
    const family = definition ? `${definition.family}:${definition.revision}` : (task.taskDefinitionArn ?? "?");
    if (!definition) {
      problems.push({
        what: `task ${taskId}: its task definition could not be read`,
        fix: "allow ecs:DescribeTaskDefinition",
      });
      continue;
    }
    problems.push(...definitionProblems(definition, family, task), ...sidecarProblems(definition, family, task));
    const container = probeContainer(definition, containerName);
    if (!container) {
      problems.push({
        what: `task definition ${family} has no container ${containerName ? `named ${containerName}` : "running the probe"}`,
        fix: "name the probe's container with --container",
      });
      continue;
    }
    const log = container.logConfiguration;
    const prefix = log?.options?.["awslogs-stream-prefix"];
    const logGroup = log?.options?.["awslogs-group"];
    if (log?.logDriver !== "awslogs" || !logGroup) {
      problems.push({
        what: `container ${container.name} of ${family} does not log with the awslogs driver`,
        fix: 'give it "logConfiguration": {"logDriver": "awslogs", "options": {"awslogs-group", "awslogs-region", "awslogs-stream-prefix"}}',
      });
    }
    const probe: ProbeTask = {
      id: taskArn,
      description: `task ${taskId} (${family}, ${task.launchType ?? "?"})`,
      taskArn,
      taskId,
      cluster: selector.cluster,
      taskDefinitionArn: task.taskDefinitionArn ?? "",
      launchType: task.launchType ?? "",
      container: container.name ?? "",
      settings: settingsOf(container, task),
    };
    if (task.clusterArn) probe.clusterArn = task.clusterArn;
    if (logGroup) probe.logGroup = logGroup;
    if (logGroup && prefix) probe.logStream = `${prefix}/${container.name}/${taskId}`;
    if (log?.options?.["awslogs-region"]) probe.logRegion = log.options["awslogs-region"];
    const sidecar = ssmSidecar(definition);
    if ((sidecar?.environment ?? []).some((e) => e.name === SIDECAR_DEPENDENCIES_ENV && e.value === "preinstalled"))
      probe.sidecarHasDependencies = true;
    tasks.push(probe);
  }
  return { tasks, definitions, problems };
}

function definitionProblems(definition: TaskDefinition, family: string, task: Task): PreflightProblem[] {
  const problems: PreflightProblem[] = [];
  if (definition.enableFaultInjection !== true) {
    problems.push({
      what: `task definition ${family} does not have enableFaultInjection: true`,
      fix: 'register a revision with "enableFaultInjection": true (fislat deploy does)',
    });
  }
  if (definition.pidMode !== "task") {
    problems.push({
      what: `task definition ${family} does not have pidMode: task`,
      fix: 'register a revision with "pidMode": "task" (needed by the SSM agent sidecar FIS uses)',
    });
  }
  const os = definition.runtimePlatform?.operatingSystemFamily;
  if (os && os !== "LINUX") {
    problems.push({
      what: `task definition ${family} runs on ${os}`,
      fix: "ECS fault injection works on Linux tasks only",
    });
  }
  if (task.launchType && task.launchType !== "FARGATE" && task.launchType !== "EC2") {
    problems.push({
      what: `task ${taskIdOf(task.taskArn ?? "")} uses launch type ${task.launchType}`,
      fix: "run the probe on FARGATE or EC2",
    });
  }
  return problems;
}

/** The log groups the tasks log to must exist, or no line will ever be read. */
export async function logGroupProblems(logs: CloudWatchLogsClient, tasks: ProbeTask[]): Promise<PreflightProblem[]> {
  const problems: PreflightProblem[] = [];
  for (const group of new Set(tasks.flatMap((t) => (t.logGroup ? [t.logGroup] : [])))) {
    const res = await retryThrottled(() => logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: group })));
    if (!(res.logGroups ?? []).some((g) => g.logGroupName === group)) {
      problems.push({
        what: `log group ${group} does not exist`,
        fix: `aws logs create-log-group --log-group-name ${group}`,
      });
    }
  }
  return problems;
}

export function failPreflight(problems: PreflightProblem[]): never {
  const lines = problems.map((p) => `  - ${p.what}\n    fix: ${p.fix}`);
  throw new FislatError(
    `preflight found ${problems.length} problem(s); no fault was created:\n${lines.join("\n")}`,
    EXIT.environment,
  );
}
