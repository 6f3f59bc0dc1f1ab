// Open-loop HTTP load at a constant arrival rate, the way users arrive: request i is due at
// start + i / rate whether or not earlier ones have finished, and its latency is measured from
// that intended start (so a stalled server cannot hide its stall by holding the generator back:
// no coordinated omission, as wrk2 and k6's constant-arrival-rate). Requests that would exceed
// `maxInFlight` are not started and are reported as dropped (k6's dropped_iterations).
//
// Self-contained on purpose (no fislat engine types): the local app run and the AWS service run
// both drive it. Usage:
//
//   const load = startHttpLoad(
//     { requests: [{ url: "http://127.0.0.1:3000/orders/42" }], ratePerSecond: 20, maxInFlight: 40, requestTimeoutMs: 2000 },
//     { onResult: (r) => ..., onDrop: (d) => ... },
//   );
//   ... later: const summary = await load.stop(); // stops scheduling, waits for requests in flight
//
// undici: Node's own HTTP client, far cheaper per request than node:http, with a connection pool
// (a client-side wait for a connection is inside the measured latency, never hidden). hdr-histogram-js: the lateness and latency summaries in constant memory at
// any rate, with bounded relative error.
import { performance } from "node:perf_hooks";
import * as hdr from "hdr-histogram-js";
import { Agent, buildConnector, type Dispatcher } from "undici";

export interface HttpRequestSpec {
  url: string;
  /** Default GET. */
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface HttpLoadOptions {
  /** Sent round-robin: request i uses requests[i % length]. */
  requests: HttpRequestSpec[];
  ratePerSecond: number;
  /** Requests in flight at most; a request due when this many are in flight is dropped. */
  maxInFlight: number;
  /** Whole-request deadline from when it is sent (connect, headers and body). */
  requestTimeoutMs: number;
  /** What counts as ok (default: 2xx and 3xx). */
  isOk?: (status: number) => boolean;
  /** Schedule this many requests, then finish (default: until stop()). */
  count?: number;
  /** Your own undici dispatcher (TLS settings, a proxy); default: a pool sized to maxInFlight. */
  dispatcher?: Dispatcher;
}

export type HttpOutcome = "ok" | "status" | "timeout" | "connect_timeout" | "network" | "error";

/** One request that was sent, as it ended. */
export interface HttpLoadResult {
  /** 1, 2, 3... in schedule order (dropped requests take their number too). */
  seq: number;
  /** Index into `requests`. */
  request: number;
  method: string;
  url: string;
  /** Wall clock (epoch ms, fractional) of the intended start. */
  intendedAt: number;
  /** From the intended start to the end of the response body, or to the failure. */
  latencyMs: number;
  /** From the actual send: what a closed-loop tool would report. */
  serviceMs: number;
  /** How late the send was against the schedule. */
  lateMs: number;
  outcome: HttpOutcome;
  ok: boolean;
  status?: number;
  error?: string;
  /** Whether a connection was opened for it (approximate under concurrency; exact in total). */
  newConnection: boolean;
}

/** A request that was due but not sent: `maxInFlight` were in flight. */
export interface HttpLoadDrop {
  seq: number;
  request: number;
  intendedAt: number;
  totalDropped: number;
}

export interface Quantiles {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface HttpLoadSummary {
  scheduled: number;
  sent: number;
  dropped: number;
  ok: number;
  failed: number;
  connectionsOpened: number;
  /** Send time minus intended start, ms. */
  lateness: Quantiles | null;
  /** From the intended start, ms (every sent request). */
  latency: Quantiles | null;
  /** From the actual send, ms. */
  serviceTime: Quantiles | null;
  /** Seconds from the first intended start to the last one's end. */
  elapsedS: number;
}

export interface HttpLoad {
  /** Settles once `count` requests were scheduled and every sent one has ended. */
  readonly finished: Promise<HttpLoadSummary>;
  /** Stops scheduling and waits for the requests in flight (each ends by its timeout at worst). */
  stop(): Promise<HttpLoadSummary>;
  /** Requests in flight now. */
  inFlight(): number;
}

export interface HttpLoadHandlers {
  onResult?(result: HttpLoadResult): void;
  onDrop?(drop: HttpLoadDrop): void;
}

export const defaultIsOk = (status: number) => status >= 200 && status < 400;

/** Enough in flight for every request due within one timeout, plus slack: nothing is dropped unless requests pile up past their timeout. */
export const defaultMaxInFlight = (ratePerSecond: number, requestTimeoutMs: number) =>
  Math.max(8, Math.ceil((ratePerSecond * requestTimeoutMs) / 1000) + Math.ceil(ratePerSecond / 10) + 4);

interface Prepared {
  method: string;
  url: string;
  origin: string;
  path: string;
  headers: Record<string, string>;
  body: string | undefined;
}

/**
 * How early, at most, a timer may fire against the monotonic clock: Node's timers count from the
 * event loop's cached time, in whole milliseconds. A deadline this close is due (as a timer of its
 * own per request would have fired).
 */
const TIMER_SLACK_MS = 1;

/** One request on its way: undici's handler for it, and its place in the queue of deadlines. */
class InFlight implements Dispatcher.DispatchHandler {
  /** The next request sent after this one, while both are in the queue. */
  next: InFlight | undefined = undefined;
  ended = false;
  timedOut = false;
  /** The final response's status (not an informational 1xx). */
  status: number | undefined = undefined;
  private controller: Dispatcher.DispatchController | undefined = undefined;

