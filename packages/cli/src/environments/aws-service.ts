// The user's own ECS service on AWS as the experiment's world: FIS aims the fault at the
// service's tasks (checked first: task definition, ECS Exec, task role, SSM registration), and the
// load is judged as the service's requests. The load comes from this machine (the open-loop
// generator, workloads/http-load-source.ts), or with --launch from a probe task in the probe's
// HTTP mode inside the VPC, whose lines come through CloudWatch Logs as the probe's always do.
//
// What fislat cannot see here: the service's DynamoDB calls. Locally the proxy counts them; on AWS
// the fault is netem on the tasks' network, and nothing tells fislat whether a request waited on
// DynamoDB. The evidence is the requests themselves: slower or failing under the fault, or the
// run is inconclusive and says why it cannot tell (serviceEvidence below).
import { randomUUID } from "node:crypto";
import os from "node:os";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { FIRST_LINES_BOUND_MS, gatedInjector } from "../aws/baseline-gate.js";
import type { AwsClients } from "../aws/clients.js";
import { failPreflight, logGroupProblems, type PreflightProblem, resolveProbeTasks } from "../aws/ecs-targets.js";
import { waitForFirstLine } from "../aws/environment.js";
import { fisInjector } from "../aws/fis-injector.js";
import { buildTemplate, parseSelectionMode, type TargetSelection } from "../aws/fis-template.js";
import { launchProbeTask } from "../aws/launch.js";
import { cloudWatchSource, logsClientIn } from "../aws/log-source.js";
import { registrationProblem, unregisteredTasks } from "../aws/preflight.js";
import { ecsTargetWatch } from "../aws/target-watch.js";
import { checkServiceReadiness, readinessProblems } from "../aws/task-definition-check.js";
import { type AwsServiceTarget, probeHttpEnv } from "../engine/aws-service-run.js";
import type { ExperimentPorts } from "../engine/experiment.js";
import { type Fault, faultKind } from "../engine/fault.js";
import type { ExperimentPlan, ExperimentRequest, HttpLoadSettings } from "../engine/plan.js";
import type {
  Clock,
  EnvironmentEvidence,
  EvidenceWatcher,
  FaultInjector,
  RoundTripSource,
  Target,
} from "../engine/ports.js";
import type { Timeline } from "../engine/timeline.js";
import { EXIT, FislatError } from "../errors.js";
import { healthPoller } from "../local/health-poller.js";
import type { Resources } from "../resources.js";
import { httpLoadSource } from "../workloads/http-load-source.js";

export interface AwsServiceEnvironment {
  plan: ExperimentPlan;
  ports: ExperimentPorts;
  target: string;
  injector: string;
}

/** As for the probe's tasks (aws/environment.ts): lines can arrive most of a minute late. */
const LATE_LINE_BOUND_MS = 120_000;

