// The latency fault: delay D with uniform jitter J on the probe's traffic to DynamoDB. Everything
// the rest of fislat needs to know about this kind lives here: its fields and limits, its
// description, its prediction, when a round trip shows it, what the local proxy does (and how
// faithfully), and the FIS action with the IAM actions it needs.

import { parseMilliseconds } from "../../durations.js";
import type { FaultKind, ProbeSettings, Problem } from "../fault.js";
import { type Prediction, predict } from "../predict.js";
import type { LatencySummary } from "../timeline.js";
import { ECS_NETWORK_ACTION_IAM, ecsNetworkParameters } from "./ecs-network.js";
import { readMs, TIME_SCHEMA } from "./field.js";

export interface LatencyFault {
  kind: "latency";
  delayMs: number;
  jitterMs: number;
}

/** Highest delay fislat injects: ten minutes, the probe's longest timeout. */
export const MAX_DELAY_MS = 600_000;

/** The fault of the original setup: 800 ms delay, 50 ms jitter. */
const DEFAULTS: LatencyFault = { kind: "latency", delayMs: 800, jitterMs: 50 };

/**
 * Extra waits the local proxy puts on a connection opened under the fault: on AWS the SYN and the
 * TLS client flight are delayed too before the request's own packets (shared/facts, three waits
 * over HTTPS); the local endpoint is plain HTTP and the proxy's kernel completes the handshake.
 */
export const LOCAL_NEW_CONNECTION_WAITS = 2;

/**
 * The proxy can only add a new connection's waits up into one silence, which the read timeout
 * sees whole; on AWS each wait is timed on its own. So it holds a new connection's first bytes
 * only when the read timeout outlasts the whole silence: then the round trip succeeds either way
 * and the hold gives it AWS's time. Shorter timeouts keep one wait, which gives the same fate
 * (timed out or not) as each of AWS's waits.
 */
export function handshakeWaits(f: LatencyFault, probe: ProbeSettings): number {
  const silence = (1 + LOCAL_NEW_CONNECTION_WAITS) * (f.delayMs + f.jitterMs);
  return probe.readTimeoutMs >= silence ? LOCAL_NEW_CONNECTION_WAITS : 0;
}

/** P(D <= x) for D ~ U[delay - jitter, delay + jitter); a step at `delay` without jitter. */
export function delayCdf(x: number, delayMs: number, jitterMs: number): number {
  if (jitterMs <= 0) return x >= delayMs ? 1 : 0;
  const low = delayMs - jitterMs;
  return Math.min(1, Math.max(0, (x - low) / (2 * jitterMs)));
}

/** P(D1 + ... + Dn <= x) for n independent uniform draws (the Irwin-Hall distribution, shifted). */
export function sumCdf(x: number, n: number, delayMs: number, jitterMs: number): number {
  if (jitterMs <= 0) return x >= n * delayMs ? 1 : 0;
  const u = (x - n * (delayMs - jitterMs)) / (2 * jitterMs);
  if (u <= 0) return 0;
  if (u >= n) return 1;
  let sum = 0;
  let factorial = 1;
  for (let i = 1; i <= n; i++) factorial *= i;
  for (let k = 0; k <= Math.floor(u); k++) {
    let binom = 1;
    for (let i = 0; i < k; i++) binom = (binom * (n - i)) / (i + 1);
    sum += (k % 2 === 0 ? 1 : -1) * binom * (u - k) ** n;
  }
  return sum / factorial;
}

/** A successful round trip slower than the baseline's p90 plus half this delay shows the fault. */
export const degradedAbove = (delay: number) => (baseline: LatencySummary | undefined) =>
  (baseline?.p90 ?? 0) + delay / 2;

