// What the fault should do, predicted from its parameters, the probe's timeouts and the measured
// baseline, so the verdict compares evidence with a number rather than with hope.
//
// Model: each wait the fault adds is drawn from a distribution the fault's kind gives (its CDF):
// uniform for latency (netem's default), the retransmission delays for packet loss. The probe's
// read timeout is a socket inactivity timeout, so a wait times out when added + baseline >
// readTimeout. A request on a reused connection waits once. A new connection waits
// `waitsOnNewConnection` times: on AWS about three times over HTTPS (SYN against the connect
// timeout, then the TLS handshake and the request), each timed on its own; through the local proxy
// the waits add up to one silence (`newConnectionCdf`). A timeout destroys the socket, so the next
// round trip opens a new connection: the mix of new and reused connections is the stationary
// state of that two-state chain.

export interface PredictionInput {
  /** P(one added wait <= x ms). */
  waitCdf: (x: number) => number;
  /** Through the local proxy: P(a new connection's whole added silence <= x ms). */
  newConnectionCdf?: (x: number) => number;
  /** The median of successful round trips' added delay, at the typical baseline (the kind's distribution). */
  successMedianAddedMs: number;
  connectionTimeoutMs: number;
  readTimeoutMs: number;
  /** The part of the baseline the read timeout sees; low and high bound the model's uncertainty. */
  baselineMs: { low: number; typical: number; high: number };
  waitsOnNewConnection: number;
  /** Whether the first wait of a new connection is the TCP connect (AWS) or not (local proxy). */
  connectDelayed: boolean;
}

export interface Prediction {
  /** Fraction of round trips under the fault that time out. */
  timeoutFraction: number;
  /** Range of that fraction over the baseline's spread. */
  timeoutFractionRange: [number, number];
  /** Median round trip time of successful round trips under the fault. */
  successMedianMs: number;
  reusedTimeoutProbability: number;
  newTimeoutProbability: number;
  /** Fraction of round trips under the fault that fail for any reason (set by kinds that fail requests). */
  failedFraction?: number;
}

function timeoutFractionAt(input: PredictionInput, baselineMs: number) {
  const readOk = input.waitCdf(input.readTimeoutMs - baselineMs);
  const pReused = 1 - readOk;
  const waits = Math.max(1, input.waitsOnNewConnection);
  let pNew: number;
  if (!input.connectDelayed && input.newConnectionCdf) {
    pNew = 1 - input.newConnectionCdf(input.readTimeoutMs - baselineMs);
  } else {
    const connectOk = input.connectDelayed ? input.waitCdf(input.connectionTimeoutMs - baselineMs) : 1;
    const readWaits = input.connectDelayed ? waits - 1 : waits;
    pNew = 1 - connectOk * readOk ** readWaits;
  }
  // Stationary share of new connections: reused -> new after a timeout, new -> reused after a success.
  const denominator = pReused + (1 - pNew);
  const shareNew = denominator === 0 ? 1 : pReused / denominator;
  return { fraction: (1 - shareNew) * pReused + shareNew * pNew, pReused, pNew };
}

export function predict(input: PredictionInput): Prediction {
  const typical = timeoutFractionAt(input, input.baselineMs.typical);
  // A slower baseline means more timeouts: the high baseline bounds the fraction from above.
  const low = timeoutFractionAt(input, input.baselineMs.low).fraction;
  const high = timeoutFractionAt(input, input.baselineMs.high).fraction;
  return {
    timeoutFraction: typical.fraction,
    timeoutFractionRange: [Math.min(low, high), Math.max(low, high)],
    successMedianMs: input.baselineMs.typical + input.successMedianAddedMs,
    reusedTimeoutProbability: typical.pReused,
    newTimeoutProbability: typical.pNew,
  };
}

/** Wilson score interval for k successes in n trials (z = 1.96 for 95%). */
export function wilsonInterval(k: number, n: number, z = 1.96): [number, number] {
  if (n === 0) return [0, 1];
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}
