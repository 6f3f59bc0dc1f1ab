// Public surface of @fislat/latency-proxy.
export type { BehaviourContext, BehaviourKind, FaultBehaviour, LinkBehaviour, Step } from "./behaviour.js";
export { BEHAVIOURS, type BehaviourSpec } from "./behaviours/index.js";
export { type FramedRequest, RequestFramer, type RequestFramerOptions } from "./http-framing.js";
export {
  type FaultEvent,
  type FaultSpec,
  type FaultStopReason,
  LatencyProxy,
  type LatencyProxyOptions,
  type ProxyStats,
  SEED_MAX,
  seededRandom,
  type TrafficCounts,
} from "./proxy.js";