export async function prepareAwsService(
  clients: AwsClients,
  request: ExperimentRequest,
  target: AwsServiceTarget,
  resources: Resources,
  clock: Clock,
  say: (message: string) => void,
): Promise<AwsServiceEnvironment> {
  const load = request.load as HttpLoadSettings;
  const { cluster, service } = target;
  const identity = await clients.sts.send(new GetCallerIdentityCommand({}));
  say(`AWS account ${identity.Account} as ${identity.Arn}, region ${await clients.ecs.config.region()}`);

  // Everything FIS needs from the service, checked before anything is created or launched.
  const readiness = await checkServiceReadiness(clients, { cluster, service });
  const problems: PreflightProblem[] = readinessProblems(readiness);
  const serviceTasks = (readiness.tasks ?? []).filter((t) => t.lastStatus === "RUNNING" && t.taskArn);
  const taskArns = serviceTasks.map((t) => t.taskArn as string);
  if (taskArns.length === 0) {
    problems.push({
      what: `service ${service} in cluster ${cluster} has no running task for FIS to aim at`,
      fix: "scale it up: aws ecs update-service --desired-count 1",
    });
  } else {
    const registration = registrationProblem(await unregisteredTasks(clients.ssm, taskArns));
    if (registration) problems.push(registration);
  }
  if (problems.length > 0) failPreflight(problems);

  const runId = randomUUID();
  const selection: TargetSelection =
    target.targetBy === "service"
      ? { kind: "service", cluster, service, selectionMode: parseSelectionMode(target.selection ?? "ALL") }
      : { kind: "arns", taskArns, selectionMode: parseSelectionMode(target.selection ?? "ALL") };
  const spec = {
    runId,
    scenario: request.slug,
    roleArn: target.roleArn,
    sources: target.sources,
    target: selection,
    stopAlarmArns: target.stopAlarm,
  };
  // At most five ARNs, a duration FIS accepts...: refused now, before a task is launched.
  buildTemplate({ ...spec, fault: request.fault, durationMs: request.phases.injectionMs });

  const source = target.launch
    ? await launchedProbeSource(clients, request, target, load, runId, resources, clock, say)
    : { source: httpLoadSource(load, `fislat on ${os.hostname()}`), streams: undefined, where: "this machine" };

  const fis = fisInjector(clients.fis, {
    spec,
    keepTemplate: target.keepTemplate,
    resources,
    clock,
    onExperiment: (id) => say(`FIS experiment ${id} started; if fislat is killed, stop it with: fislat stop ${id}`),
  });
  const gated = source.streams
    ? gatedInjector(fis, {
        streamsWithLines: () => (source.source as ReturnType<typeof cloudWatchSource>).streamsWithLines(),
        streams: source.streams.streams,
        logGroup: source.streams.logGroup,
        clock,
        boundMs: FIRST_LINES_BOUND_MS,
        say,
      })
    : fis;
  const faultTargets: { arns?: string[] } = {};
  const injector = linesFromElsewhere(gated, faultTargets);

  const plan: ExperimentPlan = {
    request,
    probe: request.probe,
    healthPollMs: 5000,
    lateLineGraceMs: target.launch ? LATE_LINE_BOUND_MS : 0,
    // Not used for a service (no prediction is made for it), but a plan carries them.
    traits: { waitsOnNewConnection: 3, connectDelayed: true },
  };
  const targets: Target[] = serviceTasks.map((t) => ({
    id: t.taskArn as string,
    description: `task ${t.taskArn?.split("/").at(-1)} of service ${service} (${readiness.family})`,
  }));
  const ports: ExperimentPorts = {
    targets: { resolve: async () => targets },
    injector,
    source: source.source,
    targetWatch: ecsTargetWatch(clients.ecs, clients.elb, {
      cluster,
      taskArns,
      service,
      clock,
      onReplacement: (arn) =>
        say(`task ${arn.split("/").at(-1)} started in service ${service} during the run: FIS does not target it`),
      onStopped: () => {},
    }),
    evidence: serviceEvidence(request.fault, service, faultTargets),
    remote: true,
    clock,
  };
  if (target.healthUrl) ports.health = healthPoller(target.healthUrl, plan.healthPollMs);
  return {
    plan,
    ports,
    target: `service ${service} in cluster ${cluster} (${taskArns.length} task(s), ${readiness.family}); load ${load.ratePerSecond}/s to ${load.urls.join(", ")} from ${source.where}`,
    injector: injector.description,
  };
}

/** --launch: a probe task in HTTP mode, in the service's own subnets and security groups. */
async function launchedProbeSource(
  clients: AwsClients,
  request: ExperimentRequest,
  target: AwsServiceTarget,
  load: HttpLoadSettings,
  runId: string,
  resources: Resources,
  clock: Clock,
  say: (message: string) => void,
) {
  const taskArn = await launchProbeTask(clients.ecs, {
    cluster: target.cluster,
    taskDefinition: target.taskDefinition as string,
    container: target.container,
    subnets: target.subnets?.split(",").filter(Boolean),
    securityGroups: target.securityGroups?.split(",").filter(Boolean),
    assignPublicIp: target.assignPublicIp,
    service: target.service,
    environment: probeHttpEnv(load),
    runId,
    clock,
    resources,
  });
  say(`launched probe task ${taskArn}, requesting ${load.urls[0]} ${load.ratePerSecond} times a second`);
  // Only its logs matter: FIS does not aim at it, so its own fault-injection settings do not.
  const { tasks } = await resolveProbeTasks(
    clients.ecs,
    { kind: "tasks", cluster: target.cluster, tasks: [taskArn] },
    target.container,
  );
  const probe = tasks[0];
  if (!probe?.logGroup || !probe.logStream) {
    throw new FislatError(
      `the probe task definition ${target.taskDefinition} does not log with the awslogs driver (group and stream prefix): fislat reads the load's results from its log`,
      EXIT.environment,
    );
  }
  const logProblems = await logGroupProblems(clients.logs, tasks);
  if (logProblems.length > 0) failPreflight(logProblems);
  const { logs, dispose } = await logsClientIn(clients.logs, probe.logRegion);
  resources.add("CloudWatch Logs client for the probe task's region", dispose);
  say("waiting for the launched probe's first Round trip line");
  await waitForFirstLine(logs, probe.logGroup, [probe.logStream], clock);
  const source = cloudWatchSource(
    logs,
    { logGroup: probe.logGroup, streams: [probe.logStream] },
    {
      clock,
      since: clock.wallNow().getTime() - 5000,
      liveTail: target.liveTail,
      note: say,
      intervalMs: request.probe.intervalMs,
    },
  );
  return {
    source: source as RoundTripSource,
    streams: { logGroup: probe.logGroup, streams: [probe.logStream] },
    where: `probe task ${probe.taskId}`,
  };
}

