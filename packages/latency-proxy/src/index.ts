// Public surface of @fislat/latency-proxy.
export {
  type FaultEvent,
  type FaultSpec,
  type FaultStopReason,
  LatencyProxy,
  type LatencyProxyOptions,
  type ProxyStats,
  SEED_MAX,
  seededRandom,
} from "./proxy.js";
