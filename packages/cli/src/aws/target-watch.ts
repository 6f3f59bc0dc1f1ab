// Watches the experiment's targets while it runs (issue: ECS replaces a task whose health checks
// fail, halfway through the fault): a task stopped (with ECS's stop code and reason), a new task
// of the service started in its place, and the load balancer's health of each task's target.
// Each is an event on the timeline. Polls every 10 s; a failed poll is skipped.
import {
  DescribeServicesCommand,
  DescribeTasksCommand,
  type ECSClient,
  ListTasksCommand,
  type Task,
} from "@aws-sdk/client-ecs";
import {
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { TargetEvent } from "../engine/evidence.js";
import type { Clock, TargetWatcher } from "../engine/ports.js";
import { retryThrottled } from "./retry.js";

export interface TargetWatchOptions {
  cluster: string;
  taskArns: string[];
  /** The service the tasks belong to: its replacements are reported and its target groups watched. */
  service?: string;
  clock: Clock;
  pollMs?: number;
  /** A new task of the service started during the run. */
  onReplacement?: (taskArn: string) => void;
  /** A watched task stopped. */
  onStopped?: (taskArn: string) => void;
}

/** The task's private IP: a load balancer's target id for awsvpc tasks. */
function ipOf(task: Task): string | undefined {
  for (const a of task.attachments ?? [])
    for (const d of a.details ?? []) if (d.name === "privateIPv4Address" && d.value) return d.value;
  return undefined;
}

export function ecsTargetWatch(
  ecs: ECSClient,
  elb: ElasticLoadBalancingV2Client | undefined,
  options: TargetWatchOptions,
): TargetWatcher {
  const pollMs = options.pollMs ?? 10_000;
  const watched = new Set(options.taskArns);
  const known = new Set(options.taskArns);
  const stopped = new Set<string>();
  const health = new Map<string, string>();
  const ipToTask = new Map<string, string>();
  let targetGroups: string[] | undefined;
  const wake = new AbortController();
  let loop: Promise<void> | undefined;

  const round = async (emit: (e: TargetEvent) => void) => {
    const now = options.clock.wallNow();
    const arns = [...watched];
    for (let i = 0; i < arns.length; i += 100) {
      const res = await retryThrottled(() =>
        ecs.send(new DescribeTasksCommand({ cluster: options.cluster, tasks: arns.slice(i, i + 100) })),
      );
      for (const task of res.tasks ?? []) {
        const arn = task.taskArn ?? "";
        const ip = ipOf(task);
        if (ip) ipToTask.set(ip, arn);
        if (stopped.has(arn)) continue;
        if (task.lastStatus === "STOPPED" || task.desiredStatus === "STOPPED") {
          stopped.add(arn);
          const reason = [task.stopCode, task.stoppedReason].filter(Boolean).join(": ") || "no reason given";
          emit({ at: task.stoppingAt ?? task.stoppedAt ?? now, task: arn, kind: "stopped", detail: reason });
          options.onStopped?.(arn);
        }
      }
    }
    if (!options.service) return;
    const listed = await retryThrottled(() =>
      ecs.send(
        new ListTasksCommand({ cluster: options.cluster, serviceName: options.service, desiredStatus: "RUNNING" }),
      ),
    );
    for (const arn of listed.taskArns ?? []) {
      if (known.has(arn)) continue;
      known.add(arn);
      watched.add(arn);
      emit({ at: now, task: arn, kind: "started", detail: `new task of service ${options.service} (a replacement)` });
      options.onReplacement?.(arn);
    }
    if (!elb) return;
    if (targetGroups === undefined) {
      const services = await retryThrottled(() =>
        ecs.send(new DescribeServicesCommand({ cluster: options.cluster, services: [options.service as string] })),
      );
      targetGroups = (services.services?.[0]?.loadBalancers ?? []).flatMap((lb) =>
        lb.targetGroupArn ? [lb.targetGroupArn] : [],
      );
    }
    for (const group of targetGroups) {
      const res = await retryThrottled(() => elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: group })));
      for (const d of res.TargetHealthDescriptions ?? []) {
        const task = ipToTask.get(d.Target?.Id ?? "");
        if (!task) continue;
        const state = d.TargetHealth?.State ?? "unknown";
        const key = `${group}|${task}`;
        if (health.get(key) === state) continue;
        const first = !health.has(key);
        health.set(key, state);
        // The state when the watch begins is the starting point, not a change, unless it is already bad.
        if (first && state === "healthy") continue;
        const why = [d.TargetHealth?.Reason, d.TargetHealth?.Description].filter(Boolean).join(": ");
        emit({
          at: now,
          task,
          kind: "target-health",
          detail: `load balancer target ${state}${why ? ` (${why})` : ""}`,
        });
      }
    }
  };

  return {
    start(onEvent) {
      loop = (async () => {
        while (!wake.signal.aborted) {
          try {
            await round(onEvent);
          } catch {
            // A missed look at the targets is not worth failing the run for; the next one may work.
          }
          await options.clock.sleep(pollMs, wake.signal);
        }
      })();
    },
    async stop() {
      wake.abort();
      await loop;
    },
  };
}