/**
 * The lines do not come from the tasks FIS aims at (they come from this machine or a probe task),
 * so the engine must not read FIS's targets as the lines' tasks: they are kept for the evidence.
 */
function linesFromElsewhere(inner: FaultInjector, keep: { arns?: string[] }): FaultInjector {
  return {
    get description() {
      return inner.description;
    },
    async start(fault, signal) {
      const started = await inner.start(fault, signal);
      if (started.targets) keep.arns = started.targets;
      const { targets: _aimedAt, ...rest } = started;
      return rest;
    },
    stop: () => inner.stop(),
  };
}

const rate = (p: { count: number; successes: number }) => (p.count === 0 ? 0 : (p.count - p.successes) / p.count);

/** The share of the fault's delay the service's median must grow by to show the fault reached it. */
export const SHOWN_SHARE_OF_DELAY = 0.25;
/** Or this much more of its requests must fail. */
export const SHOWN_FAILED_RATE = 0.01;

/**
 * Whether the service's own requests show the fault. fislat cannot count the service's DynamoDB
 * calls on AWS, so requests that neither slowed down nor failed more leave two stories it cannot
 * tell apart: the service does not wait on DynamoDB for them (a cache, a fallback), or its
 * DynamoDB traffic never passed the fault. That run is inconclusive, never passed.
 */
export function serviceEvidence(fault: Fault, service: string, aimedAt: { arns?: string[] }): EvidenceWatcher {
  return {
    conclude(timeline: Timeline): EnvironmentEvidence {
      const { baseline, injection } = timeline.phases;
      // The kind names its delay (latency); a kind without one (packet loss) is shown by failures or the floor.
      const delay = faultKind(fault).references(fault).delay ?? 0;
      const shift = injection.medianShiftMs ?? 0;
      const failedMore = rate(injection) - rate(baseline);
      const details = {
        service: {
          name: service,
          faultTargets: aimedAt.arns ?? null,
          medianShiftMs: Math.round(shift * 10) / 10,
          failedRate: { baseline: rate(baseline), injection: rate(injection) },
          // Said in the report, so no one reads an absence of counts as zero calls.
          dynamodbCalls: "not observable on AWS",
        },
      };
      if (injection.count === 0) return { findings: [], inconclusive: [], details };
      const bar = Math.max(10, SHOWN_SHARE_OF_DELAY * delay);
      if (shift >= bar || failedMore >= SHOWN_FAILED_RATE) {
        return {
          findings: [
            `the fault reached service ${service}'s requests: ${shift >= bar ? `their median rose ${Math.round(shift)} ms` : ""}${shift >= bar && failedMore >= SHOWN_FAILED_RATE ? " and " : ""}${failedMore >= SHOWN_FAILED_RATE ? `${(failedMore * 100).toFixed(1)}% more failed` : ""} under it (fislat cannot count the service's DynamoDB calls on AWS)`,
          ],
          inconclusive: [],
          details,
        };
      }
      return {
        findings: [],
        inconclusive: [
          `service ${service}'s requests neither slowed down (median ${shift >= 0 ? "+" : ""}${Math.round(shift)} ms, less than ${Math.round(bar)} ms) nor failed more under the fault, and fislat cannot count its DynamoDB calls on AWS: either these requests do not wait on DynamoDB (a cache, a fallback), or its DynamoDB traffic did not pass the fault (an interface VPC endpoint, IPv6, an account-based endpoint, another region); it cannot tell which`,
        ],
        details,
      };
    },
  };
}
