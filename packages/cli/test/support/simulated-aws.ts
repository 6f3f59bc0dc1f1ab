// A small simulation of the AWS control plane behind aws-sdk-client-mock, on vitest's fake clock:
// ECS tasks running the probe, FIS experiments whose action starts, runs for its duration and
// ends (or fails, or never stops), and CloudWatch Logs returning the probe's lines after an
// ingestion delay, as the probe would have written them under the fault. Tests drive whole
// `fislat run` flows through it and assert on what fislat sent.
import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  FilterLogEventsCommand,
  StartLiveTailCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  RunTaskCommand,
  StopTaskCommand,
  type TaskDefinition,
} from "@aws-sdk/client-ecs";
import {
  CreateExperimentTemplateCommand,
  DeleteExperimentTemplateCommand,
  FisClient,
  GetExperimentCommand,
  ListExperimentsCommand,
  StartExperimentCommand,
  StopExperimentCommand,
} from "@aws-sdk/client-fis";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { type AwsStub, mockClient } from "aws-sdk-client-mock";
import { vi } from "vitest";

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
const CLUSTER_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/FIS`;
export const taskArn = (id: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:task/FIS/${id}`;
export const TASK_DEF_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/dynamodb-latency-test:7`;
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/fisExperimentRole`;
export const LOG_GROUP = "/ecs/dynamodb-latency-test";
export const LOG_GROUP_ARN = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${LOG_GROUP}`;

export interface SimulationOptions {
  tasks?: string[];
  definition?: Partial<TaskDefinition>;
  /** The probe's environment in the task definition. */
  env?: Record<string, string>;
  /** How round trips behave under the fault. */
  underFault?: { ok: boolean; rttMs: number; errorKind?: string };
  /** FIS: the action fails at start with this reason. */
  actionFails?: string;
  /** FIS: StopExperiment is accepted but the experiment never reaches a final state. */
  neverStops?: boolean;
  /** CloudWatch: lines become visible this long after they were written. */
  ingestionDelayMs?: number;
  /** CloudWatch: return every event twice, as overlapping polls do. */
  duplicateEvents?: boolean;
  logGroupExists?: boolean;
  /** CloudWatch: answer StartLiveTail with a session pushing updates every second. */
  liveTail?: boolean;
  /** CloudWatch: the Live Tail session fails after this long. */
  liveTailFailsAfterMs?: number;
}

interface SimExperiment {
  id: string;
  templateId: string;
  startedAt: number;
  actionStartAt: number;
  durationMs: number;
  stoppedAt?: number;
  tags: Record<string, string>;
  targets: Record<string, unknown>;
}

const isoDurationMs = (iso: string) => {
  const m = /^PT(?:(\d+)M)?(?:(\d+)S)?$/.exec(iso);
  return (Number(m?.[1] ?? 0) * 60 + Number(m?.[2] ?? 0)) * 1000;
};

export class SimulatedAws {
  readonly ecs: Stub;
  readonly fis: Stub;
  readonly logs: Stub;
  readonly sts: Stub;
  readonly experiments = new Map<string, SimExperiment>();
  readonly launched: string[] = [];
  private readonly options: SimulationOptions;
  private readonly runningTasks: string[];

  constructor(options: SimulationOptions = {}) {
    this.options = options;
    this.runningTasks = (options.tasks ?? ["task0001"]).map(taskArn);
    this.ecs = stub(ECSClient);
    this.fis = stub(FisClient);
    this.logs = stub(CloudWatchLogsClient);
    this.sts = stub(STSClient);
    this.wire();
  }

  reset(): void {
    for (const stub of [this.ecs, this.fis, this.logs, this.sts]) stub.restore();
  }

  private faultActiveAt(t: number): boolean {
    for (const e of this.experiments.values()) {
      if (this.options.actionFails) continue;
      const end = Math.min(e.actionStartAt + e.durationMs, e.stoppedAt ?? Number.POSITIVE_INFINITY);
      if (t >= e.actionStartAt && t < end) return true;
    }
    return false;
  }

  /** The probe's lines, one round trip a second per task, as written up to `until`. */
  private probeLines(from: number, until: number) {
    const o = this.options;
    const events: {
      eventId: string;
      timestamp: number;
      message: string;
      logStreamName: string;
      ingestionTime: number;
    }[] = [];
    const first = Math.ceil(from / 1000) * 1000;
    const under = this.options.underFault ?? { ok: false, rttMs: 503, errorKind: "timeout" };
    for (const arn of [...this.runningTasks, ...this.launched]) {
      const id = arn.split("/").at(-1) as string;
      // The probe's health: unhealthy 30 s into failing round trips, healthy at the first success.
      for (const e of this.experiments.values()) {
        if (under.ok || o.actionFails) continue;
        const end = Math.min(e.actionStartAt + e.durationMs, e.stoppedAt ?? Number.POSITIVE_INFINITY);
        const down = Math.ceil(e.actionStartAt / 1000) * 1000 + 30_000;
        if (down >= end) continue;
        for (const [at, healthy] of [
          [down, false],
          [Math.ceil(end / 1000) * 1000 + 8, true],
        ] as const) {
          if (at < from || at > until) continue;
          events.push({
            eventId: `${id}-health-${at}`,
            timestamp: at,
            message: JSON.stringify({
              ts: new Date(at).toISOString(),
              msg: "Health changed",
              healthy,
              failingForMs: healthy ? 0 : 30_000,
              task: arn,
            }),
            logStreamName: `ecs/probe/${id}`,
            ingestionTime: at + (o.ingestionDelayMs ?? 3000),
          });
        }
      }
      for (let t = first; t <= until; t += 1000) {
        const faulty = this.faultActiveAt(t);
        const trip = faulty ? under : { ok: true, rttMs: 8 };
        const record = {
          ts: new Date(t).toISOString(),
          level: trip.ok ? "info" : "warn",
          msg: "Round trip",
          ok: trip.ok,
          rttMs: trip.rttMs,
          op: "GetItem",
          table: "MyTestTable",
          seq: Math.floor(t / 1000),
          src: "loop",
          task: arn,
          conn: "reused",
          ...(trip.ok ? {} : { errorKind: trip.errorKind ?? "timeout", error: "TimeoutError: timed out" }),
        };
        events.push({
          eventId: `${id}-${t}`,
          timestamp: t,
          message: JSON.stringify(record),
          logStreamName: `ecs/probe/${id}`,
          ingestionTime: t + (this.options.ingestionDelayMs ?? 3000),
        });
      }
    }
    return events.sort((a, b) => a.timestamp - b.timestamp);
  }

  /** A Live Tail session: every second, the events ingested since the last update. */
  private async *liveTailSession() {
    const opened = Date.now();
    yield { sessionStart: { sessionId: "live-1" } };
    let last = opened;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const now = Date.now();
      if (this.options.liveTailFailsAfterMs !== undefined && now - opened >= this.options.liveTailFailsAfterMs) {
        throw Object.assign(new Error("stream broke"), { name: "SessionStreamingException" });
      }
      const fresh = this.probeLines(opened - 60_000, now).filter(
        (e) => e.ingestionTime > last && e.ingestionTime <= now,
      );
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
            options: { "awslogs-group": LOG_GROUP, "awslogs-region": REGION, "awslogs-stream-prefix": "ecs" },
          },
        },
        { name: "amazon-ssm-agent", image: "public.ecr.aws/amazon-ssm-agent/amazon-ssm-agent:latest" },
      ],
      ...this.options.definition,
    };
  }

  private experimentView(e: SimExperiment) {
    const now = Date.now();
    const actionEnd = e.actionStartAt + e.durationMs;
    let status = "initiating";
    let actionStatus = "pending";
    let reason: string | undefined;
    let actionEndTime: Date | undefined;
    if (this.options.actionFails && now >= e.actionStartAt) {
      status = "failed";
      actionStatus = "failed";
      reason = this.options.actionFails;
      actionEndTime = new Date(e.actionStartAt);
    } else if (e.stoppedAt !== undefined) {
      status = this.options.neverStops ? "stopping" : "stopped";
      actionStatus = this.options.neverStops ? "stopping" : "stopped";
      if (!this.options.neverStops) actionEndTime = new Date(e.stoppedAt);
    } else if (now >= actionEnd) {
      status = "completed";
      actionStatus = "completed";
      actionEndTime = new Date(actionEnd);
    } else if (now >= e.actionStartAt) {
      status = "running";
      actionStatus = "running";
    }
    return {
      id: e.id,
      experimentTemplateId: e.templateId,
      state: { status, ...(reason ? { reason } : {}) },
      tags: e.tags,
      targets: e.targets,
      creationTime: new Date(e.startedAt),
      startTime: new Date(e.startedAt),
      actions: {
        dynamodbLatency: {
          actionId: "aws:ecs:task-network-latency",
          state: { status: actionStatus, ...(reason ? { reason } : {}) },
          ...(now >= e.actionStartAt ? { startTime: new Date(e.actionStartAt) } : {}),
          ...(actionEndTime ? { endTime: actionEndTime } : {}),
        },
      },
    };
  }

  private wire(): void {
    const o = this.options;
    on(this.sts, GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/operator` });

    on(this.ecs, ListTasksCommand).callsFake(() => ({ taskArns: [...this.runningTasks] }));
    on(this.ecs, DescribeTasksCommand).callsFake((input: { tasks: string[] }) => ({
      tasks: input.tasks
        .map((t) => (t.startsWith("arn:") ? t : taskArn(t)))
        .filter((arn) => this.runningTasks.includes(arn) || this.launched.includes(arn))
        .map((arn) => ({
          taskArn: arn,
          clusterArn: CLUSTER_ARN,
          taskDefinitionArn: TASK_DEF_ARN,
          lastStatus: "RUNNING",
          desiredStatus: "RUNNING",
          launchType: "FARGATE",
          tags: [{ key: "Environment", value: "test" }],
        })),
    }));
    on(this.ecs, DescribeTaskDefinitionCommand).callsFake(() => ({ taskDefinition: this.definition() }));
    on(this.ecs, DescribeServicesCommand).resolves({
      services: [
        { networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-a"], securityGroups: ["sg-a"] } } },
      ],
    });
    on(this.ecs, RunTaskCommand).callsFake(() => {
      const arn = taskArn(`launched${this.launched.length + 1}`);
      this.launched.push(arn);
      return { tasks: [{ taskArn: arn }], failures: [] };
    });
    on(this.ecs, StopTaskCommand).resolves({});

    on(this.logs, DescribeLogGroupsCommand).callsFake(() => ({
      logGroups:
        o.logGroupExists === false
          ? []
          : [{ logGroupName: LOG_GROUP, logGroupArn: LOG_GROUP_ARN, arn: `${LOG_GROUP_ARN}:*` }],
    }));
    if (o.liveTail) {
      on(this.logs, StartLiveTailCommand).callsFake(() => ({ responseStream: this.liveTailSession() }));
    }
    on(this.logs, FilterLogEventsCommand).callsFake((input: { startTime?: number; endTime?: number }) => {
      const now = Date.now();
      const visible = this.probeLines(input.startTime ?? 0, Math.min(now, input.endTime ?? now)).filter(
        (e) => e.ingestionTime <= now,
      );
      return { events: o.duplicateEvents ? [...visible, ...visible] : visible };
    });

    let templates = 0;
    on(this.fis, CreateExperimentTemplateCommand).callsFake(() => ({
      experimentTemplate: { id: `EXT${++templates}` },
    }));
    on(this.fis, DeleteExperimentTemplateCommand).resolves({});
    on(this.fis, StartExperimentCommand).callsFake(
      (input: { experimentTemplateId: string; tags: Record<string, string> }) => {
        const create = sent(this.fis, CreateExperimentTemplateCommand).at(-1) as
          | { actions?: Record<string, unknown>; targets?: Record<string, unknown> }
          | undefined;
        const action = Object.values(create?.actions ?? {})[0] as { parameters: Record<string, string> } | undefined;
        const id = `EXP${this.experiments.size + 1}`;
        const now = Date.now();
        this.experiments.set(id, {
          id,
          templateId: input.experimentTemplateId,
          startedAt: now,
          actionStartAt: now + 3000,
          durationMs: isoDurationMs(action?.parameters.duration ?? "PT1M"),
          tags: input.tags,
          targets: (create?.targets ?? {}) as Record<string, unknown>,
        });
        return { experiment: { id, state: { status: "initiating" } } };
      },
    );
    on(this.fis, GetExperimentCommand).callsFake((input: { id: string }) => {
      const e = this.experiments.get(input.id);
      if (!e) throw Object.assign(new Error(`no experiment ${input.id}`), { name: "ResourceNotFoundException" });
      return { experiment: this.experimentView(e) };
    });
    on(this.fis, StopExperimentCommand).callsFake((input: { id: string }) => {
      const e = this.experiments.get(input.id);
      if (!e) throw Object.assign(new Error(`no experiment ${input.id}`), { name: "ResourceNotFoundException" });
      e.stoppedAt ??= Date.now();
      return { experiment: this.experimentView(e) };
    });
    on(this.fis, ListExperimentsCommand).callsFake(() => ({
      experiments: [...this.experiments.values()].map((e) => {
        const view = this.experimentView(e);
        return { id: e.id, state: view.state, tags: e.tags, creationTime: new Date(e.startedAt) };
      }),
    }));
  }
}

/**
 * Advances the fake clock in steps until `done()` holds (bounded: false after `maxVirtualMs`).
 * Each step also yields to the real event loop, so real I/O (module loading) goes on too.
 */
export async function advanceUntil(done: () => boolean, stepMs = 250, maxVirtualMs = 3_600_000): Promise<boolean> {
  for (let elapsed = 0; !done() && elapsed < maxVirtualMs; elapsed += stepMs) {
    await new Promise((resolve) => setImmediate(resolve));
    await vi.advanceTimersByTimeAsync(stepMs);
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
