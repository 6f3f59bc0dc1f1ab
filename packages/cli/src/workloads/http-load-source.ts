// The http-load workload as the engine's line source: each request the load generator sent
// becomes the same neutral round-trip record the probe writes (so the engine judges the user's
// requests with the same thresholds), and each request it could not start becomes a "Tick missed"
// record (dropped: the engine skips its seq, as it does a probe tick that could not run).
// For these records `op` is the HTTP method, `table` the URL requested, `httpStatus` the app's answer.
import {
  type ErrorKind,
  ROUND_TRIP_MSG,
  type RoundTripRecord,
  TICK_MISSED_MSG,
  type TickMissedRecord,
} from "@fislat/probe/record";
import type { HttpLoadSettings } from "../engine/plan.js";
import type { RoundTripSource } from "../engine/ports.js";
import { type HttpLoad, type HttpLoadResult, type HttpLoadSummary, startHttpLoad } from "./http-load.js";

export interface HttpLoadSource extends RoundTripSource {
  /** The generator's own account once stopped: sent, dropped, lateness. */
  summary(): HttpLoadSummary | undefined;
}

/** "2xx,3xx" / "200-299,404" as a predicate (the planner checked the text). */
export function okStatusPredicate(spec: string): (status: number) => boolean {
  const ranges = spec.split(",").map((part) => {
    const p = part.trim().toLowerCase();
    const cls = /^([1-5])xx$/.exec(p);
    if (cls) return [Number(cls[1]) * 100, Number(cls[1]) * 100 + 99];
    const [lo = "0", hi = lo] = p.split("-");
    return [Number(lo), Number(hi)];
  });
  return (status) => ranges.some(([lo = 0, hi = 0]) => status >= lo && status <= hi);
}

function errorKindOf(r: HttpLoadResult): ErrorKind {
  switch (r.outcome) {
    case "timeout":
      return "timeout";
    case "connect_timeout":
      return "connect_timeout";
    case "network":
      return "network";
    default:
      return r.status === 429 ? "throttled" : "other";
  }
}

export function toRoundTripRecord(r: HttpLoadResult, task: string): RoundTripRecord {
  const record: RoundTripRecord = {
    ts: new Date(r.intendedAt).toISOString(),
    level: r.ok ? "info" : "warn",
    msg: ROUND_TRIP_MSG,
    ok: r.ok,
    rttMs: r.latencyMs,
    op: r.method,
    table: r.url,
    seq: r.seq,
    src: "loop",
    task,
    conn: r.newConnection ? "new" : "reused",
  };
  if (r.status !== undefined) record.httpStatus = r.status;
  if (!r.ok) {
    record.errorKind = errorKindOf(r);
    record.error = r.error ?? `HTTP ${r.status}`;
  }
  return record;
}

export function httpLoadSource(settings: HttpLoadSettings, task: string): HttpLoadSource {
  let load: HttpLoad | undefined;
  let summary: HttpLoadSummary | undefined;
  return {
    async start(onLine) {
      load = startHttpLoad(
        {
          requests: settings.urls.map((url) => ({
            url,
            method: settings.method,
            headers: settings.headers,
            ...(settings.body !== undefined ? { body: settings.body } : {}),
          })),
          ratePerSecond: settings.ratePerSecond,
          maxInFlight: settings.maxInFlight,
          requestTimeoutMs: settings.requestTimeoutMs,
          isOk: okStatusPredicate(settings.okStatus),
        },
        {
          onResult: (r) => onLine({ type: "round-trip", record: toRoundTripRecord(r, task) }, ""),
          onDrop: (d) => {
            const ts = new Date(d.intendedAt).toISOString();
            const record: TickMissedRecord = {
              ts,
              level: "warn",
              msg: TICK_MISSED_MSG,
              scheduledTs: ts,
              seq: d.seq,
              totalMissed: d.totalDropped,
              task,
            };
            onLine({ type: "tick-missed", record }, "");
          },
        },
      );
    },
    async stop() {
      // Every request sent is waited for (each ends by its timeout at worst) and judged.
      summary = await load?.stop();
    },
    summary: () => summary,
  };
}