  constructor(
    readonly seq: number,
    readonly index: number,
    readonly intended: number,
    readonly sentAt: number,
    readonly deadline: number,
    private readonly onEnd: (request: InFlight, error: unknown) => void,
  ) {}

  /** The deadline passed: aborted now, or as soon as undici hands it a connection. */
  timeOut() {
    this.timedOut = true;
    this.controller?.abort(new Error("request timed out"));
  }

  // Present on purpose even where nothing else is needed: undici takes a handler without it for
  // one of its older interface.
  onRequestStart(controller: Dispatcher.DispatchController) {
    if (this.timedOut) controller.abort(new Error("request timed out"));
    else this.controller = controller;
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number) {
    if (statusCode >= 200) this.status = statusCode;
  }

  onResponseData() {
    // The body is read to its end and let go: a response is over when its last byte has arrived.
  }

  onResponseEnd() {
    this.onEnd(this, undefined);
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error) {
    this.onEnd(this, error ?? new Error("request failed"));
  }
}

/**
 * Connections per origin at most. Beyond it a request waits in the pool for a free connection: it
 * is still measured from its intended start, so the wait is in its latency, not hidden. Without a
 * cap, a burst of due requests (a cold start, a pause of this process) opens one connection each,
 * and the connects themselves slow the next burst (seen at 2,000 req/s: thousands of connections
 * and seconds of lateness).
 */
export const MAX_CONNECTIONS = 256;

function histogram() {
  // Microseconds, up to an hour.
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 3_600_000_000,
    numberOfSignificantValueDigits: 3,
  });
}

function quantiles(h: hdr.Histogram): Quantiles | null {
  if (h.totalCount === 0) return null;
  // A bucket's highest equivalent value can lie above the largest recorded: never shown above the max.
  const at = (p: number) => Math.min(h.getValueAtPercentile(p), h.maxValue) / 1000;
  return { p50: at(50), p90: at(90), p99: at(99), max: h.maxValue / 1000 };
}

