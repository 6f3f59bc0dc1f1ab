// Latency: each chunk the client sends is held for a delay drawn uniformly from
// [delay - jitter, delay + jitter) (netem's default distribution; shared/facts). A connection opened
// while the fault is on also pays for the packets of its handshake that netem would have delayed
// (the SYN; over HTTPS the TLS client flight too): its first chunk waits `newConnectionWaits` more
// draws. What stays different: the proxy's kernel completes the handshake at once, so the client's
// connect timeout never sees the delay, and the waits add up to one silence the read timeout sees whole.
import type { BehaviourKind } from "../behaviour.js";

export interface LatencySpec {
  kind?: "latency";
  delayMs: number;
  jitterMs: number;
  /** Extra draws a connection opened under the fault waits before its first bytes go (default 0). */
  newConnectionWaits?: number;
}

export const latency: BehaviourKind<LatencySpec> = {
  validate(spec) {
    const problems: string[] = [];
    if (!Number.isFinite(spec.delayMs) || spec.delayMs < 0) problems.push(`delayMs ${spec.delayMs} must be >= 0`);
    if (!Number.isFinite(spec.jitterMs) || spec.jitterMs < 0) problems.push(`jitterMs ${spec.jitterMs} must be >= 0`);
    if (spec.jitterMs > spec.delayMs)
      problems.push(`jitterMs ${spec.jitterMs} must not exceed delayMs ${spec.delayMs}`);
    const waits = spec.newConnectionWaits ?? 0;
    if (!Number.isInteger(waits) || waits < 0 || waits > 5)
      problems.push(`newConnectionWaits ${waits} must be a whole number from 0 to 5`);
    return problems;
  },
  create(spec, context) {
    let delayed = 0;
    const draw = () => spec.delayMs - spec.jitterMs + context.random() * 2 * spec.jitterMs;
    return {
      accepts: true,
      effectName: "chunks delayed",
      effects: () => delayed,
      link(openedUnderFault) {
        let handshakeWaits = openedUnderFault ? (spec.newConnectionWaits ?? 0) : 0;
        return {
          fromClient(chunk) {
            let delayMs = draw();
            for (; handshakeWaits > 0; handshakeWaits--) delayMs += draw();
            delayed += 1;
            context.record(delayMs);
            return [{ forward: chunk, delayMs }];
          },
        };
      },
    };
  },
};
