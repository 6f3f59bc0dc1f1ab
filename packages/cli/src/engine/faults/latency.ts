// The latency fault: delay D with uniform jitter J on the probe's traffic to DynamoDB. Everything
// the rest of fislat needs to know about this kind lives here: its limits, its description, its
// prediction, when a round trip shows it, what the local proxy does, and the FIS action.

import { parseMilliseconds, toIsoDuration } from "../../durations.js";
import type { FaultKind, Problem } from "../fault.js";
import { type Prediction, predict } from "../predict.js";
import type { LatencySummary } from "../timeline.js";

export interface LatencyFault {
  kind: "latency";
  delayMs: number;
  jitterMs: number;
}

/** Highest delay fislat injects: ten minutes, the probe's longest timeout. */
export const MAX_DELAY_MS = 600_000;

/** The fault of the original setup: 800 ms delay, 50 ms jitter. */
const DEFAULTS: LatencyFault = { kind: "latency", delayMs: 800, jitterMs: 50 };

export const latency: FaultKind<LatencyFault> = {
  kind: "latency",
  fields: {
    delay: "delay added to each packet to DynamoDB (e.g. 300ms)",
    jitter: "uniform jitter around the delay, at most the delay (e.g. 20ms)",
  },
  defaults: DEFAULTS,

  // The delay is what a sweep steps; each level is then read by the planner as --delay is.
  sweepable: {
    delay: {
      unit: "ms",
      parse: (where, text) => parseMilliseconds(where, text, MAX_DELAY_MS),
      flagValue: (level) => String(level),
      format: (level) => `${level} ms`,
      step: 1,
    },
  },

  // --delay/--jitter or fault.delay/fault.jitter, each read against its limit by the planner.
  plan: (read) => ({
    kind: "latency",
    delayMs: read("delay", DEFAULTS.delayMs),
    jitterMs: read("jitter", DEFAULTS.jitterMs),
  }),

  validate(fault) {
    const problems: Problem[] = [];
    if (!Number.isInteger(fault.delayMs) || fault.delayMs < 0 || fault.delayMs > MAX_DELAY_MS)
      problems.push({ field: "delay", message: `whole milliseconds from 0 to ${MAX_DELAY_MS}` });
    if (!Number.isInteger(fault.jitterMs) || fault.jitterMs < 0 || fault.jitterMs > fault.delayMs)
      problems.push({ field: "jitter", message: `whole milliseconds from 0 to the delay (${fault.delayMs} ms)` });
    // FIS refuses both at zero, and locally it would inject nothing: no verdict is possible.
    if (fault.delayMs === 0 && fault.jitterMs === 0)
      problems.push({
        field: "delay",
        message: "a delay or a jitter above 0: with both 0 there is no fault to observe",
      });
    return problems;
  },

  describe: (f) => `${f.delayMs} ms ± ${f.jitterMs} ms of latency`,

  references: (f) => ({ delay: f.delayMs, jitter: f.jitterMs }),

  predict(f, probe, baseline, traits): Prediction | undefined {
    if (!baseline) return undefined;
    return predict({
      delayMs: f.delayMs,
      jitterMs: f.jitterMs,
      connectionTimeoutMs: probe.connectionTimeoutMs,
      readTimeoutMs: probe.readTimeoutMs,
      // The read timeout is an inactivity timer from the request's last byte: it sees the part of
      // the baseline spent waiting for DynamoDB, somewhere between none and all of the median.
      baselineMs: { low: 0, typical: baseline.p50 / 2, high: baseline.p50 },
      waitsOnNewConnection: traits.waitsOnNewConnection,
      connectDelayed: traits.connectDelayed,
    });
  },

  /**
   * A successful round trip slower than the baseline's p90 plus half the delay shows the fault. The
   * p90, not the p99: with a short baseline the p99 is its slowest round trip, and one slow first
   * call (a cold connection on a loaded machine) would hide the fault.
   */
  degradedThreshold: (f) => (baseline: LatencySummary | undefined) => (baseline?.p90 ?? 0) + f.delayMs / 2,

  proxyFault: (f, durationMs) => ({ delayMs: f.delayMs, jitterMs: f.jitterMs, maxDurationMs: durationMs }),

  // aws:ecs:task-network-latency through the ECS fault injection endpoints (no host network
  // tooling in the task); its parameters as the FIS actions reference names them (shared/facts).
  fisAction: (f, { durationMs, sources, installDependencies }) => ({
    actionId: "aws:ecs:task-network-latency",
    description: `${f.delayMs} ms +/- ${f.jitterMs} ms of network latency to ${sources} through the ECS fault injection endpoints`,
    parameters: {
      duration: toIsoDuration(durationMs),
      delayMilliseconds: String(f.delayMs),
      jitterMilliseconds: String(f.jitterMs),
      sources,
      useEcsFaultInjectionEndpoints: "true",
      ...(installDependencies === false ? { installDependencies: "false" } : {}),
    },
  }),
};
