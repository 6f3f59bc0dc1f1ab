// Public surface of @fislat/latency-proxy.

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
