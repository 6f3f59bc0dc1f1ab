// A small simulation of the AWS control plane behind aws-sdk-client-mock, on vitest's fake clock:
// ECS tasks running the probe, FIS experiments whose action starts, runs for its duration and
// ends (or fails, or never stops), and CloudWatch Logs returning the probe's lines after the
// awslogs driver's 5 s batching and an ingestion delay, as the probe would have written them under
// the fault. It misbehaves as real AWS does when asked (issue 13): lines lost, late or sent to the
// wrong stream, a task clock ahead, a task replaced by ECS mid-fault, a fault that never lands or
// takes effect late, a stop that never confirms, tasks not yet registered with SSM. Tests drive
// whole `fislat run` flows through it and assert on what fislat sent. FIS, ECS (and SSM's view of
// its tasks), CloudWatch Logs and the probe are each one model every test shares (fis-model.ts,
// ecs-model.ts, logs-model.ts, probe-model.ts), as the HTTP fake's are: this is their mock transport.
import * as logsApi from "@aws-sdk/client-cloudwatch-logs";
import * as ecsApi from "@aws-sdk/client-ecs";
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import * as fisApi from "@aws-sdk/client-fis";
import * as ssmApi from "@aws-sdk/client-ssm";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { type AwsStub, mockClient } from "aws-sdk-client-mock";
import { expect, vi } from "vitest";
import { ACCOUNT, CONTAINER, EcsModel, type EcsModelOptions, type EcsTask, REGION, taskArn } from "./ecs-model.js";
import { FisModel, type FisModelOptions, type ModelExperiment } from "./fis-model.js";
import { LogsModel, type LogsModelOptions } from "./logs-model.js";
import { ModelError, type Operations } from "./model.js";
import { ProbeModel, type ProbeOptions, probeTaskDefinition, type TaskDefinitionOptions } from "./probe-model.js";
import { callProblems } from "./sdk-schema.js";

export { ACCOUNT, CLUSTER_ARN, REGION, TASK_DEF_ARN, taskArn } from "./ecs-model.js";
export { LOG_GROUP, LOG_GROUP_ARN, STREAM_PREFIX, streamOf } from "./logs-model.js";
export { DOCUMENT_START_LAG_MS, INSTALL_LAG_MS } from "./probe-model.js";

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