export function startHttpLoad(options: HttpLoadOptions, handlers: HttpLoadHandlers = {}): HttpLoad {
  const { ratePerSecond, maxInFlight, requestTimeoutMs, count } = options;
  if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond)) throw new RangeError("ratePerSecond must be > 0");
  if (!(maxInFlight >= 1)) throw new RangeError("maxInFlight must be >= 1");
  if (options.requests.length === 0) throw new RangeError("requests must name at least one URL");
  const isOk = options.isOk ?? defaultIsOk;
  const prepared: Prepared[] = options.requests.map((r) => {
    const url = new URL(r.url);
    return {
      method: (r.method ?? "GET").toUpperCase(),
      url: r.url,
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      headers: r.headers ?? {},
      body: r.body,
    };
  });

  let connectionsOpened = 0;
  let unclaimedConnections = 0;
  const ownDispatcher =
    options.dispatcher === undefined
      ? new Agent({
          connections: Math.min(maxInFlight, MAX_CONNECTIONS),
          pipelining: 1,
          connect: countingConnector(requestTimeoutMs, () => {
            connectionsOpened += 1;
            unclaimedConnections += 1;
          }),
        })
      : undefined;
  const dispatcher = options.dispatcher ?? (ownDispatcher as Agent);

  const lateness = histogram();
  const latency = histogram();
  const service = histogram();
  const period = 1000 / ratePerSecond;
  const monoStart = performance.now();
  // One mapping from the monotonic schedule to the wall clock, taken once: intended times stay
  // evenly spaced even if the wall clock is stepped during the run.
  const wallOffset = Date.now() - monoStart;
  let scheduled = 0;
  let inFlight = 0;
  let dropped = 0;
  let ok = 0;
  let failed = 0;
  let lastEnd = monoStart;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let resolveFinished: (summary: HttpLoadSummary) => void = () => {};
  const finished = new Promise<HttpLoadSummary>((resolve) => {
    resolveFinished = resolve;
  });
  let closing: Promise<void> | undefined;

  const summary = (): HttpLoadSummary => ({
    scheduled,
    sent: scheduled - dropped,
    dropped,
    ok,
    failed,
    connectionsOpened,
    lateness: quantiles(lateness),
    latency: quantiles(latency),
    serviceTime: quantiles(service),
    elapsedS: (lastEnd - monoStart) / 1000,
  });

  const maybeFinish = () => {
    const allScheduled = stopped || (count !== undefined && scheduled >= count);
    if (!allScheduled || inFlight > 0 || closing !== undefined) return;
    stopped = true;
    clearTimeout(timer);
    clearTimeout(deadlineTimer);
    closing = (ownDispatcher?.close() ?? Promise.resolve()).catch(() => {});
    void closing.then(() => {
      const result = summary();
      lateness.destroy();
      latency.destroy();
      service.destroy();
      resolveFinished(result);
    });
  };

  // The per-request deadline without a timer per request: every request has the same timeout
  // and they are sent in order, so their deadlines come in order too. The requests in flight are
  // a queue, oldest first (a request that ends leaves it once it reaches the head), and one timer
  // is armed for the head's deadline.
  let oldest: InFlight | undefined;
  let newest: InFlight | undefined;
  let deadlineTimer: NodeJS.Timeout | undefined;
  const armDeadline = (deadline: number) => {
    deadlineTimer = setTimeout(onDeadline, Math.max(0, deadline - performance.now()));
  };
  const onDeadline = () => {
    deadlineTimer = undefined;
    const now = performance.now();
    while (oldest !== undefined && (oldest.ended || oldest.deadline - now <= TIMER_SLACK_MS)) {
      const request = oldest;
      oldest = request.next;
      if (oldest === undefined) newest = undefined;
      if (!request.ended) request.timeOut();
    }
    if (oldest !== undefined) armDeadline(oldest.deadline);
  };

  const ended = (request: InFlight, e: unknown) => {
    // The end of the response (its last byte, or the failure): taken first, before any bookkeeping.
    const end = performance.now();
    if (request.ended) return;
    request.ended = true;
    while (oldest?.ended) {
      oldest = oldest.next;
      if (oldest === undefined) newest = undefined;
    }
    const { seq, index, intended, sentAt, status } = request;
    const spec = prepared[index] as Prepared;
    let outcome: HttpOutcome;
    let error: string | undefined;
    if (e === undefined) outcome = isOk(status as number) ? "ok" : "status";
    else ({ outcome, error } = classify(e, request.timedOut));
    lastEnd = Math.max(lastEnd, end);
    inFlight -= 1;
    const result: HttpLoadResult = {
      seq,
      request: index,
      method: spec.method,
      url: spec.url,
      intendedAt: wallOffset + intended,
      latencyMs: end - intended,
      serviceMs: end - sentAt,
      lateMs: sentAt - intended,
      outcome,
      ok: outcome === "ok",
      newConnection: unclaimedConnections > 0,
    };
    if (result.newConnection) unclaimedConnections -= 1;
    if (status !== undefined) result.status = status;
    if (error !== undefined) result.error = error;
    if (result.ok) ok += 1;
    else failed += 1;
    latency.recordValue(Math.max(1, Math.round(result.latencyMs * 1000)));
    service.recordValue(Math.max(1, Math.round(result.serviceMs * 1000)));
    try {
      handlers.onResult?.(result);
    } catch (thrown) {
      // Called from inside undici's response handling, which would take a throw for the request's
      // own failure: thrown where it cannot be mistaken for one (as an uncaught exception).
      queueMicrotask(() => {
        throw thrown;
      });
    }
    maybeFinish();
  };

  const send = (seq: number, index: number, intended: number) => {
    const spec = prepared[index] as Prepared;
    const sentAt = performance.now();
    const request = new InFlight(seq, index, intended, sentAt, sentAt + requestTimeoutMs, ended);
    try {
      // undici's dispatch with a handler of our own rather than request(): no response stream, no
      // promise, no AbortSignal; the body is consumed as it arrives and the request ends with its
      // last byte.
      dispatcher.dispatch(
        {
          origin: spec.origin,
          path: spec.path,
          method: spec.method as Dispatcher.HttpMethod,
          headers: spec.headers,
          body: spec.body,
        },
        request,
      );
    } catch (e) {
      ended(request, e);
    }
    // The bookkeeping after the request is on its way, off its measured time.
    lateness.recordValue(Math.max(1, Math.round((sentAt - intended) * 1000)));
    if (request.ended) return;
    if (newest === undefined) oldest = request;
    else newest.next = request;
    newest = request;
    if (deadlineTimer === undefined) armDeadline(request.deadline);
  };

  const tick = () => {
    timer = undefined;
    const now = performance.now();
    // Every request due by now starts now, in order: a late timer makes them late, never skipped.
    while (!stopped && (count === undefined || scheduled < count)) {
      const intended = monoStart + scheduled * period;
      if (intended > now) break;
      scheduled += 1;
      const seq = scheduled;
      const index = (seq - 1) % prepared.length;
      if (inFlight >= maxInFlight) {
        dropped += 1;
        handlers.onDrop?.({ seq, request: index, intendedAt: wallOffset + intended, totalDropped: dropped });
        continue;
      }
      inFlight += 1;
      send(seq, index, intended);
    }
    if (stopped || (count !== undefined && scheduled >= count)) {
      maybeFinish();
      return;
    }
    timer = setTimeout(tick, Math.max(0, monoStart + scheduled * period - performance.now()));
  };
  tick();

  return {
    finished,
    inFlight: () => inFlight,
    stop() {
      stopped = true;
      clearTimeout(timer);
      maybeFinish();
      return finished;
    },
  };
}

function classify(e: unknown, timedOut: boolean): { outcome: HttpOutcome; error: string } {
  if (timedOut) return { outcome: "timeout", error: "request timed out" };
  const code = (e as { code?: string }).code ?? "";
  const message = e instanceof Error ? e.message : String(e);
  if (code === "UND_ERR_CONNECT_TIMEOUT") return { outcome: "connect_timeout", error: message };
  if (
    code.startsWith("UND_ERR_SOCKET") ||
    ["ECONNREFUSED", "ECONNRESET", "EPIPE", "ENOTFOUND", "EHOSTUNREACH", "ECONNABORTED"].includes(code)
  ) {
    return { outcome: "network", error: code ? `${code}: ${message}` : message };
  }
  return { outcome: "error", error: code ? `${code}: ${message}` : message };
}

/** undici's own connector, counting each connection it opens. */
function countingConnector(timeoutMs: number, opened: () => void): buildConnector.connector {
  const connect = buildConnector({ timeout: timeoutMs });
  return (options, callback) =>
    connect(options, (error, socket) => {
      if (!error) opened();
      // biome-ignore lint/suspicious/noExplicitAny: undici's callback is overloaded on error/socket
      (callback as any)(error, socket);
    });
}
