// Public surface of @fislat/latency-proxy.
export {
  type FaultEvent,
  type FaultSpec,
  type FaultStopReason,
  LatencyProxy,
  type LatencyProxyOptions,
  type ProxyStats,
} from "./proxy.js";
