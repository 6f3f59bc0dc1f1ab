import { describe, expect, it } from "vitest";
import { summarize, TimelineBuilder } from "../src/engine/timeline.js";
import { degradedThreshold } from "../src/engine/verdict.js";
import { fastTrip, faultWindow, line, rt, stream, T0, timeoutTrip } from "./support/recorded.js";

const spec = {
  intervalMs: 1000,
  fault: [10_000, 40_000] as [number, number],
  endMs: 50_000,
  during: (_t: number, phase: string) => (phase === "injection" ? timeoutTrip : fastTrip),
};

function build(lines: object[], window = faultWindow(spec)) {
  const builder = new TimelineBuilder();
  for (const l of lines) builder.add(line(l));
  return builder.build(window, degradedThreshold(800));
}

describe("TimelineBuilder", () => {
  it("places round trips in phases by their own start time against the injector's window", () => {
    const t = build(stream(spec));
    expect([t.phases.baseline.count, t.phases.injection.count, t.phases.recovery.count]).toEqual([10, 30, 10]);
    expect(t.phases.injection).toMatchObject({ successes: 0, timeouts: 30, degraded: 30 });
    expect(t.phases.baseline.latency?.p50).toBeCloseTo(2, 2);
    expect(t.phases.injection.medianShiftMs).toBeCloseTo(501, 0);
  });

  it("gives the same timeline whatever order and however often the lines arrive", () => {
    const records = stream(spec);
    const shuffled = [...records].reverse();
    const t = build([...shuffled, ...records.slice(0, 5)]);
    expect(t.phases.injection.count).toBe(30);
    expect(t.duplicateLines).toBe(5);
    expect(t.outOfOrderLines).toBeGreaterThan(0);
    expect(t.roundTrips.map((r) => r.seq)).toEqual(records.map((r) => r.seq));
  });

  it("counts malformed lines and ignores lines that are not the probe's", () => {
    const builder = new TimelineBuilder();
    builder.add(line(rt(0, { seq: 1 })));
    builder.add({ type: "malformed", reason: "not a JSON object" });
    builder.add({ type: "other" });
    const t = builder.build({}, degradedThreshold(800));
    expect(t.malformedLines).toBe(1);
    expect(t.roundTrips).toHaveLength(1);
    expect(t.phases.baseline.count).toBe(1);
  });

  it("sets aside round trips in flight when the fault started or ended", () => {
    const t = build([
      rt(9_000, { seq: 1 }),
      rt(9_900, { seq: 2, ok: false, errorKind: "timeout", rttMs: 503 }), // ends after the fault started
      rt(39_800, { seq: 3, ok: true, rttMs: 250 }), // released by the fault's end
      rt(41_000, { seq: 4 }),
    ]);
    expect(t.straddlingFault).toBe(2);
    expect([t.phases.baseline.count, t.phases.injection.count, t.phases.recovery.count]).toEqual([1, 0, 1]);
  });

  it("measures time to detect and to recover from the ends of round trips", () => {
    const t = build(stream(spec));
    // The first round trip under the fault starts at 10 s and times out 503 ms later.
    expect(t.timeToDetectMs).toBeCloseTo(503, 5);
    // The first one after starts at 40 s and succeeds in 2 ms.
    expect(t.timeToRecoverMs).toBeCloseTo(2, 5);
    expect(t.degradationAfterFaultMs).toBe(0);
  });

  it("measures degradation that outlives the fault", () => {
    const lingering = { ...spec, during: (t: number) => (t >= 10_000 && t < 45_000 ? timeoutTrip : fastTrip) };
    const t = build(stream(lingering));
    expect(t.degradationAfterFaultMs).toBeCloseTo(4503, 5);
    expect(t.timeToRecoverMs).toBeCloseTo(5002, 5);
  });

  it("takes health transitions from the probe's lines, timed from the first failure", () => {
    const records = stream(spec);
    const t = build([
      ...records,
      { ts: new Date(T0 + 39_000).toISOString(), msg: "Health changed", healthy: false, failingForMs: 29_000 },
      { ts: new Date(T0 + 40_010).toISOString(), msg: "Health changed", healthy: true, failingForMs: 0 },
    ]);
    expect(t.health.map((h) => h.healthy)).toEqual([false, true]);
    expect(t.unhealthyAfterFirstFailureMs).toBe(29_000);
    expect(t.timeToUnhealthyMs).toBe(29_000);
    expect(t.timeToHealthyMs).toBe(10);
  });

  it("falls back to /health polls when the probe logged no transition", () => {
    const builder = new TimelineBuilder();
    for (const r of stream(spec)) builder.add(line(r));
    for (const [offset, status] of [
      [0, 200],
      [20_000, 200],
      [41_000, 503],
      [42_000, 200],
    ] as const) {
      builder.addHealthObservation({ at: new Date(T0 + offset), status });
    }
    const t = builder.build(faultWindow(spec), degradedThreshold(800));
    expect(t.health.map((h) => [h.healthy, h.source])).toEqual([
      [false, "poll"],
      [true, "poll"],
    ]);
  });
});

describe("summarize", () => {
  it("reports percentiles from an HDR histogram with sub-millisecond precision", () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1.5);
    const s = summarize(values);
    // Three significant digits: within 0.1% of the exact value.
    for (const [got, exact] of [
      [s?.p50, 50.5],
      [s?.p90, 90.5],
      [s?.p99, 99.5],
      [s?.max, 100.5],
    ] as const) {
      expect(Math.abs((got ?? 0) - exact) / exact).toBeLessThan(0.001);
    }
    expect(summarize([])).toBeUndefined();
  });
});
