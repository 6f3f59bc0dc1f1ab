// A small simulation of the AWS control plane behind aws-sdk-client-mock, on vitest's fake clock:
// ECS tasks running the probe, FIS experiments whose action starts, runs for its duration and
// ends (or fails, or never stops), and CloudWatch Logs returning the probe's lines after the
// awslogs driver's 5 s batching and an ingestion delay, as the probe would have written them under
// the fault. It misbehaves as real AWS does when asked (issue 13): lines lost, late or sent to the
// wrong stream, a task clock ahead, a task replaced by ECS mid-fault, a fault that never lands or
// takes effect late, a stop that never confirms, tasks not yet registered with SSM. Tests drive
// whole `fislat run` flows through it and assert on what fislat sent. FIS is the one model every
// test shares (fis-model.ts), as the HTTP fake's is.
import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  FilterLogEventsCommand,
  StartLiveTailCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import {
  type ContainerDefinition,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RunTaskCommand,
  StopTaskCommand,
  type TaskDefinition,
} from "@aws-sdk/client-ecs";
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import {
  CreateExperimentTemplateCommand,
  DeleteExperimentTemplateCommand,
  FisClient,
  GetExperimentCommand,
  ListExperimentResolvedTargetsCommand,
  ListExperimentsCommand,
  StartExperimentCommand,
  StopExperimentCommand,
} from "@aws-sdk/client-fis";
import { DescribeInstanceInformationCommand, SSMClient } from "@aws-sdk/client-ssm";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { type AwsStub, mockClient } from "aws-sdk-client-mock";
import { vi } from "vitest";
import { roundTripUnder } from "./fis-action-model.js";
import { FisError, FisModel, type ModelExperiment, type TemplateInput } from "./fis-model.js";
import { callProblems } from "./sdk-schema.js";

// Each client pins its own @smithy/types while aws-sdk-client-mock's follow one version, so tsc
// rejects some pairings (client-fis 3.523, client-ecs 3.1164 here): a narrow cast at creation.
// biome-ignore lint/suspicious/noExplicitAny: the stub's command types are checked by each .on(Command) call
type Stub = AwsStub<any, any, any>;
const stub = (client: unknown) => mockClient(client as Parameters<typeof mockClient>[0]) as unknown as Stub;
/** `stub.on(Command)` with the cast in one place. */
export const on = (s: Stub, command: unknown) => s.on(command as never);
/** The inputs fislat sent with `command`, in order. */
export const sent = (s: Stub, command: unknown): Record<string, unknown>[] =>
  s.commandCalls(command as never).map((call) => call.args[0].input as Record<string, unknown>);