export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/fisExperimentRole`;
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
/** The awslogs driver flushes every 5 s (its default). */
const BATCH_MS = 5000;

export interface SimulationOptions
  extends ProbeOptions,
    TaskDefinitionOptions,
    Pick<EcsModelOptions, "execEnabled" | "unregistered" | "registerAfterMs" | "taggedElsewhere" | "ignoresFilters">,
    Pick<LogsModelOptions, "logGroupExists" | "duplicateEvents" | "emptyPagesFirst" | "liveTailQuotaReached">,
    Pick<FisModelOptions, "actionFails" | "neverStops"> {
  tasks?: string[];
  /** CloudWatch: after the awslogs driver's 5 s batch is flushed, lines take this long to be ingested (default 500 ms). */
  ingestionDelayMs?: number;
  /** CloudWatch: answer StartLiveTail with a session pushing updates every second. */
  liveTail?: boolean;
  /** CloudWatch: the Live Tail session fails after this long. */
  liveTailFailsAfterMs?: number;
  /** ECS stops the first task this long into the fault (failed load balancer health checks) and starts a replacement. */
  replaceAfterMs?: number;
  /** The service is behind a load balancer whose target group probes the deep /health. */
  loadBalancer?: boolean;
  /** A task that starts in the service between fislat's preflight and FIS's target resolution, not registered with SSM. */
  startsBeforeResolution?: string;
}

export class SimulatedAws {
  readonly ecs: Stub;
  readonly fis: Stub;
  readonly logs: Stub;
  readonly sts: Stub;
  readonly ssm: Stub;
  readonly elb?: Stub;
  /** FIS, ECS, CloudWatch Logs and the probe in each task, as every test models them. */
  readonly fisModel: FisModel;
  readonly ecsModel: EcsModel;
  readonly logsModel: LogsModel;
  readonly probes: ProbeModel;
  /** The models' state a test looks at: FIS's experiments, ECS's tasks by ARN, the lost lines' seqs per task id. */
  readonly experiments: Map<string, ModelExperiment>;
  readonly tasks: Map<string, EcsTask>;
  readonly lostSeqs: Map<string, number[]>;
  /** When each FilterLogEvents call was made (virtual ms), to check the rate against the quota. */
  readonly filterCallTimes: number[] = [];
  private readonly options: SimulationOptions;

  constructor(options: SimulationOptions = {}) {
    this.options = options;
    // Date.now read at each call: vitest's fake clock replaces it.
    const now = () => Date.now();
    this.ecsModel = new EcsModel(
      {
        ...options,
        tasks: options.tasks ?? ["task0001"],
        taskDefinition: () => probeTaskDefinition(options),
        anyName: true,
        ...(options.loadBalancer
          ? { loadBalancers: [{ targetGroupArn: TARGET_GROUP_ARN, containerName: CONTAINER, containerPort: 8080 }] }
          : {}),
      },
      now,
    );
    this.logsModel = new LogsModel(
      { ...options, batchMs: BATCH_MS, ingestionDelayMs: options.ingestionDelayMs ?? 500 },
      now,
    );
    this.fisModel = new FisModel({ ...options, actionStartMs: 3000 }, (target) => this.ecsModel.resolveTarget(target));
    this.probes = new ProbeModel(this.ecsModel, this.logsModel, this.fisModel, options);
    this.experiments = this.fisModel.experiments;
    this.tasks = this.ecsModel.tasks;
    this.lostSeqs = this.probes.lostSeqs;
    this.ecs = stub(ecsApi.ECSClient);
    this.fis = stub(fisApi.FisClient);
    this.logs = stub(logsApi.CloudWatchLogsClient);
    this.sts = stub(STSClient);
    this.ssm = stub(ssmApi.SSMClient);
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

  /** Everything up to now: ECS replacing the first task when it fails the load balancer's health check, each task's lines. */
  private advance(): void {
    const now = Date.now();
    const [experiment] = this.experiments.values();
    const [first] = this.tasks.values();
    const at = (experiment?.actionStartAt ?? 0) + (this.options.replaceAfterMs ?? Number.POSITIVE_INFINITY);
    if (experiment && first && first.stoppedAt === undefined && now >= at) {
      const reason = `Task failed ELB health checks in (target-group ${TARGET_GROUP_ARN})`;
      this.ecsModel.stop(first, at, "ServiceSchedulerInitiated", reason);
      this.ecsModel.addTask("replacement1", at + 20_000, false);
    }
    this.probes.advance(now);
  }

  /** A model's answer once everything is up to now; its error thrown as the SDK would (name = the exception). */
  private answer<T>(model: () => T): T {
    this.advance();
    try {
      return model();
    } catch (error) {
      if (error instanceof ModelError) throw Object.assign(new Error(error.message), { name: error.name });
      throw error;
    }
  }

  /** A Live Tail session: every second, the session's events ingested since the last update. */
  private async *liveTailSession(update: ReturnType<LogsModel["startLiveTail"]>) {
    const opened = Date.now();
    yield { sessionStart: { sessionId: "live-1" } };
    let last = opened;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const now = Date.now();
      if (this.options.liveTailFailsAfterMs !== undefined && now - opened >= this.options.liveTailFailsAfterMs) {
        throw Object.assign(new Error("stream broke"), { name: "SessionStreamingException" });
      }
      this.advance();
      const sessionUpdate = update(last);
      last = now;
      yield { sessionUpdate };
    }
  }

  private wire(): void {
    const o = this.options;
    const ecs = this.ecsModel;
    const logs = this.logsModel;
    const fis = this.fisModel.operations(() => Date.now());
    /** Each operation on the client's stub as its command, answered by the model. */
    const serve = (s: Stub, api: object, operations: Operations) => {
      for (const [name, operation] of Object.entries(operations))
        on(s, (api as Record<string, unknown>)[`${name}Command`]).callsFake((input: unknown) =>
          this.answer(() => operation(input as never)),
        );
    };
    on(this.sts, GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/operator` });
    serve(this.ecs, ecsApi, ecs.operations);
    serve(this.ssm, ssmApi, ecs.ssmOperations);
    serve(this.logs, logsApi, {
      ...logs.operations,
      FilterLogEvents: (input: logsApi.FilterLogEventsRequest) => {
        // Every call counts against the account's quota, refused or not.
        this.filterCallTimes.push(Date.now());
        return logs.operations.FilterLogEvents(input);
      },
      ...(o.liveTail
        ? {
            StartLiveTail: (input: logsApi.StartLiveTailRequest) => ({
              responseStream: this.liveTailSession(logs.startLiveTail(input)),
            }),
          }
        : {}),
    });
    serve(this.fis, fisApi, {
      ...fis,
      StartExperiment: (input: Parameters<typeof fis.StartExperiment>[0]) => {
        const late = o.startsBeforeResolution;
        if (late && !this.tasks.has(taskArn(late))) {
          ecs.addTask(late, Date.now(), false);
          ecs.unregistered.add(late);
        }
        return fis.StartExperiment(input);
      },
    });
    // The load balancer's view of the tasks: the probe's own health, a stopped task draining.
    if (this.elb)
      on(this.elb, DescribeTargetHealthCommand).callsFake(() =>
        this.answer(() => ({
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
        })),
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
/** Each FIS experiment started only after the one before it had ended (a sweep's levels, in turn). */
export function expectOneAfterAnother(sim: SimulatedAws): void {
  const experiments = [...sim.experiments.values()];
  for (let i = 1; i < experiments.length; i++) {
    const before = experiments[i - 1] as ModelExperiment;
    expect((experiments[i] as ModelExperiment).startedAt).toBeGreaterThan(before.actionStartAt + before.durationMs);
  }
}

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
