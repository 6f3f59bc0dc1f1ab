// The unreachable fault: DynamoDB cut off, every packet to it dropped, as AWS Resilience Hub's
// dependency test does it (aws:ecs:task-network-packet-loss at 100%). Every round trip fails: a
// connection already open waits out its read timeout, a new one its connect timeout.
import type { FaultKind } from "../fault.js";
import type { LatencySummary } from "../timeline.js";
import { ECS_NETWORK_ACTION_IAM, ecsNetworkParameters } from "./ecs-network.js";

export interface UnreachableFault {
  kind: "unreachable";
}

export const unreachable: FaultKind<UnreachableFault> = {
  kind: "unreachable",
  summary: "DynamoDB unreachable: 100% packet loss, so connects and reads time out",
  fields: {},
  defaults: { kind: "unreachable" },
  plan: () => ({ kind: "unreachable" }),
  validate: () => [],
  describe: () => "DynamoDB unreachable (100% packet loss)",
  shownFields: () => ({}),
  reportFields: () => ({ lossPercent: 100 }),
  reportSchema: { lossPercent: { const: 100, description: "every packet dropped" } },
  references: () => ({ predicted_failed: 1 }),

  predict: (_f, _probe, baseline) =>
    baseline
      ? {
          timeoutFraction: 1,
          timeoutFractionRange: [1, 1],
          successMedianMs: baseline.p50,
          reusedTimeoutProbability: 1,
          newTimeoutProbability: 1,
          failedFraction: 1,
        }
      : undefined,

  // Every round trip fails; one that succeeds slowly (sent just before the cut) shows it too.
  degradedThreshold: () => (baseline: LatencySummary | undefined) => (baseline?.p90 ?? 0) + 100,
  shownCheck: (_f, share) => `rate>=${share}`,

  proxyFault: (_f, durationMs) => ({ kind: "unreachable", maxDurationMs: durationMs }),
  localTraits: () => ({ waitsOnNewConnection: 1, connectDelayed: true }),

  fidelity:
    "the proxy stops accepting (its port's accept queue is kept full, so the kernel drops new SYNs and a client's connect times out) and holds every byte sent on connections already open (their reads time out), as when every packet is dropped. Not reproduced: connections refused for a few milliseconds while the proxy hands its port over at the fault's start and end, and TCP's retransmissions after the fault (held bytes are sent at once).",

  aws: {
    actionId: "aws:ecs:task-network-packet-loss",
    ssmDocument: "AWSFIS-Run-Network-Packet-Loss-ECS",
    fisAction: (_f: UnreachableFault, context) => {
      const { duration, ...rest } = ecsNetworkParameters(context);
      return {
        actionId: "aws:ecs:task-network-packet-loss",
        description: `DynamoDB unreachable: 100% packet loss to ${context.sources} through the ECS fault injection endpoints`,
        parameters: { duration, lossPercent: "100", ...rest },
      };
    },
    iamActions: ECS_NETWORK_ACTION_IAM,
  },
};