export const latency: FaultKind<LatencyFault> = {
  kind: "latency",
  summary: "network latency on the traffic to DynamoDB: each packet delayed by delay +/- jitter (uniform)",
  fields: {
    delay: {
      flag: "--delay <ms>",
      help: "injected delay in milliseconds (default 800)",
      schema: { ...TIME_SCHEMA, description: "delay added to each packet to DynamoDB: 300ms, 1.5s" },
      // A sweep's levels ("400ms", "1.5s"), each then read by the planner as --delay is.
      sweep: {
        unit: "ms",
        parse: (where, text) => parseMilliseconds(where, text, MAX_DELAY_MS),
        flagValue: String,
        step: 1,
      },
    },
    jitter: {
      flag: "--jitter <ms>",
      help: "injected jitter in milliseconds, uniform over delay +/- jitter (default 50)",
      schema: { ...TIME_SCHEMA, description: "uniform jitter around the delay, at most the delay: 20ms" },
      sweep: {
        unit: "ms",
        parse: (where, text) => parseMilliseconds(where, text, MAX_DELAY_MS),
        flagValue: String,
        step: 1,
      },
    },
  },
  defaults: DEFAULTS,

  plan: (read) => ({
    kind: "latency",
    delayMs: readMs(read("delay"), DEFAULTS.delayMs, {
      min: 0,
      max: MAX_DELAY_MS,
      why: "the longest probe timeout: a longer delay only times out",
    }),
    jitterMs: readMs(read("jitter"), DEFAULTS.jitterMs, { min: 0, max: MAX_DELAY_MS, why: "at most the delay" }),
  }),

  validate(fault) {
    const problems: Problem[] = [];
    const ms = (v: number) => `${v} ms`;
    if (!Number.isInteger(fault.delayMs) || fault.delayMs < 0 || fault.delayMs > MAX_DELAY_MS)
      problems.push({
        field: "delay",
        shown: ms(fault.delayMs),
        message: `whole milliseconds from 0 to ${MAX_DELAY_MS}`,
      });
    if (!Number.isInteger(fault.jitterMs) || fault.jitterMs < 0 || fault.jitterMs > fault.delayMs)
      problems.push({
        field: "jitter",
        shown: ms(fault.jitterMs),
        message: `whole milliseconds from 0 to the delay (${fault.delayMs} ms)`,
      });
    // FIS refuses both at zero, and locally it would inject nothing: no verdict is possible.
    if (fault.delayMs === 0 && fault.jitterMs === 0)
      problems.push({
        field: "delay",
        shown: ms(fault.delayMs),
        message: "a delay or a jitter above 0: with both 0 there is no fault to observe",
      });
    return problems;
  },

  describe: (f) => `${f.delayMs} ms ± ${f.jitterMs} ms of latency`,

  shownFields: (f) => ({ delay: `${f.delayMs} ms`, jitter: `${f.jitterMs} ms` }),

  reportFields: (f) => ({ delayMs: f.delayMs, jitterMs: f.jitterMs }),
  reportSchema: {
    delayMs: { type: "number", minimum: 0, description: "the delay added to each packet, ms" },
    jitterMs: { type: "number", minimum: 0, description: "the uniform jitter around the delay, ms" },
  },

  references: (f) => ({ delay: f.delayMs, jitter: f.jitterMs }),

  predict(f, probe, baseline, traits): Prediction | undefined {
    if (!baseline) return undefined;
    // The read timeout is an inactivity timer from the request's last byte: it sees the part of
    // the baseline spent waiting for DynamoDB, somewhere between none and all of the median.
    const baselineMs = { low: 0, typical: baseline.p50 / 2, high: baseline.p50 };
    // Successful round trips are those whose draw stayed under the timeout: their median draw is
    // the median of the uniform truncated at the timeout.
    const cap = Math.min(f.delayMs + f.jitterMs, probe.readTimeoutMs - baselineMs.typical);
    const lowDraw = f.delayMs - f.jitterMs;
    const waits = traits.waitsOnNewConnection;
    return predict({
      waitCdf: (x) => delayCdf(x, f.delayMs, f.jitterMs),
      ...(traits.connectDelayed ? {} : { newConnectionCdf: (x: number) => sumCdf(x, waits, f.delayMs, f.jitterMs) }),
      successMedianAddedMs: f.jitterMs <= 0 ? f.delayMs : lowDraw + Math.max(0, cap - lowDraw) / 2,
      connectionTimeoutMs: probe.connectionTimeoutMs,
      readTimeoutMs: probe.readTimeoutMs,
      baselineMs,
      waitsOnNewConnection: waits,
      connectDelayed: traits.connectDelayed,
    });
  },

  /**
   * A successful round trip slower than the baseline's p90 plus half the delay shows the fault. The
   * p90, not the p99: with a short baseline the p99 is its slowest round trip, and one slow first
   * call (a cold connection on a loaded machine) would hide the fault.
   */
  degradedThreshold: (f) => degradedAbove(f.delayMs),

  shownCheck: (_f, share) => `rate>=${share}`,

  proxyFault: (f, durationMs, probe) => ({
    kind: "latency",
    delayMs: f.delayMs,
    jitterMs: f.jitterMs,
    newConnectionWaits: handshakeWaits(f, probe),
    maxDurationMs: durationMs,
  }),

  localTraits: (f, probe) => ({ waitsOnNewConnection: 1 + handshakeWaits(f, probe), connectDelayed: false }),

  appFidelity:
    "the proxy delays each chunk your app sends to DynamoDB by a uniform draw, as netem delays each packet, and, when --request-timeout outlasts three draws, holds a new connection's first bytes for two more (the SYN and the TLS flight on AWS). Not reproduced: the proxy's kernel completes the handshake at once, so your SDK's connect timeout never sees the delay, and with a shorter --request-timeout a new connection pays one wait instead of three (your app's request has the same fate, in a shorter time); a chunk is not a packet (a request spread over several packets draws once); DNS is not delayed.",

  fidelity:
    "the proxy delays each chunk the probe sends by a uniform draw, as netem delays each packet, and, when the read timeout outlasts three draws, holds a new connection's first bytes for two more (the SYN and the TLS flight on AWS). Not reproduced: the proxy's kernel completes the handshake at once, so the connect timeout never sees the delay, and with shorter read timeouts a new connection pays one wait instead of three (the same fate, a shorter time); a chunk is not a packet (a request spread over several packets draws once); DNS is not delayed.",

  aws: {
    actionId: "aws:ecs:task-network-latency",
    ssmDocument: "AWSFIS-Run-Network-Latency-ECS",
    // aws:ecs:task-network-latency through the ECS fault injection endpoints (no host network
    // tooling in the task); its parameters as the FIS actions reference names them (shared/facts).
    fisAction: (f: LatencyFault, context) => {
      const { duration, ...rest } = ecsNetworkParameters(context);
      return {
        actionId: "aws:ecs:task-network-latency",
        description: `${f.delayMs} ms +/- ${f.jitterMs} ms of network latency to ${context.sources} through the ECS fault injection endpoints`,
        parameters: {
          duration,
          delayMilliseconds: String(f.delayMs),
          jitterMilliseconds: String(f.jitterMs),
          ...rest,
        },
      };
    },
    iamActions: ECS_NETWORK_ACTION_IAM,
  },
};
