// Packet loss, as TCP shows it to the application: a proxy never sees packets, so it models what a
// lost segment costs (shared/facts). Each chunk is cut into segments of one MSS; each segment is
// lost with the given probability and retransmitted after the retransmission timeout, which
// doubles at each repeated loss (Linux: 200 ms minimum RTO). A connection opened under the fault
// also loses its SYN with that probability, retransmitted after 1 s (the initial RTO), doubling.
// So loss becomes a latency tail. At 100% nothing passes: chunks are held until the fault ends and
// the proxy accepts no one, so a new connection never completes.
// Not modelled: fast retransmit and tail loss probes (a small request/response has no later
// segments to trigger them), lost ACKs of the replies, and RTOs above the minimum on slow paths.
import type { BehaviourKind } from "../behaviour.js";

export interface PacketLossSpec {
  kind: "packet-loss";
  /** Share of the client's packets dropped, in percent: more than 0, at most 100. */
  lossPercent: number;
}

/** Linux's minimum retransmission timeout (TCP_RTO_MIN). */
export const RTO_MIN_MS = 200;
/** Linux's initial retransmission timeout, the wait after a lost SYN (TCP_TIMEOUT_INIT). */
export const RTO_INITIAL_MS = 1000;
/** A segment's payload on a 1500-byte MTU path with TCP timestamps. */
export const MSS_BYTES = 1448;
/** Linux gives up on a segment after 15 retransmissions (tcp_retries2); the sum is minutes. */
const MAX_RETRIES = 15;

/** The wait a segment pays: the sum of the doubling timeouts of its consecutive losses. */
export function retransmissionDelay(lost: () => boolean, firstTimeoutMs: number): number {
  let delay = 0;
  let timeout = firstTimeoutMs;
  for (let tries = 0; tries <= MAX_RETRIES && lost(); tries++) {
    delay += timeout;
    timeout *= 2;
  }
  return delay;
}

export const packetLoss: BehaviourKind<PacketLossSpec> = {
  validate(spec) {
    return Number.isFinite(spec.lossPercent) && spec.lossPercent > 0 && spec.lossPercent <= 100
      ? []
      : [`lossPercent ${spec.lossPercent} must be more than 0 and at most 100`];
  },
  create(spec, context) {
    const all = spec.lossPercent >= 100;
    const lost = () => context.random() * 100 < spec.lossPercent;
    let losses = 0;
    const delayOf = (firstTimeoutMs: number) => {
      const delay = retransmissionDelay(lost, firstTimeoutMs);
      if (delay > 0) losses += 1;
      return delay;
    };
    return {
      accepts: !all,
      effectName: "segments lost",
      effects: () => losses,
      link(openedUnderFault) {
        let synPending = openedUnderFault;
        return {
          fromClient(chunk) {
            if (all) {
              losses += 1;
              return [{ forward: chunk, delayMs: Number.POSITIVE_INFINITY }];
            }
            let delayMs = synPending ? delayOf(RTO_INITIAL_MS) : 0;
            synPending = false;
            // Segments go back to back: the chunk is whole when its slowest segment arrives.
            let slowest = 0;
            for (let i = 0; i < Math.max(1, Math.ceil(chunk.length / MSS_BYTES)); i++)
              slowest = Math.max(slowest, delayOf(RTO_MIN_MS));
            delayMs += slowest;
            context.record(delayMs);
            return [{ forward: chunk, delayMs }];
          },
        };
      },
    };
  },
};
