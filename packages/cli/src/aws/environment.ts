// The AWS experiment's world: the probe's ECS tasks (found, or launched), preflight before any
// fault exists, the FIS injector, the tasks' CloudWatch Logs as the line source, and optionally
// the load balancer's /health. Everything created is registered with the cleanup owner.
import { randomUUID } from "node:crypto";
import type { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import type { ExperimentPorts } from "../engine/experiment.js";
import type { AwsTarget, ExperimentPlan, ExperimentRequest } from "../engine/plan.js";
import { checkFeasible, ENVIRONMENT_DEFAULTS } from "../engine/planner.js";
import type { Clock } from "../engine/ports.js";
import { EXIT, FislatError } from "../errors.js";
import { healthPoller } from "../local/health-poller.js";
import type { Resources } from "../resources.js";
import { FIRST_LINES_BOUND_MS, gatedInjector } from "./baseline-gate.js";
import type { AwsClients } from "./clients.js";
import {
  failPreflight,
  logGroupProblems,
  type PreflightProblem,
  resolveProbeTasks,
  selectorFromFlags,
  type TaskSelector,
} from "./ecs-targets.js";
import { fisInjector } from "./fis-injector.js";
import { buildTemplate, MAX_TARGET_ARNS, parseSelectionMode, type TargetSelection } from "./fis-template.js";
import { launchProbeTask } from "./launch.js";
import { cloudWatchSource, filterEvents, logsClientIn } from "./log-source.js";
import { registrationProblem, unregisteredTasks, waitForRegistration } from "./preflight.js";
import { checkedResolution } from "./resolved-targets.js";
import { ecsTargetWatch } from "./target-watch.js";

export interface AwsEnvironment {
  plan: ExperimentPlan;
  ports: ExperimentPorts;
  target: string;
  experimentId(): string | undefined;
}

/**
 * After the run, each task's last expected line is waited for up to this bound: the awslogs driver
 * batches for 5 s and ingestion usually takes about a second more (shared/facts), but lines have
 * been seen arriving most of a minute late. Lines later than this count as missing, and the report
 * says the bound was reached.
 */
const LATE_LINE_BOUND_MS = 120_000;
const FIRST_LINE_TIMEOUT_MS = 180_000;

/** The planner has already checked that the tasks are named exactly one way. */
function selectorOf(target: AwsTarget): TaskSelector | undefined {
  return target.launch ? undefined : selectorFromFlags(target.cluster, target);
}

/** The request is complete and valid (the planner checked every flag) before this makes any AWS call. */
export async function prepareAwsRun(
  clients: AwsClients,
  request: ExperimentRequest,
  flags: AwsTarget,
  resources: Resources,
  clock: Clock,
  say: (message: string) => void,
): Promise<AwsEnvironment> {
  const options = {
    ...request.probe,
    injectionMs: request.phases.injectionMs,
  };
  const runId = randomUUID();
  let selector = selectorOf(flags);
  const selectionMode = parseSelectionMode(flags.selection ?? "ALL");

  const identity = await clients.sts.send(new GetCallerIdentityCommand({}));
  say(`AWS account ${identity.Account} as ${identity.Arn}, region ${await clients.ecs.config.region()}`);

  const cluster = flags.cluster as string;
  if (!selector) {
    const taskArn = await launchProbeTask(clients.ecs, {
      cluster,
      taskDefinition: flags.taskDefinition as string,
      container: flags.container,
      subnets: flags.subnets?.split(",").filter(Boolean),
      securityGroups: flags.securityGroups?.split(",").filter(Boolean),
      assignPublicIp: flags.assignPublicIp,
      service: flags.service,
      environment: {
        CONNECTION_TIMEOUT_MS: String(options.connectionTimeoutMs),
        READ_TIMEOUT_MS: String(options.readTimeoutMs),
        TEST_INTERVAL_SECONDS: String(options.intervalMs / 1000),
        HEALTH_FAILURE_SECONDS: String(options.healthFailureMs / 1000),
      },
      runId,
      clock,
      resources,
    });
    say(`launched probe task ${taskArn}`);
    selector = { kind: "tasks", cluster, tasks: [taskArn] };
  }

  const resolved = await resolveProbeTasks(clients.ecs, selector, flags.container);
  const { tasks } = resolved;
  const problems: PreflightProblem[] = [...resolved.problems];
  // FIS reaches a Fargate task only once its SSM sidecar has registered it; a launched task does
  // that some time after RUNNING.
  if (flags.launch) {
    say("waiting for the launched task to register with SSM (FIS reaches it through the sidecar)");
    await waitForRegistration(
      clients.ssm,
      tasks.map((t) => t.taskArn),
      clock,
    );
  }
  const registration = registrationProblem(
    await unregisteredTasks(
      clients.ssm,
      tasks.map((t) => t.taskArn),
    ),
  );
  if (registration) problems.push(registration);
  if (!flags.roleArn) {
    problems.push({
      what: "no IAM role for FIS to act with",
      fix: 'pass --role-arn <arn of a role FIS can assume>, or set "roleArn" in fislat.config.json (fislat deploy writes it)',
    });
  }
  // The tasks log where their awslogs-region says, which need not be the region fislat runs in:
  // the log group is looked for there, and read from there.
  const { logs, dispose } = await logsClientIn(clients.logs, tasks[0]?.logRegion);
  resources.add("CloudWatch Logs client for the tasks' region", dispose);
  problems.push(...(await logGroupProblems(logs, tasks)));
  const groups = new Set(tasks.map((t) => t.logGroup));
  if (groups.size > 1) {
    problems.push({
      what: `the tasks log to ${groups.size} log groups`,
      fix: "aim at tasks of one task definition (--service or --task)",
    });
  }
  // The run is judged by the timeouts the tasks really use.
  const settings = tasks[0]?.settings;
  if (settings && !flags.launch) {
    const differ = tasks.filter(
      (t) =>
        t.settings.connectionTimeoutMs !== options.connectionTimeoutMs ||
        t.settings.readTimeoutMs !== options.readTimeoutMs,
    );
    if (differ.length > 0 && !flags.acceptTimeouts) {
      const t = differ[0]?.settings;
      problems.push({
        what: `the probe's timeouts in the task (CONNECTION_TIMEOUT_MS=${t?.connectionTimeoutMs}, READ_TIMEOUT_MS=${t?.readTimeoutMs}) are not the scenario's (${options.connectionTimeoutMs}/${options.readTimeoutMs})`,
        fix: "--launch to start a probe task with the scenario's timeouts, or --accept-timeouts to judge the run by the task's own",
      });
    }
  }
  // Found tasks run with their own interval and /health window, which the planner could not know:
  // a phase too short for them would run the whole fault for a verdict of "cannot tell".
  if (settings && !flags.launch) {
    const slowest = {
      ...options,
      intervalMs: Math.max(...tasks.map((t) => t.settings.intervalMs)),
      healthFailureMs: Math.max(...tasks.map((t) => t.settings.healthFailureMs)),
    };
    try {
      checkFeasible(
        request.phases,
        slowest,
        request.evidence,
        request.hypothesis,
        ENVIRONMENT_DEFAULTS.aws.healthPollMs,
        request.source,
      );
    } catch (error) {
      if (!(error instanceof FislatError) || error.exitCode !== EXIT.badInput) throw error;
      problems.push({
        what: `with the tasks' own TEST_INTERVAL_SECONDS=${slowest.intervalMs / 1000} and HEALTH_FAILURE_SECONDS=${slowest.healthFailureMs / 1000}: ${error.message}`,
        fix: "lengthen the phase as it says, or --launch a probe task with an --interval and --health-failure that fit",
      });
    }
  }
  if (problems.length > 0) failPreflight(problems);

  const effective = flags.launch || !settings ? options : { ...options, ...settings };
  if (!flags.launch && settings && flags.acceptTimeouts) {
    say(`judging by the task's own timeouts: ${settings.connectionTimeoutMs}/${settings.readTimeoutMs} ms`);
  }
  const logGroup = tasks[0]?.logGroup as string;
  const streams = tasks.flatMap((t) => (t.logStream ? [t.logStream] : []));

  if (flags.launch) {
    say("waiting for the launched probe's first Round trip line");
    await waitForFirstLine(logs, logGroup, streams, clock);
  }

  const target: TargetSelection =
    flags.targetBy === "service"
      ? { kind: "service", cluster, service: flags.service as string, selectionMode }
      : flags.targetBy === "tag" && selector.kind === "tag"
        ? {
            kind: "tag",
            key: selector.key,
            value: selector.value,
            selectionMode,
            ...(tasks[0]?.clusterArn ? { clusterArn: tasks[0].clusterArn } : {}),
          }
        : { kind: "arns", taskArns: tasks.map((t) => t.taskArn), selectionMode };
  const spec = {
    runId,
    scenario: request.slug,
    roleArn: flags.roleArn as string,
    sources: flags.sources,
    target,
    stopAlarmArns: flags.stopAlarm ?? [],
    // Only when every target's sidecar carries the tools: one without them would never get the fault.
    ...(tasks.length > 0 && tasks.every((t) => t.sidecarHasDependencies) ? { installDependencies: false } : {}),
  };
  // The template is checked now (at most five ARNs, a duration FIS accepts...), before anything exists.
  buildTemplate({ ...spec, fault: request.fault, durationMs: options.injectionMs });
  const fis = fisInjector(clients.fis, {
    spec,
    keepTemplate: flags.keepTemplate ?? false,
    resources,
    clock,
    onExperiment: (id) => say(`FIS experiment ${id} started; if fislat is killed, stop it with: fislat stop ${id}`),
  });

  const plan: ExperimentPlan = {
    request,
    probe: {
      connectionTimeoutMs: effective.connectionTimeoutMs,
      readTimeoutMs: effective.readTimeoutMs,
      intervalMs: effective.intervalMs,
      healthFailureMs: effective.healthFailureMs,
    },
    healthPollMs: 5000,
    lateLineGraceMs: LATE_LINE_BOUND_MS,
    // Over HTTPS a new connection waits for the SYN, the TLS handshake and the request.
    traits: { waitsOnNewConnection: 3, connectDelayed: true },
  };
  const source = cloudWatchSource(
    logs,
    { logGroup, streams: [...streams] },
    {
      clock,
      since: clock.wallNow().getTime() - 5000,
      liveTail: flags.liveTail !== false,
      note: say,
      intervalMs: effective.intervalMs,
    },
  );
  if (target.kind !== "arns") warnOverTargetCap(tasks.length, selectionMode, say);
  const checked = checkedResolution(fis, {
    checked: tasks.map((t) => t.taskArn),
    cluster: tasks[0]?.clusterArn ?? cluster,
    ssm: clients.ssm,
    say,
  });
  const injector = gatedInjector(checked, {
    streamsWithLines: () => source.streamsWithLines(),
    streams,
    logGroup,
    clock,
    boundMs: FIRST_LINES_BOUND_MS,
    say,
  });
  // A task's stream is its prefix/container/ plus the task id; a replacement writes to its own.
  const streamOf = (arn: string) => {
    const template = tasks[0]?.logStream;
    return template ? template.replace(/[^/]+$/, arn.split("/").at(-1) ?? arn) : undefined;
  };
  const ports: ExperimentPorts = {
    targets: { resolve: async () => tasks },
    injector,
    source,
    targetWatch: ecsTargetWatch(clients.ecs, selector.kind === "service" ? clients.elb : undefined, {
      cluster,
      taskArns: tasks.map((t) => t.taskArn),
      ...(selector.kind === "service" ? { service: selector.service } : {}),
      clock,
      onReplacement: (arn) => {
        const stream = streamOf(arn);
        if (stream) source.addStream(stream);
        say(
          `task ${arn.split("/").at(-1)} started in the service during the run: following its lines (FIS does not target it)`,
        );
      },
      onStopped: (arn) => {
        const stream = streamOf(arn);
        if (stream) source.streamEnded(stream);
      },
    }),
    remote: true,
    clock,
  };
  if (flags.healthUrl) ports.health = healthPoller(flags.healthUrl, plan.healthPollMs);
  return {
    plan,
    ports,
    target: `${tasks.length} task(s) in cluster ${cluster}: ${tasks.map((t) => t.taskId).join(", ")}; logs ${logGroup}`,
    experimentId: () => fis.experimentId(),
  };
}

/**
 * FIS acts on at most 5 tasks per aws:ecs:task-network-latency action by default (Service Quotas,
 * AWS Fault Injection Service, "Target Tasks for aws:ecs:task-network-latency", L-B34128D0,
 * adjustable; FIS quotas page). A service or tag target with ALL or a large PERCENT over more tasks
 * fails at start unless the account's quota was raised: said before anything starts.
 */
export function warnOverTargetCap(tasks: number, selectionMode: string, say: (message: string) => void): void {
  const count = /^COUNT\((\d+)\)$/.exec(selectionMode);
  const percent = /^PERCENT\((\d+)\)$/.exec(selectionMode);
  const picked = count
    ? Math.min(tasks, Number(count[1]))
    : percent
      ? Math.floor((tasks * Number(percent[1])) / 100)
      : tasks;
  if (picked <= MAX_TARGET_ARNS) return;
  say(
    `warning: FIS would pick ${picked} of ${tasks} tasks (${selectionMode}), over its default quota of ${MAX_TARGET_ARNS} target tasks per action ("Target Tasks for aws:ecs:task-network-latency", L-B34128D0): the experiment fails at start unless your account's quota was raised; --selection COUNT(${MAX_TARGET_ARNS}) stays within it`,
  );
}

export async function waitForFirstLine(logs: CloudWatchLogsClient, logGroup: string, streams: string[], clock: Clock) {
  const since = clock.wallNow().getTime() - 60_000;
  const deadline = clock.now() + FIRST_LINE_TIMEOUT_MS;
  for (;;) {
    // A stream that does not exist yet is no error here: the task has not logged yet.
    for await (const event of filterEvents(logs, { logGroup, streams, filterPattern: '"Round trip"' }, since)) {
      if (event.message) return;
    }
    if (clock.now() > deadline) {
      throw new FislatError(
        `the launched probe wrote no Round trip line to ${logGroup} in 3 minutes`,
        EXIT.environment,
      );
    }
    await clock.sleep(5000);
  }
}
