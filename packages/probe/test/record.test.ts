import { describe, expect, it } from "vitest";
import { parseProbeLine } from "../src/record.js";

const good = {
  ts: "2026-11-25T09:00:15.404Z",
  level: "info",
  msg: "Round trip",
  ok: true,
  rttMs: 3.2,
  op: "GetItem",
  table: "MyTestTable",
  seq: 1,
  src: "loop",
  task: "host",
  conn: "reused",
};

describe("parseProbeLine", () => {
  it("reads a round trip", () => {
    expect(parseProbeLine(JSON.stringify(good))).toEqual({ type: "round-trip", record: good });
  });

  it("reads a failed round trip with its error kind", () => {
    const failed = { ...good, ok: false, errorKind: "timeout", error: "TimeoutError: ..." };
    expect(parseProbeLine(JSON.stringify(failed))).toMatchObject({
      type: "round-trip",
      record: { errorKind: "timeout" },
    });
  });

  it("counts as malformed a round trip without an error kind, a bad time or a truncated line", () => {
    expect(parseProbeLine(JSON.stringify({ ...good, ok: false }))).toEqual({
      type: "malformed",
      reason: "errorKind is missing or unknown",
    });
    expect(parseProbeLine(JSON.stringify({ ...good, ts: "yesterday" }))).toMatchObject({ type: "malformed" });
    expect(parseProbeLine(JSON.stringify({ ...good, rttMs: "3" }))).toMatchObject({ type: "malformed" });
    expect(parseProbeLine(JSON.stringify(good).slice(0, 80))).toEqual({
      type: "malformed",
      reason: "not a JSON object",
    });
  });

  it("reads health and missed-tick lines", () => {
    expect(
      parseProbeLine(JSON.stringify({ ts: good.ts, msg: "Health changed", healthy: false, failingForMs: 30000 })),
    ).toMatchObject({ type: "health", record: { healthy: false } });
    expect(parseProbeLine(JSON.stringify({ ts: good.ts, msg: "Tick missed", scheduledTs: good.ts }))).toMatchObject({
      type: "tick-missed",
    });
  });

  it("reads the health state a round trip carries, and old lines without it", () => {
    for (const healthy of [true, false]) {
      expect(parseProbeLine(JSON.stringify({ ...good, healthy }))).toEqual({
        type: "round-trip",
        record: { ...good, healthy },
      });
    }
    const old = parseProbeLine(JSON.stringify(good));
    expect(old).toEqual({ type: "round-trip", record: good });
    expect(old.type === "round-trip" && "healthy" in old.record).toBe(false);
    expect(parseProbeLine(JSON.stringify({ ...good, healthy: "yes" }))).toEqual({
      type: "malformed",
      reason: "healthy is not a boolean",
    });
    expect(
      parseProbeLine(JSON.stringify({ ts: good.ts, msg: "Tick missed", scheduledTs: good.ts, seq: 7, healthy: false })),
    ).toMatchObject({ type: "tick-missed", record: { seq: 7, healthy: false } });
  });

  it("reads the HTTP mode's round trips, with their status and URL, beside DynamoDB's", () => {
    const http = { ...good, op: "GET", table: "", url: "https://orders.example.com/orders/42", httpStatus: 200 };
    expect(parseProbeLine(JSON.stringify(http))).toEqual({ type: "round-trip", record: http });
    const failed = { ...http, ok: false, httpStatus: 503, errorKind: "http_status", error: "HTTP 503" };
    expect(parseProbeLine(JSON.stringify(failed))).toMatchObject({ type: "round-trip", record: { httpStatus: 503 } });
    // A DynamoDB line from before the HTTP mode reads as it always did: no url, no status.
    const old = parseProbeLine(JSON.stringify(good));
    expect(old.type === "round-trip" && ("url" in old.record || "httpStatus" in old.record)).toBe(false);
    expect(parseProbeLine(JSON.stringify({ ...http, httpStatus: "200" }))).toEqual({
      type: "malformed",
      reason: "httpStatus is not a whole number",
    });
    expect(parseProbeLine(JSON.stringify({ ...http, url: 5 }))).toEqual({
      type: "malformed",
      reason: "url is not a string",
    });
  });

  it("ignores lines that are not the probe's", () => {
    expect(parseProbeLine("(node:1) Warning: something")).toEqual({ type: "other" });
    expect(parseProbeLine(JSON.stringify({ msg: "Probe started" }))).toEqual({ type: "other" });
    expect(parseProbeLine("")).toEqual({ type: "other" });
  });
});
