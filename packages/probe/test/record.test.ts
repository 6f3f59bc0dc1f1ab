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

  it("ignores lines that are not the probe's", () => {
    expect(parseProbeLine("(node:1) Warning: something")).toEqual({ type: "other" });
    expect(parseProbeLine(JSON.stringify({ msg: "Probe started" }))).toEqual({ type: "other" });
    expect(parseProbeLine("")).toEqual({ type: "other" });
  });
});
