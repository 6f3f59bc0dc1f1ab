// The probe itself: the fixed-rate loop of round trips, its health, and the HTTP server, wired
// together and stoppable. main.ts owns the process (environment, signals, exit codes).
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import type { ProbeConfig } from "./config.js";
import { createDynamoProbe, type DynamoProbe, type RoundTripResult } from "./dynamo.js";
import { HealthTracker } from "./health.js";
import type { LogWriter } from "./log.js";
import { HEALTH_MSG, ROUND_TRIP_MSG, type RoundTripRecord, TICK_MISSED_MSG } from "./record.js";
import { startFixedRate } from "./schedule.js";

export interface RunningProbe {
  readonly port: number;
  stop(): Promise<void>;
}

export interface ProbeDeps {
  log: LogWriter;
  task: string;
  dynamo?: DynamoProbe;
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;

export async function startProbe(config: ProbeConfig, deps: ProbeDeps): Promise<RunningProbe> {
  const { log, task } = deps;
  const dynamo = deps.dynamo ?? createDynamoProbe(config);
  await dynamo.warmUp();
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
    const result = await dynamo.roundTrip();
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
      op: config.operation,
      table: config.tableName,
      seq: at.seq,
      src: at.src,
      task,
      conn: result.conn,
    };
    if (result.attempts !== undefined) record.attempts = result.attempts;
    if (result.error) {
      record.errorKind = result.error.kind;
      record.error = result.error.message;
      if (result.error.httpStatus !== undefined) record.httpStatus = result.error.httpStatus;
    }
    return record;
  };

  const schedule = startFixedRate(config.intervalMs, {
    async run(tick) {
      const { result, startedAt, record } = await measure("loop", tick + 1);
      if (stopping) return; // cut short by shutdown: not a DynamoDB failure
      log(record);
      if (result.ok) health.recordSuccess();
      else health.recordFailure(startedAt, record.error ?? "unknown error");
    },
    missed(tick, dueAt, totalMissed) {
      if (stopping) return;
      log({ msg: TICK_MISSED_MSG, level: "warn", scheduledTs: wallAt(dueAt), seq: tick + 1, totalMissed, task });
    },
  });

  const sendJson = (
    res: http.ServerResponse,
    status: number,
    body: unknown,
    headers: http.OutgoingHttpHeaders = {},
  ) => {
    const text = JSON.stringify(body);
    res.writeHead(status, {
      "content-type": "application/json",
      "cache-control": "no-store",
      "content-length": Buffer.byteLength(text),
      ...headers,
    });
    res.end(res.req.method === "HEAD" ? undefined : text);
  };

  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://probe").pathname;
    if (path !== "/health" && path !== "/test") {
      sendJson(res, 404, { error: `no such path: ${path}; try /health or /test` });
      return;
    }
    if (req.method !== "GET" && req.method !== "HEAD") {
      sendJson(res, 405, { error: `method ${req.method} not allowed on ${path}` }, { allow: "GET, HEAD" });
      return;
    }
    if (path === "/health") {
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
        if (!stopping) log(record);
        sendJson(res, record.ok ? 200 : 500, record);
      })
      .finally(() => {
        activeTests -= 1;
      });
  });
  server.listen(config.port);
  await once(server, "listening");
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    async stop() {
      if (stopping) return;
      stopping = true;
      health.stop();
      server.close();
      server.closeAllConnections();
      // An in-flight round trip may wait for its read timeout; shutdown must not.
      dynamo.destroy();
      await Promise.race([schedule.stop(), new Promise((resolve) => setTimeout(resolve, 500).unref())]);
    },
  };
}
