// The packet-loss fault: a share of the packets the app sends to DynamoDB is dropped
// (aws:ecs:task-network-packet-loss). TCP turns each loss into a wait for the retransmission
// timeout (Linux: 200 ms at least, 1 s for a SYN, doubling on repeated loss), so loss shows as a
// latency tail: the p99 moves, the median does not. The local proxy's behaviour
// (latency-proxy behaviours/packet-loss.ts) puts that wait on each chunk.
import type { FaultKind } from "../fault.js";
import { type Prediction, predict } from "../predict.js";
import type { LatencySummary } from "../timeline.js";
import { ECS_NETWORK_ACTION_IAM, ecsNetworkParameters } from "./ecs-network.js";
import { readNumber } from "./field.js";

export interface PacketLossFault {
  kind: "packet-loss";
  lossPercent: number;
}

const LOSS_RULE = { min: 1, max: 100, integer: true, what: "a whole percentage (FIS's lossPercent)" };

const DEFAULTS: PacketLossFault = { kind: "packet-loss", lossPercent: 30 };

/** Linux's minimum and initial retransmission timeouts (as the proxy's behaviour models them). */
const RTO_MIN_MS = 200;
const RTO_INITIAL_MS = 1000;
const MAX_RETRIES = 15;

/** The added wait of one segment: n consecutive losses cost first * (2^n - 1), with P(n) = (1-p) p^n. */
function retransmissionWaits(p: number, firstMs: number): [number, number][] {
  const out: [number, number][] = [];
  for (let n = 0; n <= MAX_RETRIES; n++) out.push([firstMs * (2 ** n - 1), (1 - p) * p ** n]);
  return out;
}

const cdfOf = (dist: [number, number][]) => (x: number) =>
  dist.reduce((sum, [wait, prob]) => (wait <= x ? sum + prob : sum), 0);

/** Two independent waits one after the other (a new connection's SYN, then its request). */
function convolve(a: [number, number][], b: [number, number][]): [number, number][] {
  return a.flatMap(([wa, pa]) => b.map(([wb, pb]): [number, number] => [wa + wb, pa * pb]));
}

/** The smallest wait w with P(wait <= w | wait <= cap) >= 1/2. */
function medianBelow(dist: [number, number][], cap: number): number {
  const kept = dist.filter(([w]) => w <= cap).sort((x, y) => x[0] - y[0]);
  const total = kept.reduce((s, [, p]) => s + p, 0);
  let acc = 0;
  for (const [w, p] of kept) {
    acc += p;
    if (acc >= total / 2) return w;
  }
  return 0;
}

/** A successful round trip slower than the baseline's p90 plus half the minimum RTO met a loss. */
const degradedAbove = (baseline: LatencySummary | undefined) => (baseline?.p90 ?? 0) + RTO_MIN_MS / 2;

export const packetLoss: FaultKind<PacketLossFault> = {
  kind: "packet-loss",
  summary: "packet loss on the traffic to DynamoDB: TCP retransmits after 200 ms (1 s for a SYN), so the tail grows",
  fields: {
    loss: {
      flag: "--loss <percent>",
      help: "share of packets to DynamoDB dropped, 1 to 100 percent (default 30)",
      schema: {
        type: "integer",
        minimum: 1,
        maximum: 100,
        description: "share of packets to DynamoDB dropped, in percent: 1 to 100",
      },
      // A sweep's levels ("5", "20%"), each then read by the planner as --loss is.
      sweep: {
        unit: "%",
        parse: (where, text) => readNumber({ text, where }, 0, LOSS_RULE),
        flagValue: String,
        step: 1,
      },
    },
  },
  defaults: DEFAULTS,

  plan: (read) => ({
    kind: "packet-loss",
    lossPercent: readNumber(read("loss"), DEFAULTS.lossPercent, LOSS_RULE),
  }),

  validate: (f) =>
    Number.isInteger(f.lossPercent) && f.lossPercent >= 1 && f.lossPercent <= 100
      ? []
      : [{ field: "loss", shown: `${f.lossPercent}%`, message: "a whole percentage from 1 to 100" }],

  describe: (f) => `${f.lossPercent}% packet loss`,
  shownFields: (f) => ({ loss: `${f.lossPercent}%` }),
  reportFields: (f) => ({ lossPercent: f.lossPercent }),
  reportSchema: {
    lossPercent: { type: "integer", minimum: 1, maximum: 100, description: "share of packets dropped, percent" },
  },
  references: () => ({}),

  predict(f, probe, baseline, traits): Prediction | undefined {
    if (!baseline) return undefined;
    const p = f.lossPercent / 100;
    // A probe request fits in one segment: one draw of the segment's retransmission wait.
    const request = retransmissionWaits(p, RTO_MIN_MS);
    const fresh = convolve(retransmissionWaits(p, RTO_INITIAL_MS), request);
    const baselineMs = { low: 0, typical: baseline.p50 / 2, high: baseline.p50 };
    const prediction = predict({
      waitCdf: cdfOf(request),
      newConnectionCdf: cdfOf(fresh),
      successMedianAddedMs: medianBelow(request, probe.readTimeoutMs - baselineMs.typical),
      connectionTimeoutMs: probe.connectionTimeoutMs,
      readTimeoutMs: probe.readTimeoutMs,
      baselineMs,
      waitsOnNewConnection: traits.waitsOnNewConnection,
      connectDelayed: traits.connectDelayed,
    });
    return { ...prediction, failedFraction: prediction.timeoutFraction };
  },

  degradedThreshold: () => degradedAbove,

  // Only the round trips whose packets were lost show it: at 30%, about 30% of them.
  shownCheck: (f, share) => (f.lossPercent >= 100 ? `rate>=${share}` : "count>=1"),

  proxyFault: (f, durationMs) => ({ kind: "packet-loss", lossPercent: f.lossPercent, maxDurationMs: durationMs }),

  localTraits: () => ({ waitsOnNewConnection: 2, connectDelayed: false }),

  fidelity:
    "the proxy cannot drop packets (it sees bytes, not packets), so it models what TCP shows of a loss: each segment the app sends is lost with the given probability and waits the retransmission timeout (200 ms, doubling on repeated loss; 1 s for a lost SYN), so loss becomes a latency tail; at 100% nothing passes and the proxy accepts no one. Not reproduced: fast retransmit and tail loss probes, lost ACKs of DynamoDB's replies, RTOs above 200 ms on slower paths, and the SYN's wait shows as read time (the proxy's kernel completes the handshake).",

  aws: {
    actionId: "aws:ecs:task-network-packet-loss",
    ssmDocument: "AWSFIS-Run-Network-Packet-Loss-ECS",
    // aws:ecs:task-network-packet-loss: lossPercent, sources and the ECS fault injection endpoints
    // (FIS actions reference). Only one network latency or packet-loss fault runs per task at a time.
    fisAction: (f: PacketLossFault, context) => {
      const { duration, ...rest } = ecsNetworkParameters(context);
      return {
        actionId: "aws:ecs:task-network-packet-loss",
        description: `${f.lossPercent}% packet loss to ${context.sources} through the ECS fault injection endpoints`,
        parameters: { duration, lossPercent: String(f.lossPercent), ...rest },
      };
    },
    iamActions: ECS_NETWORK_ACTION_IAM,
  },
};
