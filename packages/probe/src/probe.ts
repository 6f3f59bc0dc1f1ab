// The probe itself: the fixed-rate loop of round trips (to DynamoDB, or to a URL in HTTP mode),
// its health, and the HTTP server, wired together and stoppable. main.ts owns the process (environment, signals, exit codes).
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import type { ProbeConfig } from "./config.js";
import { PROBE_PATHS } from "./contract.js";
import { HealthTracker } from "./health.js";
import type { LogWriter } from "./log.js";
import { HEALTH_MSG, ROUND_TRIP_MSG, type RoundTripRecord, TICK_MISSED_MSG } from "./record.js";
import type { RoundTripper, RoundTripResult } from "./round-trip.js";
import { startFixedRate } from "./schedule.js";

export interface RunningProbe {
  readonly port: number;
  stop(): Promise<void>;
}

export interface ProbeDeps {
  log: LogWriter;
  task: string;
  /** What a round trip calls; by default DynamoDB, or the URL of the HTTP mode (TARGET_URL). */
  target?: RoundTripper;
}

/** Loads only the module the mode needs: the HTTP mode never loads the AWS SDK. */
export async function createRoundTripper(config: ProbeConfig): Promise<RoundTripper> {
  if (config.target) return (await import("./http-target.js")).createHttpTarget(config, config.target);
  return (await import("./dynamo.js")).createDynamoProbe(config);
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

/** The path of a request target, without query or fragment; undefined when there is none.
 * Read by hand: `new URL` throws on targets such as `//x:99999/`, and a path is all we need. */
export function requestPath(target: string | undefined): string | undefined {
  if (target === undefined) return undefined;
  if (target.startsWith("/")) return target.split(/[?#]/, 1)[0] as string;
  // The absolute form (`GET http://host/health`), which HTTP/1.1 servers must accept.
  if (/^https?:\/\//i.test(target)) {
    try {
      return new URL(target).pathname;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** A request that is still incomplete after these times gets 408 and its connection is closed, so
 * every peer gets a status; health checks send their few bytes at once. */
export const REQUEST_HEADERS_TIMEOUT_MS = 5000;
const SERVER_OPTIONS: http.ServerOptions = {
  headersTimeout: REQUEST_HEADERS_TIMEOUT_MS,
  requestTimeout: 2 * REQUEST_HEADERS_TIMEOUT_MS,
  connectionsCheckingInterval: 1000,
};

/** Error of a listen that failed for a reason the environment can fix. */
export class ListenError extends Error {
  override readonly name = "ListenError";
}

async function listen(server: http.Server, config: ProbeConfig): Promise<void> {
  const where = `PORT=${config.port}${config.host === undefined ? "" : ` PROBE_HOST=${config.host}`}`;
  try {
    server.listen(config.port, config.host);
    await once(server, "listening");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EACCES") {
      throw new ListenError(
        `${where}: permission denied to listen (ports below 1024 need root or the CAP_NET_BIND_SERVICE capability, as the image gives node): set PORT to a port from 1024 to 65535, e.g. PORT=8080`,
      );
    }
    if (code === "EADDRINUSE")
      throw new ListenError(`${where}: the port is in use; set PORT to a free port, or 0 for any`);
    if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND" || code === "EAI_AGAIN") {
      throw new ListenError(
        `${where}: this machine has no such address (${code}); set PROBE_HOST to one of its addresses, or unset it for all interfaces`,
      );
    }
    throw error;
  }
}

export async function startProbe(config: ProbeConfig, deps: ProbeDeps): Promise<RunningProbe> {
  const { log, task } = deps;
  const target = deps.target ?? (await createRoundTripper(config));
  await target.warmUp();
  let stopping = false;
  let testSeq = 0;
  let activeTests = 0;

  // The wall clock is read once, next to the monotonic origin, so `ts` of a line is the
  // round trip's start even though the record is written when it ends.
  const wallAt = (monotonic: number) => new Date(Date.now() - (performance.now() - monotonic)).toISOString();

  const health = new HealthTracker(config.healthFailureMs, (change) => {
    log({
      msg: HEALTH_MSG,
      level: change.healthy ? "info" : "warn",
      ...change,
      failingForMs: Math.round(change.failingForMs),
      task,
    });
  });

  const measure = async (src: "loop" | "test", seq: number) => {
    const startedAt = performance.now();
    const ts = new Date().toISOString();
    const result = await target.roundTrip();
    return { result, startedAt, record: toRecord(result, { ts, src, seq }) };
  };

  const toRecord = (
    result: RoundTripResult,
    at: { ts: string; src: "loop" | "test"; seq: number },
  ): RoundTripRecord => {
    const record: RoundTripRecord = {
      ts: at.ts,
      level: result.ok ? "info" : "warn",
      msg: ROUND_TRIP_MSG,
      ok: result.ok,
      rttMs: round3(result.rttMs),
      op: target.describe.op,
      table: target.describe.table,
      seq: at.seq,
      src: at.src,
      task,
      conn: result.conn,
    };
    if (target.describe.url !== undefined) record.url = target.describe.url;
    if (result.attempts !== undefined) record.attempts = result.attempts;
    if (result.httpStatus !== undefined) record.httpStatus = result.httpStatus;
    if (result.error) {
      record.errorKind = result.error.kind;
      record.error = result.error.message;
      if (result.error.httpStatus !== undefined) record.httpStatus = result.error.httpStatus;
    }
    return record;
  };

  const healthyNow = () => health.snapshot().status !== "unhealthy";

  const sendJson = (
    res: http.ServerResponse,
    status: number,
    body: unknown,
    headers: http.OutgoingHttpHeaders = {},
  ) => {
    if (res.headersSent || res.destroyed) return;
    const text = JSON.stringify(body);
    res.writeHead(status, {
      "content-type": "application/json",
      "cache-control": "no-store",
      "content-length": Buffer.byteLength(text),
      ...headers,
    });
    res.end(res.req.method === "HEAD" ? undefined : text);
  };

  const route = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const path = requestPath(req.url);
    if (path === undefined) {
      sendJson(res, 400, { error: "the request target is not a path" });
      return;
    }
    if (path !== PROBE_PATHS.health && path !== PROBE_PATHS.live && path !== PROBE_PATHS.test) {
      sendJson(res, 404, {
        error: `no such path: ${path.slice(0, 200)}; try ${Object.values(PROBE_PATHS).join(", ")}`,
      });
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      sendJson(res, 405, { error: `method ${req.method} not allowed on ${path}` }, { allow: "GET, HEAD" });
      return;
    }
    if (path === PROBE_PATHS.live) {
      // Shallow on purpose: the load balancer and the container health check use it, and they
      // must not replace a task because DynamoDB is slow (that is what the experiment observes).
      sendJson(res, 200, { status: "live", task });
      return;
    }
    if (path === PROBE_PATHS.health) {
      const snap = health.snapshot();
      sendJson(res, snap.status === "unhealthy" ? 503 : 200, { ...snap, task });
      return;
    }
    if (activeTests >= config.testMaxConcurrent) {
      sendJson(
        res,
        429,
        { error: `at most ${config.testMaxConcurrent} /test calls at a time` },
        { "retry-after": "1" },
      );
      return;
    }
    activeTests += 1;
    testSeq += 1;
    measure("test", testSeq)
      .then(({ record }) => {
        record.healthy = healthyNow();
        if (!stopping) log(record);
        sendJson(res, record.ok ? 200 : 500, record);
      })
      .catch((error: unknown) => sendJson(res, 500, { error: String(error).slice(0, 500) }))
      .finally(() => {
        activeTests -= 1;
      });
  };

  // Whatever a peer sends, the process keeps serving and the peer gets a status: the handler
  // cannot throw past here, and Node itself answers requests it cannot parse with 400.
  const server = http.createServer(SERVER_OPTIONS, (req, res) => {
    try {
      route(req, res);
    } catch (error) {
      sendJson(res, 500, { error: String(error).slice(0, 500) });
    }
  });
  // Node closes a CONNECT without a word unless someone listens: answer it like any other method.
  server.on("connect", (_req, socket) => {
    socket.on("error", () => {});
    socket.end("HTTP/1.1 405 Method Not Allowed\r\nallow: GET, HEAD\r\nconnection: close\r\ncontent-length: 0\r\n\r\n");
  });
  await listen(server, config);
  const port = (server.address() as AddressInfo).port;

  const schedule = startFixedRate(config.intervalMs, {
    async run(tick) {
      const { result, startedAt, record } = await measure("loop", tick + 1);
      if (stopping) return; // cut short by shutdown: not a DynamoDB failure
      // /health's state once this round trip is counted: a success makes it healthy at once, a
      // failure changes it only later (by timer). The line is written before the count, so a
      // "Health changed" line it causes follows it.
      record.healthy = result.ok || healthyNow();
      log(record);
      if (result.ok) health.recordSuccess();
      else health.recordFailure(startedAt, record.error ?? "unknown error");
    },
    missed(tick, dueAt, totalMissed) {
      if (stopping) return;
      log({
        msg: TICK_MISSED_MSG,
        level: "warn",
        scheduledTs: wallAt(dueAt),
        seq: tick + 1,
        totalMissed,
        healthy: healthyNow(),
        task,
      });
    },
  });

  return {
    port,
    async stop() {
      if (stopping) return;
      stopping = true;
      health.stop();
      server.close();
      server.closeAllConnections();
      // An in-flight round trip may wait for its read timeout; shutdown must not.
      target.destroy();
      await Promise.race([schedule.stop(), new Promise((resolve) => setTimeout(resolve, 500).unref())]);
    },
  };
}
