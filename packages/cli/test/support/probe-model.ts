// The probe in each ECS task (ecs-model.ts), as both the in-process simulation and the HTTP fake
// run it: one round trip a second, slowed or failed while a FIS experiment's action (fis-model.ts)
// is on for the task, its health changing as the probe's does, every line sent by the awslogs
// driver to CloudWatch Logs (logs-model.ts). Lines are written lazily, up to the clock's now, by
// `advance`; the knobs are the ways real tasks misbehave (issue 13): lines lost, a clock ahead, the
// wrong stream, a fault that never lands or takes effect late.
import type { ContainerDefinition, TaskDefinition } from "@aws-sdk/client-ecs";
import { CONTAINER, type EcsModel, type EcsTask, REGION, TASK_DEF_ARN } from "./ecs-model.js";
import { roundTripUnder } from "./fis-action-model.js";
import type { FisModel, ModelExperiment } from "./fis-model.js";
import { LOG_GROUP, type LogsModel, streamOf } from "./logs-model.js";

/**
 * Assumed, not measured on AWS (no account here): the SSM document starts a few seconds after the
 * action, and installing atd, curl-minimal, dig, jq and lsof with dnf in a 0.25 vCPU sidecar adds
 * tens of seconds ("tens of seconds late", issue 18's review). The report measures the real lag.
 */
export const DOCUMENT_START_LAG_MS = 3000;
export const INSTALL_LAG_MS = 25_000;
/** The probe's loop interval (TEST_INTERVAL_SECONDS=1) and its health failure window (the default 30 s). */
const INTERVAL_MS = 1000;
const HEALTH_FAILURE_MS = 30_000;

type Trip = { ok: boolean; rttMs: number; errorKind?: string };

export interface ProbeOptions {
  /** How round trips behave under the fault (default: as the experiment's action makes them, fis-action-model.ts). */
  underFault?: Trip;
  /** How round trips behave under a fault of this delay (the action's delayMilliseconds): a sweep's levels. */
  underFaultAt?: (delayMs: number) => Trip;
  /** FIS runs the action but no latency is applied. */
  faultNeverLands?: boolean;
  /** The latency takes effect this long after FIS starts the action (the SSM document's start). */
  onsetLagMs?: number;
  /**
   * The onset lag follows the action's installDependencies: the SSM document installing the tools
   * in the sidecar first (INSTALL_LAG_MS more), or not (installDependencies=false).
   */
  installLag?: boolean;
  /** Every task's lines show the fault while it is on, targeted or not: a probe task that requests
   * a service whose own tasks are under the fault (the AWS service run's --launch). */
  linesFollowFault?: boolean;
  /** This share of the probe's lines (round trips and health changes) never reaches CloudWatch. */
  loseShare?: number;
  /** CloudWatch never receives the lines written this long after the fault ended (a driver that lost its buffer). */
  linesLostAfterFaultMs?: number;
  /** The probe logs to another stream prefix than the task definition says: the expected streams stay empty. */
  wrongStream?: boolean;
  /** The tasks' clocks are this far ahead of AWS's. */
  taskClockAheadMs?: number;
  /** Round-trip lines carry the probe's health state; default true. */
  healthyOnLines?: boolean;
}

export interface TaskDefinitionOptions {
  /** The probe's environment in the task definition. */
  env?: Record<string, string>;
  /** The task definition's awslogs-region (default the region fislat runs in). */
  logRegion?: string;
  /** The SSM sidecar container as a task definition has it (e.g. the shipped template's). */
  sidecar?: ContainerDefinition;
  /** The SSM sidecar lacks MANAGED_INSTANCE_ROLE_NAME. */
  noManagedInstanceRole?: boolean;
  /** The SSM sidecar's image carries the FIS action's tools, and says so. */
  sidecarDependencies?: boolean;
  /** Over the rest. */
  definition?: Partial<TaskDefinition>;
}

