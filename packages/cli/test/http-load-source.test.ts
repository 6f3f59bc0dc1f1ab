// The http-load workload's records are the probe's own round-trip records: the probe's parser
// reads them back unchanged, and the engine's timeline judges them like the probe's.
import { parseProbeLine } from "@fislat/probe/record";
import { describe, expect, it } from "vitest";
import { TimelineBuilder } from "../src/engine/timeline.js";
import type { HttpLoadResult } from "../src/workloads/http-load.js";
import { okStatusPredicate, toRoundTripRecord } from "../src/workloads/http-load-source.js";

const result = (over: Partial<HttpLoadResult>): HttpLoadResult => ({
  seq: 1,
  request: 0,
  method: "GET",
  url: "http://127.0.0.1:3000/orders/42",
  intendedAt: Date.parse("2026-12-04T10:00:00.000Z"),
  latencyMs: 12.5,
  serviceMs: 12,
  lateMs: 0.5,
  outcome: "ok",
  ok: true,
  status: 200,
  newConnection: true,
  ...over,
});

describe("http-load records", () => {
  it("are round-trip records the probe's parser reads back as they are", () => {
    for (const r of [
      result({}),
      result({ seq: 2, ok: false, outcome: "status", status: 503 }),
      result({ seq: 3, ok: false, outcome: "status", status: 429 }),
      result({ seq: 4, ok: false, outcome: "timeout", status: undefined, error: "request timed out" }),
      result({ seq: 5, ok: false, outcome: "network", status: undefined, error: "ECONNRESET" }),
    ]) {
      const record = toRoundTripRecord(r, "app");
      expect(parseProbeLine(JSON.stringify(record))).toEqual({ type: "round-trip", record });
    }
    expect(toRoundTripRecord(result({ ok: false, outcome: "status", status: 503 }), "app")).toMatchObject({
      ok: false,
      errorKind: "other",
      httpStatus: 503,
      error: "HTTP 503",
      op: "GET",
      table: "http://127.0.0.1:3000/orders/42",
      ts: "2026-12-04T10:00:00.000Z",
      rttMs: 12.5,
      conn: "new",
    });
    expect(toRoundTripRecord(result({ ok: false, outcome: "status", status: 429 }), "app").errorKind).toBe("throttled");
    expect(toRoundTripRecord(result({ ok: false, outcome: "timeout" }), "app").errorKind).toBe("timeout");
  });

  it("are placed in phases by their intended start, a timeout counting as a timeout", () => {
    const builder = new TimelineBuilder();
    const at = (s: number) => Date.parse("2026-12-04T10:00:00.000Z") + s * 1000;
    builder.add({ type: "round-trip", record: toRoundTripRecord(result({ seq: 1, intendedAt: at(0) }), "app") });
    builder.add({
      type: "round-trip",
      record: toRoundTripRecord(
        result({ seq: 2, intendedAt: at(2), ok: false, outcome: "timeout", latencyMs: 2000 }),
        "app",
      ),
    });
    builder.add({ type: "round-trip", record: toRoundTripRecord(result({ seq: 3, intendedAt: at(6) }), "app") });
    const timeline = builder.build({ startedAt: new Date(at(1)), endedAt: new Date(at(5)) }, () => 100);
    expect([timeline.phases.baseline.count, timeline.phases.injection.count, timeline.phases.recovery.count]).toEqual([
      1, 1, 1,
    ]);
    expect(timeline.phases.injection.timeouts).toBe(1);
  });

  it("count as ok by the --ok-status classes and ranges", () => {
    const ok = okStatusPredicate("2xx, 404, 500-502");
    expect([200, 299, 300, 404, 405, 500, 502, 503].map(ok)).toEqual([
      true,
      true,
      false,
      true,
      false,
      true,
      true,
      false,
    ]);
  });
});
