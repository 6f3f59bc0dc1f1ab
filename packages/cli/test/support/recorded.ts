// Builds recorded probe line streams for engine tests: round trips on a fixed grid relative to a
// fault window, as the probe would have written them.
import { type ProbeLine, parseProbeLine, type RoundTripRecord } from "@fislat/probe/record";

export const T0 = Date.parse("2026-11-25T10:00:00.000Z");

export function rt(offsetMs: number, fields: Partial<RoundTripRecord> & { seq: number }): RoundTripRecord {
  const ok = fields.ok ?? true;
  return {
    ts: new Date(T0 + offsetMs).toISOString(),
    level: ok ? "info" : "warn",
    msg: "Round trip",
    ok,
    rttMs: fields.rttMs ?? 2,
    op: "GetItem",
    table: "MyTestTable",
    src: "loop",
    task: "host-1",
    conn: "reused",
    ...(ok ? {} : { errorKind: "timeout", error: "TimeoutError: timed out after 500 ms" }),
    ...fields,
  };
}

export const line = (record: object): ProbeLine => parseProbeLine(JSON.stringify(record));

export interface StreamSpec {
  intervalMs: number;
  /** Fault window in ms from T0. */
  fault: [number, number];
  endMs: number;
  /** The round trip a tick at `offset` produces, given the phase it is in. */
  during: (offset: number, phase: "baseline" | "injection" | "recovery") => Partial<RoundTripRecord>;
}

export function stream(spec: StreamSpec): RoundTripRecord[] {
  const records: RoundTripRecord[] = [];
  let seq = 1;
  for (let t = 0; t < spec.endMs; t += spec.intervalMs) {
    const phase = t < spec.fault[0] ? "baseline" : t < spec.fault[1] ? "injection" : "recovery";
    records.push(rt(t, { seq: seq++, ...spec.during(t, phase) }));
  }
  return records;
}

export const timeoutTrip = { ok: false, rttMs: 503, errorKind: "timeout" as const };
export const fastTrip = { ok: true, rttMs: 2 };
export const faultWindow = (spec: StreamSpec) => ({
  startedAt: new Date(T0 + spec.fault[0]),
  endedAt: new Date(T0 + spec.fault[1]),
});