/** The probe's task definition as fislat deploy registers it: fault injection on, awslogs, the SSM sidecar. */
export function probeTaskDefinition(o: TaskDefinitionOptions): TaskDefinition {
  const env = o.env ?? {
    CONNECTION_TIMEOUT_MS: "500",
    READ_TIMEOUT_MS: "500",
    TEST_INTERVAL_SECONDS: "1",
    TABLE_NAME: "MyTestTable",
  };
  return {
    taskDefinitionArn: TASK_DEF_ARN,
    family: "dynamodb-latency-test",
    revision: 7,
    status: "ACTIVE",
    enableFaultInjection: true,
    pidMode: "task",
    networkMode: "awsvpc",
    requiresCompatibilities: ["FARGATE"],
    runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
    containerDefinitions: [
      {
        name: CONTAINER,
        image: "probe:latest",
        environment: Object.entries(env).map(([name, value]) => ({ name, value })),
        logConfiguration: {
          logDriver: "awslogs",
          options: {
            "awslogs-group": LOG_GROUP,
            "awslogs-region": o.logRegion ?? REGION,
            "awslogs-stream-prefix": "ecs",
          },
        },
      },
      o.sidecar ?? {
        name: "amazon-ssm-agent",
        image: "public.ecr.aws/amazon-ssm-agent/amazon-ssm-agent:latest",
        essential: false,
        environment: [
          ...(o.noManagedInstanceRole
            ? []
            : [{ name: "MANAGED_INSTANCE_ROLE_NAME", value: "fislat-ssm-managed-instance" }]),
          ...(o.sidecarDependencies ? [{ name: "FISLAT_FIS_DEPENDENCIES", value: "preinstalled" }] : []),
        ],
      },
    ],
    ...o.definition,
  };
}

/** A deterministic coin per line, so a test knows exactly which lines were lost. */
function lost(share: number, key: string): boolean {
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
  return ((h >>> 0) % 10_000) / 10_000 < share;
}

export class ProbeModel {
  /** Per task id: the seq numbers of round-trip lines that were lost. */
  readonly lostSeqs = new Map<string, number[]>();

  constructor(
    private readonly ecs: EcsModel,
    private readonly logs: LogsModel,
    private readonly fis: FisModel,
    private readonly options: ProbeOptions = {},
  ) {}

  /** The experiment whose fault is on for `task` at `t`, after its onset lag. */
  private faultOn(task: EcsTask, t: number): ModelExperiment | undefined {
    const o = this.options;
    if (o.faultNeverLands) return undefined;
    return [...this.fis.experiments.values()].find((e) => {
      if (!e.resolved.includes(task.arn) && !o.linesFollowFault) return false;
      const installs = e.parameters.installDependencies !== "false";
      const lag = o.onsetLagMs ?? (o.installLag ? DOCUMENT_START_LAG_MS + (installs ? INSTALL_LAG_MS : 0) : 0);
      return this.fis.actionActive(e, t) && t >= e.actionStartAt + lag;
    });
  }

  /** Writes each task's lines up to `now`: one round trip a second, health changes as the probe makes them. */
  advance(now: number): void {
    const o = this.options;
    const skew = o.taskClockAheadMs ?? 0;
    for (const task of this.ecs.tasks.values()) {
      const stream = o.wrongStream ? `other/probe/${task.id}` : streamOf(task.id);
      const end = Math.min(now, task.stoppedAt ?? Number.POSITIVE_INFINITY);
      for (; task.writtenUntil <= end; task.writtenUntil += INTERVAL_MS) {
        const t = task.writtenUntil;
        if (t < task.startedAt) continue;
        const e = this.faultOn(task, t);
        const trip: Trip = e
          ? (o.underFault ??
            o.underFaultAt?.(Number(e.parameters.delayMilliseconds)) ??
            roundTripUnder({ actionId: e.actionId, parameters: e.parameters }, task.seq + 1))
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
  private write(task: EcsTask, stream: string, timestamp: number, writtenAt: number, key: string, record: object) {
    const o = this.options;
    if (o.loseShare && lost(o.loseShare, `${task.id}-${key}`)) return false;
    const [e] = this.fis.experiments.values();
    const after = o.linesLostAfterFaultMs;
    if (e && after !== undefined && writtenAt >= e.actionStartAt + e.durationMs + after) return false;
    this.logs.put(stream, `${task.id}-${key}`, timestamp, writtenAt, JSON.stringify(record));
    return true;
  }
}