export const ACCOUNT = "000000000000";
export const REGION = "us-east-1";
export const CLUSTER_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/FIS`;
export const taskArn = (id: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:task/FIS/${id}`;
export const TASK_DEF_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/dynamodb-latency-test:7`;
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/fisExperimentRole`;
export const LOG_GROUP = "/ecs/dynamodb-latency-test";
export const LOG_GROUP_ARN = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${LOG_GROUP}`;

export const STREAM_PREFIX = "ecs/fis-latency-test-to-ddb-app";
export const streamOf = (id: string) => `${STREAM_PREFIX}/${id}`;
/** A template as a past fislat run created it (the shared FIS model checks it as FIS would). */
export const PAST_RUN_TEMPLATE = {
  clientToken: "past-run-template",
  description: "fislat timeout: a past run",
  roleArn: `arn:aws:iam::${ACCOUNT}:role/fisExperimentRole`,
  targets: {
    probeTasks: { resourceType: "aws:ecs:task", resourceArns: [taskArn("task0001")], selectionMode: "ALL" },
  },
  actions: {
    dynamodbLatency: {
      actionId: "aws:ecs:task-network-latency",
      parameters: {
        duration: "PT1M",
        delayMilliseconds: "800",
        sources: "DYNAMODB",
        useEcsFaultInjectionEndpoints: "true",
      },
      targets: { Tasks: "probeTasks" },
    },
  },
  stopConditions: [{ source: "none" }],
  tags: { "managed-by": "fislat" },
};

export const TARGET_GROUP_ARN = `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:targetgroup/probe/1`;
const BATCH_MS = 5000;
/**
 * Assumed, not measured on AWS (no account here): the SSM document starts a few seconds after the
 * action, and installing atd, curl-minimal, dig, jq and lsof with dnf in a 0.25 vCPU sidecar adds
 * tens of seconds ("tens of seconds late", issue 18's review). The report measures the real lag.
 */
export const DOCUMENT_START_LAG_MS = 3000;
export const INSTALL_LAG_MS = 25_000;
const HEALTH_FAILURE_MS = 30_000;
/** A FilterLogEvents page holds at most 1 MB or 10,000 events (API reference). */
const PAGE_BYTES = 1_048_576;
const PAGE_EVENTS = 10_000;

export interface SimulationOptions {
  tasks?: string[];
  definition?: Partial<TaskDefinition>;
  /** The probe's environment in the task definition. */
  env?: Record<string, string>;
  /** How round trips behave under the fault (default: as the template's action makes them, fis-action-model.ts). */
  underFault?: { ok: boolean; rttMs: number; errorKind?: string };
  /** How round trips behave under a fault of this delay (the last template's delayMilliseconds): a sweep's levels. */
  underFaultAt?: (delayMs: number) => { ok: boolean; rttMs: number; errorKind?: string };
  /** FIS: the action fails at start with this reason. */
  actionFails?: string;
  /** FIS: StopExperiment is accepted but the experiment never reaches a final state. */
  neverStops?: boolean;
  /** CloudWatch: after the awslogs driver's 5 s batch is flushed, lines take this long to be ingested (default 500 ms). */
  ingestionDelayMs?: number;
  /** CloudWatch: return every event twice, as overlapping polls do. */
  duplicateEvents?: boolean;
  logGroupExists?: boolean;
  /** CloudWatch: answer StartLiveTail with a session pushing updates every second. */
  liveTail?: boolean;
  /** CloudWatch: StartLiveTail is refused: the account's concurrent Live Tail sessions quota is reached. */
  liveTailQuotaReached?: boolean;
  /** CloudWatch: the Live Tail session fails after this long. */
  liveTailFailsAfterMs?: number;
  /** CloudWatch: this share of the probe's lines (round trips and health changes) never arrives. */
  loseShare?: number;
  /** The probe logs to another stream prefix than the task definition says: the expected streams stay empty. */
  wrongStream?: boolean;
  /** The tasks' clocks are this far ahead of AWS's. */
  taskClockAheadMs?: number;
  /** ECS stops the first task this long into the fault (failed load balancer health checks) and starts a replacement. */
  replaceAfterMs?: number;
  /** FIS runs the action but no latency is applied. */
  faultNeverLands?: boolean;
  /** The latency takes effect this long after FIS starts the action (the SSM document's start). */
  onsetLagMs?: number;
  /**
   * The onset lag follows the action's installDependencies: the SSM document installing the tools
   * in the sidecar first (INSTALL_LAG_MS more), or not (installDependencies=false).
   */
  installLag?: boolean;
  /** The SSM sidecar container as a task definition has it (e.g. the shipped template's). */
  sidecar?: ContainerDefinition;
  /** Task ids not registered with SSM; a launched task registers this long after launch. */
  unregistered?: string[];
  registerAfterMs?: number;
  /** The service is behind a load balancer whose target group probes the deep /health. */
  loadBalancer?: boolean;
  /** Round-trip lines carry the probe's health state; default true. */
  healthyOnLines?: boolean;
  /** The tasks run with ECS Exec on. */
  execEnabled?: boolean;
  /** The SSM sidecar lacks MANAGED_INSTANCE_ROLE_NAME. */
  noManagedInstanceRole?: boolean;
  /** Every task's lines show the fault while it is on, targeted or not: a probe task that requests
   * a service whose own tasks are under the fault (the AWS service run's --launch). */
  linesFollowFault?: boolean;
  /** The SSM sidecar's image carries the FIS action's tools, and says so. */
  sidecarDependencies?: boolean;
  /** The task definition's awslogs-region (default the region fislat runs in). */
  logRegion?: string;
  /** CloudWatch never receives the probe's lines written this long after the fault ended (a driver that lost its buffer). */
  linesLostAfterFaultMs?: number;
  /** Task ARNs in another cluster that carry the probe tasks' tag (FIS resolves a tag across the account). */
  taggedElsewhere?: string[];
  /** FIS does not apply the target's filters (a filter path it does not know, say). */
  ignoresFilters?: boolean;
  /** CloudWatch: each FilterLogEvents query answers this many empty pages (with a nextToken) before its events. */
  emptyPagesFirst?: number;
  /** A task that starts in the service between fislat's preflight and FIS's target resolution, not registered with SSM. */
  startsBeforeResolution?: string;
}

interface SimTask {
  arn: string;
  id: string;
  ip: string;
  startedAt: number;
  stoppedAt?: number;
  stopCode?: string;
  stoppedReason?: string;
  seq: number;
  /** Written up to (exclusive), AWS time. */
  writtenUntil: number;
  failingSince?: number;
  healthy: boolean;
  launched: boolean;
}

export interface SimEvent {
  eventId: string;
  timestamp: number;
  message: string;
  logStreamName: string;
  ingestionTime: number;
}

/** A deterministic coin per line, so a test knows exactly which lines were lost. */
function lost(share: number, key: string): boolean {
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
  return ((h >>> 0) % 10_000) / 10_000 < share;
}

export class SimulatedAws {
  readonly ecs: Stub;
  readonly fis: Stub;
  readonly logs: Stub;
  readonly sts: Stub;
  readonly ssm: Stub;
  readonly elb?: Stub;
  /** FIS, as every test models it (fis-model.ts). */
  readonly fisModel: FisModel;
  /** Per experiment, from its action's start to the latency taking effect. */
  private readonly onsetLag = new Map<string, number>();
  readonly launched: string[] = [];
  /** Every event the probes wrote, lost ones excluded, in write order. */
  readonly events: SimEvent[] = [];
  /** Per task id: the seq numbers of round-trip lines that were lost. */
  readonly lostSeqs = new Map<string, number[]>();
  readonly tasks = new Map<string, SimTask>();
  /** When each FilterLogEvents call was made (virtual ms), to check the rate against the quota. */
  readonly filterCallTimes: number[] = [];
  private readonly options: SimulationOptions;
  /** Per stream, when CloudWatch first ingested a line to it: the stream exists from then on. */
  private readonly streamCreated = new Map<string, number>();
  private sorted = true;

  constructor(options: SimulationOptions = {}) {
    this.options = options;
    const now = Date.now();
    (options.tasks ?? ["task0001"]).forEach((id) => {
      this.addTask(id, now - 60_000, false);
    });
    this.fisModel = new FisModel(
      {
        actionStartMs: 3000,
        ...(options.actionFails ? { actionFails: options.actionFails } : {}),
        ...(options.neverStops ? { neverStops: true } : {}),
      },
      (target) => this.resolve(target as Record<string, unknown> | undefined),
    );
    this.ecs = stub(ECSClient);
    this.fis = stub(FisClient);
    this.logs = stub(CloudWatchLogsClient);
    this.sts = stub(STSClient);
    this.ssm = stub(SSMClient);
    if (options.loadBalancer) this.elb = stub(ElasticLoadBalancingV2Client);
    this.wire();
  }

  /**
   * Ends the simulation. Every ECS, CloudWatch Logs and SSM request fislat sent is checked against
   * the SDK's own model of its operation first: one AWS would refuse fails the test.
   */
  reset(): void {
    const problems = [
      ...callProblems("ecs", this.ecs.calls()),
      ...callProblems("logs", this.logs.calls()),
      ...callProblems("ssm", this.ssm.calls()),
    ];
    for (const s of [this.ecs, this.fis, this.logs, this.sts, this.ssm, this.elb]) s?.restore();
    if (problems.length > 0) throw new Error(`requests the SDK's model refuses:\n${[...new Set(problems)].join("\n")}`);
  }

  private addTask(id: string, startedAt: number, launched: boolean): SimTask {
    const task: SimTask = {
      arn: taskArn(id),
      id,
      ip: `10.0.0.${this.tasks.size + 10}`,
      startedAt,
      seq: 0,
      writtenUntil: Math.ceil(Math.max(startedAt, Date.now() - 60_000) / 1000) * 1000,
      healthy: true,
      launched,
    };
    this.tasks.set(task.arn, task);
    return task;
  }

  private running(): SimTask[] {
    return [...this.tasks.values()].filter((t) => t.stoppedAt === undefined && !t.launched);
  }

  /** The experiments FIS holds (the shared model's). */
  get experiments(): Map<string, ModelExperiment> {
    return this.fisModel.experiments;
  }

  private faultActiveOn(task: SimTask, t: number): boolean {
    if (this.options.faultNeverLands) return false;
    for (const e of this.experiments.values()) {
      if (!e.resolved.includes(task.arn) && !this.options.linesFollowFault) continue;
      if (this.fisModel.actionActive(e, t) && t >= e.actionStartAt + (this.onsetLag.get(e.id) ?? 0)) return true;
    }
    return false;
  }

  /** Writes each task's lines up to now: one round trip a second, health changes as the probe makes them. */
  private advance(): void {
    const o = this.options;
    const now = Date.now();
    const action = Object.values(
      (sent(this.fis, CreateExperimentTemplateCommand).at(-1)?.actions ?? {}) as Record<string, object>,
    )[0];
    const skew = o.taskClockAheadMs ?? 0;
    this.maybeReplace(now);
    for (const task of this.tasks.values()) {
      const stream = o.wrongStream ? `other/probe/${task.id}` : streamOf(task.id);
      const end = Math.min(now, task.stoppedAt ?? Number.POSITIVE_INFINITY);
      for (; task.writtenUntil <= end; task.writtenUntil += 1000) {
        const t = task.writtenUntil;
        if (t < task.startedAt) continue;
        const trip = this.faultActiveOn(task, t)
          ? (o.underFault ??
            o.underFaultAt?.(
              Number((action as { parameters?: Record<string, string> } | undefined)?.parameters?.delayMilliseconds),
            ) ??
            roundTripUnder(action ?? {}, task.seq + 1))
          : { ok: true, rttMs: 8 };
        // The probe's health: unhealthy after failing for the failure window, healthy at the first success.
        let change: boolean | undefined;
        if (!trip.ok) {
          task.failingSince ??= t;
          if (task.healthy && t - task.failingSince >= HEALTH_FAILURE_MS) change = false;
        } else {
          task.failingSince = undefined;
          if (!task.healthy) change = true;
        }
        if (change !== undefined) {
          task.healthy = change;
          const at = t + trip.rttMs;
          this.write(task, stream, at + skew, at, `health-${t}`, {
            ts: new Date(at + skew).toISOString(),
            level: change ? "info" : "warn",
            msg: "Health changed",
            healthy: change,
            failingForMs: change ? 0 : HEALTH_FAILURE_MS,
            consecutiveFailures: change ? 0 : 30,
            task: task.arn,
          });
        }
        task.seq += 1;
        const record = {
          ts: new Date(t + skew).toISOString(),
          level: trip.ok ? "info" : "warn",
          msg: "Round trip",
          ok: trip.ok,
          rttMs: trip.rttMs,
          op: "GetItem",
          table: "MyTestTable",
          seq: task.seq,
          src: "loop",
          task: task.arn,
          conn: "reused",
          ...(o.healthyOnLines === false ? {} : { healthy: task.healthy }),
          ...(trip.ok ? {} : { errorKind: trip.errorKind ?? "timeout", error: "TimeoutError: timed out" }),
        };
        // The line is written when the round trip ends.
        if (!this.write(task, stream, t + skew, t + trip.rttMs, `rt-${task.seq}`, record)) {
          this.lostSeqs.set(task.id, [...(this.lostSeqs.get(task.id) ?? []), task.seq]);
        }
      }
    }
  }

  /** Whether the line reached CloudWatch. */
  private write(task: SimTask, stream: string, timestamp: number, writtenAt: number, key: string, record: object) {
    if (this.options.loseShare && lost(this.options.loseShare, `${task.id}-${key}`)) return false;
    const after = this.options.linesLostAfterFaultMs;
    const e = [...this.experiments.values()][0];
    if (after !== undefined && e && writtenAt >= e.actionStartAt + e.durationMs + after) return false;
    // The awslogs driver flushes every 5 s; ingestion takes a moment more.
    const flushed = Math.ceil((writtenAt + 1) / BATCH_MS) * BATCH_MS;
    const ingestionTime = flushed + (this.options.ingestionDelayMs ?? 500);
    const last = this.events.at(-1);
    if (last && last.timestamp > timestamp) this.sorted = false;
    this.events.push({
      eventId: `${task.id}-${key}`,
      timestamp,
      message: JSON.stringify(record),
      logStreamName: stream,
      ingestionTime,
    });
    if (!this.streamCreated.has(stream) || (this.streamCreated.get(stream) as number) > ingestionTime)
      this.streamCreated.set(stream, ingestionTime);
    return true;
  }

  /** ECS replaces the first task when its deep health check fails the load balancer's. */
  private maybeReplace(now: number): void {
    const after = this.options.replaceAfterMs;
    if (after === undefined) return;
    const experiment = [...this.experiments.values()][0];
    const first = [...this.tasks.values()][0];
    if (!experiment || !first || first.stoppedAt !== undefined) return;
    const at = experiment.actionStartAt + after;
    if (now < at) return;
    first.stoppedAt = at;
    first.stopCode = "ServiceSchedulerInitiated";
    first.stoppedReason = `Task failed ELB health checks in (target-group ${TARGET_GROUP_ARN})`;
    this.addTask("replacement1", at + 20_000, false);
  }

  /** The events CloudWatch has ingested by now, of the named streams or prefix, in [from, to]. */
  visible(query: { streams?: string[]; prefix?: string; from?: number; to?: number }): SimEvent[] {
    this.advance();
    const now = Date.now();
    const names = query.streams ? new Set(query.streams) : undefined;
    if (!this.sorted) {
      this.events.sort((a, b) => a.timestamp - b.timestamp || a.ingestionTime - b.ingestionTime);
      this.sorted = true;
    }
    // Binary search for the first event at or after `from`.
    let lo = 0;
    let hi = this.events.length;
    const from = query.from ?? Number.NEGATIVE_INFINITY;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.events[mid]?.timestamp ?? 0) < from) lo = mid + 1;
      else hi = mid;
    }
    const out: SimEvent[] = [];
    for (let i = lo; i < this.events.length; i++) {
      const e = this.events[i] as SimEvent;
      if (query.to !== undefined && e.timestamp > query.to) break;
      if (
        e.ingestionTime <= now &&
        (!names || names.has(e.logStreamName)) &&
        (!query.prefix || e.logStreamName.startsWith(query.prefix))
      )
        out.push(e);
    }
    return out;
  }

  /** A Live Tail session: every second, the events ingested since the last update. */
  private async *liveTailSession(streams?: string[]) {
    const opened = Date.now();
    yield { sessionStart: { sessionId: "live-1" } };
    let last = opened;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const now = Date.now();
      if (this.options.liveTailFailsAfterMs !== undefined && now - opened >= this.options.liveTailFailsAfterMs) {
        throw Object.assign(new Error("stream broke"), { name: "SessionStreamingException" });
      }
      const fresh = this.visible(streams ? { streams } : {}).filter((e) => e.ingestionTime > last);
      last = now;
      yield {
        sessionUpdate: {
          sessionMetadata: { sampled: false },
          sessionResults: fresh.map((e) => ({ ...e, logGroupIdentifier: LOG_GROUP_ARN })),
        },
      };
    }
  }

  private definition(): TaskDefinition {
    const env = this.options.env ?? {
      CONNECTION_TIMEOUT_MS: "500",
      READ_TIMEOUT_MS: "500",
      TEST_INTERVAL_SECONDS: "1",
    };
    return {
      taskDefinitionArn: TASK_DEF_ARN,
      family: "dynamodb-latency-test",
      revision: 7,
      enableFaultInjection: true,
      pidMode: "task",
      runtimePlatform: { operatingSystemFamily: "LINUX" },
      containerDefinitions: [
        {
          name: "fis-latency-test-to-ddb-app",
          image: "probe:latest",
          environment: Object.entries(env).map(([name, value]) => ({ name, value })),
          logConfiguration: {
            logDriver: "awslogs",
            options: {
              "awslogs-group": LOG_GROUP,
              "awslogs-region": this.options.logRegion ?? REGION,
              "awslogs-stream-prefix": "ecs",
            },
          },
        },
        this.options.sidecar ?? {
          name: "amazon-ssm-agent",
          image: "public.ecr.aws/amazon-ssm-agent/amazon-ssm-agent:latest",
          environment: [
            ...(this.options.noManagedInstanceRole
              ? []
              : [{ name: "MANAGED_INSTANCE_ROLE_NAME", value: "fislat-ssm-managed-instance" }]),
            ...(this.options.sidecarDependencies ? [{ name: "FISLAT_FIS_DEPENDENCIES", value: "preinstalled" }] : []),
          ],
        },
      ],
      ...this.options.definition,
    };
  }

  /**
   * The tasks FIS resolves a template's target to, with its selection mode: ARNs as given; a tag
   * across every cluster of the account (then the target's filters, ClusterArn among them); a
   * service's running tasks.
   */
  private resolve(target: Record<string, unknown> | undefined): string[] {
    const running = this.running().map((t) => t.arn);
    const t = target as
      | {
          resourceArns?: string[];
          resourceTags?: Record<string, string>;
          filters?: { path: string; values: string[] }[];
          selectionMode?: string;
        }
      | undefined;
    let pool = t?.resourceArns ?? [...running, ...this.launched];
    if (t?.resourceTags) {
      // The probe's tasks carry Environment=test (DescribeTasks below), and so do the others named.
      const matches = Object.entries(t.resourceTags).every(([k, v]) => k === "Environment" && v === "test");
      pool = matches ? [...running, ...(this.options.taggedElsewhere ?? [])] : [];
      for (const f of this.options.ignoresFilters ? [] : (t.filters ?? [])) {
        if (f.path !== "ClusterArn") throw new Error(`the simulation knows no filter path ${f.path}`);
        pool = pool.filter((arn) => f.values.includes(arn.replace(/:task\/([^/]+)\/.*$/, ":cluster/$1")));
      }
    }
    const mode = t?.selectionMode ?? "ALL";
    const percent = /^PERCENT\((\d+)\)$/.exec(mode);
    const count = /^COUNT\((\d+)\)$/.exec(mode);
    if (percent) return pool.slice(0, Math.round((pool.length * Number(percent[1])) / 100));
    if (count) return pool.slice(0, Number(count[1]));
    return pool;
  }

  private registered(arn: string): boolean {
    const task = this.tasks.get(arn);
    if (!task || task.stoppedAt !== undefined) return false;
    if ((this.options.unregistered ?? []).includes(task.id)) return false;
    if (task.launched) return Date.now() >= task.startedAt + (this.options.registerAfterMs ?? 20_000);
    return true;
  }

  private wire(): void {
    const o = this.options;
    on(this.sts, GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/operator` });

    on(this.ecs, ListTasksCommand).callsFake(() => {
      this.advance();
      return { taskArns: this.running().map((t) => t.arn) };
    });
    on(this.ecs, DescribeTasksCommand).callsFake((input: { tasks: string[] }) => {
      this.advance();
      return {
        tasks: input.tasks
          .map((t) => this.tasks.get(t.startsWith("arn:") ? t : taskArn(t)))
          .filter((t): t is SimTask => t !== undefined)
          .map((t) => ({
            taskArn: t.arn,
            clusterArn: CLUSTER_ARN,
            taskDefinitionArn: TASK_DEF_ARN,
            lastStatus: t.stoppedAt === undefined ? "RUNNING" : "STOPPED",
            desiredStatus: t.stoppedAt === undefined ? "RUNNING" : "STOPPED",
            launchType: "FARGATE",
            enableExecuteCommand: o.execEnabled === true,
            tags: [{ key: "Environment", value: "test" }],
            attachments: [{ type: "ElasticNetworkInterface", details: [{ name: "privateIPv4Address", value: t.ip }] }],
            ...(t.stoppedAt === undefined
              ? {}
              : { stoppingAt: new Date(t.stoppedAt), stopCode: t.stopCode, stoppedReason: t.stoppedReason }),
          })),
      };
    });
    on(this.ecs, DescribeTaskDefinitionCommand).callsFake(() => ({ taskDefinition: this.definition() }));
    on(this.ecs, DescribeServicesCommand).resolves({
      services: [
        {
          networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-a"], securityGroups: ["sg-a"] } },
          ...(o.loadBalancer
            ? {
                loadBalancers: [
                  {
                    targetGroupArn: TARGET_GROUP_ARN,
                    containerName: "fis-latency-test-to-ddb-app",
                    containerPort: 8080,
                  },
                ],
              }
            : {}),
        },
      ],
    });
    on(this.ecs, RunTaskCommand).callsFake(() => {
      const id = `launched${this.launched.length + 1}`;
      const task = this.addTask(id, Date.now(), true);
      this.launched.push(task.arn);
      return { tasks: [{ taskArn: task.arn }], failures: [] };
    });
    on(this.ecs, StopTaskCommand).resolves({});

    on(this.ssm, DescribeInstanceInformationCommand).callsFake(
      (input: { Filters?: { Key: string; Values: string[] }[] }) => {
        const filter = input.Filters?.find((f) => f.Key === "tag:ECS_TASK_ARN");
        const arns = (filter?.Values ?? []).filter((arn) => this.registered(arn));
        return {
          InstanceInformationList: arns.map((arn) => ({
            InstanceId: `mi-${(arn.split("/").at(-1) ?? "").padStart(17, "0")}`,
            PingStatus: "Online",
            ResourceType: "ManagedInstance",
          })),
        };
      },
    );
    if (this.elb) {
      on(this.elb, DescribeTargetHealthCommand).callsFake(() => {
        this.advance();
        return {
          TargetHealthDescriptions: [...this.tasks.values()]
            .filter((t) => t.startedAt <= Date.now())
            .map((t) => ({
              Target: { Id: t.ip, Port: 8080 },
              TargetHealth:
                t.stoppedAt !== undefined
                  ? { State: "draining", Reason: "Target.DeregistrationInProgress" }
                  : t.healthy
                    ? { State: "healthy" }
                    : {
                        State: "unhealthy",
                        Reason: "Target.ResponseCodeMismatch",
                        Description: "Health checks failed with these codes: [503]",
                      },
            })),
        };
      });
    }

    on(this.logs, DescribeLogGroupsCommand).callsFake(() => ({
      logGroups:
        o.logGroupExists === false
          ? []
          : [{ logGroupName: LOG_GROUP, logGroupArn: LOG_GROUP_ARN, arn: `${LOG_GROUP_ARN}:*` }],
    }));
    if (o.liveTail) {
      on(this.logs, StartLiveTailCommand).callsFake((input: { logStreamNames?: string[] }) => {
        if (o.liveTailQuotaReached)
          throw Object.assign(new Error("You have reached the maximum number of resources that can be created."), {
            name: "LimitExceededException",
          });
        return { responseStream: this.liveTailSession(input.logStreamNames) };
      });
    }
    on(this.logs, FilterLogEventsCommand).callsFake(
      (input: {
        startTime?: number;
        endTime?: number;
        logStreamNames?: string[];
        logStreamNamePrefix?: string;
        nextToken?: string;
      }) => {
        this.advance();
        if (input.logStreamNames && input.logStreamNames.length > 100) {
          throw Object.assign(new Error("logStreamNames: at most 100"), { name: "InvalidParameterException" });
        }
        this.filterCallTimes.push(Date.now());
        const absent = (input.logStreamNames ?? []).find(
          (s) => !((this.streamCreated.get(s) ?? Infinity) <= Date.now()),
        );
        if (absent) {
          throw Object.assign(new Error("The specified log stream does not exist."), {
            name: "ResourceNotFoundException",
          });
        }
        const all = this.visible({
          ...(input.logStreamNames ? { streams: input.logStreamNames } : {}),
          ...(input.logStreamNamePrefix ? { prefix: input.logStreamNamePrefix } : {}),
          ...(input.startTime === undefined ? {} : { from: input.startTime }),
          ...(input.endTime === undefined ? {} : { to: input.endTime }),
        });
        // A page may be empty and still carry a token (API reference): "e<n>" tokens before the events.
        const empties = o.emptyPagesFirst ?? 0;
        const skipped = /^e(\d+)$/.exec(input.nextToken ?? "");
        const emptiesSoFar = input.nextToken === undefined ? 0 : skipped ? Number(skipped[1]) : empties;
        if (emptiesSoFar < empties) return { events: [], nextToken: `e${emptiesSoFar + 1}` };
        // Pages as CloudWatch cuts them: at most 1 MB (26 bytes of overhead per event) or 10,000 events.
        const offset = skipped ? 0 : Number(input.nextToken ?? 0);
        let bytes = 0;
        let end = offset;
        while (end < all.length && end - offset < PAGE_EVENTS) {
          bytes += (all[end]?.message.length ?? 0) + 26;
          if (bytes > PAGE_BYTES) break;
          end += 1;
        }
        const events = all.slice(offset, end);
        return {
          events: o.duplicateEvents ? [...events, ...events] : events,
          ...(end < all.length ? { nextToken: String(end) } : {}),
        };
      },
    );

    // FIS: the shared model answers, its errors thrown as the SDK would (name = the exception).
    const fis = <T>(answer: () => T) => {
      this.advance();
      try {
        return answer();
      } catch (error) {
        if (error instanceof FisError) throw Object.assign(new Error(error.message), { name: error.name });
        throw error;
      }
    };
    on(this.fis, CreateExperimentTemplateCommand).callsFake((input: TemplateInput) =>
      fis(() => ({ experimentTemplate: this.fisModel.createTemplate(input, Date.now()) })),
    );
    on(this.fis, DeleteExperimentTemplateCommand).callsFake((input: { id: string }) =>
      fis(() => ({ experimentTemplate: this.fisModel.deleteTemplate(input.id) })),
    );
    on(this.fis, StartExperimentCommand).callsFake(
      (input: { experimentTemplateId: string; tags: Record<string, string> }) =>
        fis(() => {
          const now = Date.now();
          const late = this.options.startsBeforeResolution;
          if (late && !this.tasks.has(taskArn(late))) {
            this.addTask(late, now, false);
            this.options.unregistered = [...(this.options.unregistered ?? []), late];
          }
          const experiment = this.fisModel.startExperiment(input, now);
          const template = this.fisModel.templates.get(input.experimentTemplateId);
          const action = Object.values(template?.actions ?? {})[0];
          const installs = action?.parameters?.installDependencies !== "false";
          this.onsetLag.set(
            experiment.id,
            this.options.onsetLagMs ??
              (this.options.installLag ? DOCUMENT_START_LAG_MS + (installs ? INSTALL_LAG_MS : 0) : 0),
          );
          return { experiment };
        }),
    );
    on(this.fis, GetExperimentCommand).callsFake((input: { id: string }) =>
      fis(() => ({ experiment: this.fisModel.getExperiment(input.id, Date.now()) })),
    );
    on(this.fis, ListExperimentResolvedTargetsCommand).callsFake((input: { experimentId: string }) =>
      fis(() => ({ resolvedTargets: this.fisModel.resolvedTargets(input.experimentId) })),
    );
    on(this.fis, StopExperimentCommand).callsFake((input: { id: string }) =>
      fis(() => ({ experiment: this.fisModel.stopExperiment(input.id, Date.now()) })),
    );
    on(this.fis, ListExperimentsCommand).callsFake(() =>
      fis(() => ({ experiments: this.fisModel.listExperiments(Date.now()) })),
    );
  }
}

/**
 * Advances the fake clock in steps until `done()` holds (bounded: false after `maxVirtualMs`).
 * Each step also yields to the real event loop, so real I/O (module loading, report files) goes
 * on too; while no fake timer is pending, only real I/O can be awaited, so virtual time stands
 * still (a slow disk must not look like an hour of AWS time).
 */
export async function advanceUntil(done: () => boolean, stepMs = 250, maxVirtualMs = 3_600_000): Promise<boolean> {
  let idle = 0;
  for (let elapsed = 0; !done() && elapsed < maxVirtualMs && idle < 100_000; ) {
    await new Promise((resolve) => setImmediate(resolve));
    if (vi.getTimerCount() === 0) {
      idle += 1;
      continue;
    }
    idle = 0;
    await vi.advanceTimersByTimeAsync(stepMs);
    elapsed += stepMs;
  }
  return done();
}

/** Whether `work` has settled, as a function to poll. */
export function settledFlag(work: Promise<unknown>): () => boolean {
  let settled = false;
  const mark = () => {
    settled = true;
  };
  work.then(mark, mark);
  return () => settled;
}

/** Advances the fake clock until `work` settles (a hang fails instead of spinning). */
export async function drive<T>(work: Promise<T>): Promise<T> {
  const settled = settledFlag(work);
  if (!(await advanceUntil(settled))) throw new Error("still running after an hour of virtual time");
  return work;
}
