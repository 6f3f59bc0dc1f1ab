// The probe's log line format: what it writes and how readers (the fislat CLI) parse it.
// Producer and consumer import this one module, so the two can never drift apart.

/** Every round-trip line's `msg` is exactly this, so the CloudWatch filter `"Round trip"` matches. */
export const ROUND_TRIP_MSG = "Round trip";
export const HEALTH_MSG = "Health changed";
export const TICK_MISSED_MSG = "Tick missed";

export const ERROR_KINDS = [
  "timeout",
  "connect_timeout",
  "throttled",
  "table_not_found",
  "access_denied",
  "network",
  "other",
  /** HTTP mode: the service answered with a status that does not count as ok (httpStatus says which). */
  "http_status",
] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

/** One DynamoDB round trip. `ts` is when it started (wall clock); `rttMs` is monotonic. */
export type RoundTripRecord = {
  ts: string;
  level: "info" | "warn";
  msg: typeof ROUND_TRIP_MSG;
  ok: boolean;
  rttMs: number;
  op: string;
  table: string;
  /**
   * Loop round trips carry their tick number 1, 2, 3... per process; a tick that found a round
   * trip still in flight is a Tick missed line with that seq instead. So over the loop's lines
   * (Round trip with src "loop" and Tick missed) seq is consecutive, and a gap counts lost lines
   * exactly. On-demand /test round trips count separately.
   */
  seq: number;
  src: "loop" | "test";
  task: string;
  /** Whether the round trip had to open a new connection (under the ECS fault it pays ~3 delays). */
  conn: "new" | "reused";
  /**
   * The probe's /health state (true: 200, starting or healthy; false: 503) when the line was
   * written, after this round trip was counted. Absent on lines of probes older than the field.
   */
  healthy?: boolean;
  attempts?: number;
  errorKind?: ErrorKind;
  error?: string;
  /** DynamoDB mode: the status of a failed call's answer. HTTP mode: the status of every answer. */
  httpStatus?: number;
  /**
   * HTTP mode only (TARGET_URL): the requested URL without its query (which may carry secrets).
   * Then `op` is the method and `table` is empty. Absent on DynamoDB round trips.
   */
  url?: string;
};

export type HealthRecord = {
  ts: string;
  level: "info" | "warn";
  msg: typeof HEALTH_MSG;
  healthy: boolean;
  failingForMs: number;
  consecutiveFailures: number;
  lastError?: string;
  task: string;
};

export type TickMissedRecord = {
  ts: string;
  level: "warn";
  msg: typeof TICK_MISSED_MSG;
  /** The scheduled start that could not be honoured, because a round trip was still in flight. */
  scheduledTs: string;
  /** The tick's number, in the same sequence as loop round trips' seq. */
  seq?: number;
  totalMissed: number;
  /** The probe's /health state when the line was written (absent on older probes' lines). */
  healthy?: boolean;
  task: string;
};

export type ProbeLine =
  | { type: "round-trip"; record: RoundTripRecord }
  | { type: "health"; record: HealthRecord }
  | { type: "tick-missed"; record: TickMissedRecord }
  /** Not one of ours (start-up lines, runtime warnings): ignored by readers. */
  | { type: "other" }
  /** Claims to be a round trip but cannot be read as one: counted by readers. */
  | { type: "malformed"; reason: string };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;
const isIsoTime = (v: unknown): v is string => typeof v === "string" && !Number.isNaN(Date.parse(v));

function roundTripProblem(o: Record<string, unknown>): string | undefined {
  if (!isIsoTime(o.ts)) return "ts is not an ISO 8601 time";
  if (typeof o.ok !== "boolean") return "ok is not a boolean";
  if (typeof o.rttMs !== "number" || !Number.isFinite(o.rttMs) || o.rttMs < 0) return "rttMs is not a duration";
  if (typeof o.seq !== "number") return "seq is not a number";
  if (typeof o.op !== "string" || typeof o.table !== "string") return "op or table is missing";
  if (o.conn !== "new" && o.conn !== "reused") return "conn is not new or reused";
  if (o.healthy !== undefined && typeof o.healthy !== "boolean") return "healthy is not a boolean";
  if (o.httpStatus !== undefined && !Number.isInteger(o.httpStatus)) return "httpStatus is not a whole number";
  if (o.url !== undefined && typeof o.url !== "string") return "url is not a string";
  if (!o.ok && !(ERROR_KINDS as readonly unknown[]).includes(o.errorKind)) return "errorKind is missing or unknown";
  return undefined;
}

/** Classifies one log line. Never throws: a reader must survive anything in a log. */
export function parseProbeLine(line: string): ProbeLine {
  const text = line.trim();
  const mentionsRoundTrip = text.includes(ROUND_TRIP_MSG);
  let parsed: unknown;
  try {
    parsed = text.startsWith("{") ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!isObject(parsed)) {
    return mentionsRoundTrip ? { type: "malformed", reason: "not a JSON object" } : { type: "other" };
  }
  if (parsed.msg === ROUND_TRIP_MSG) {
    const problem = roundTripProblem(parsed);
    if (problem) return { type: "malformed", reason: problem };
    const record = parsed as unknown as RoundTripRecord;
    return { type: "round-trip", record: { ...record, src: record.src ?? "loop", task: record.task ?? "" } };
  }
  if (parsed.msg === HEALTH_MSG && typeof parsed.healthy === "boolean" && isIsoTime(parsed.ts)) {
    return { type: "health", record: parsed as unknown as HealthRecord };
  }
  if (parsed.msg === TICK_MISSED_MSG && isIsoTime(parsed.ts)) {
    return { type: "tick-missed", record: parsed as unknown as TickMissedRecord };
  }
  return mentionsRoundTrip ? { type: "malformed", reason: "msg is not a known probe message" } : { type: "other" };
}
