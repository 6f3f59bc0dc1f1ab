// The JSON report stays bounded: every round trip up to the hold limit, past it per-second
// aggregates per phase and a sample of the failures, and it says which it holds. Percentiles are
// exact order statistics: a phase's or a second's p99 is never above its max.
import { createRequire } from "node:module";
import type { RoundTripRecord } from "@fislat/probe/record";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import type { ExperimentResult } from "../src/engine/experiment.js";
import { FAILURE_SAMPLE_SIZE, RoundTripStore } from "../src/engine/record-store.js";
import { buildReport, type Report } from "../src/engine/report.js";
import { PHASES, TimelineBuilder } from "../src/engine/timeline.js";
import { degradedThreshold, evaluate } from "../src/engine/verdict.js";
import { renderReport } from "../src/reporters/index.js";
import { renderChart } from "../src/reporters/summary.js";
import { planOf } from "./support/plan.js";
import { faultWindow, line, rt, type StreamSpec, stream, T0 } from "./support/recorded.js";

const schema = createRequire(import.meta.url)("../schemas/report.schema.json");
const validReport = new Ajv({ strict: false, validateFormats: false, allErrors: true }).compile(schema);

// 4 round trips a second; under the fault every other one times out, the rest take 700 to 900 ms.
const spec: StreamSpec = {
  intervalMs: 250,
  fault: [10_000, 50_000],
  endMs: 60_000,
  during: (t, phase) =>
    phase !== "injection"
      ? { ok: true, rttMs: 2 + (t % 7) / 10 }
      : (t / 250) % 2 === 0
        ? { ok: false, rttMs: 503, errorKind: "timeout" }
        : { ok: true, rttMs: 700 + ((t * 37) % 200) },
};
const plan = planOf("succeed");

function reportOf(records: RoundTripRecord[], holdLimit?: number): Report {
  const builder = new TimelineBuilder(holdLimit === undefined ? {} : { holdLimit });
  for (const r of records) builder.add(line(r));
  const window = faultWindow(spec);
  const timeline = builder.build(window, degradedThreshold(800));
  const result: ExperimentResult = {
    plan,
    startedAt: new Date(T0),
    endedAt: new Date(T0 + spec.endMs),
    targets: [],
    fault: { ...window, endReason: "completed" },
    faultRemoval: "ended",
    timeline,
    verdict: evaluate(timeline, plan, window),
  };
  return buildReport(result, { version: "test", environment: { kind: "local", target: "t", injector: "i" } });
}

const records = stream(spec);

describe("the JSON report's round trips", () => {
  it("lists every round trip up to the limit, and says so", () => {
    const report = reportOf(records);
    expect(report.records).toMatchObject({ total: 240, limit: 10_000, held: "all" });
    expect(report.roundTrips).toHaveLength(240);
    expect(report.failureSample).toBeUndefined();
    validReport(report);
    expect(validReport.errors ?? []).toEqual([]);
  });

  it("past the limit holds per-second aggregates per phase and the failures, and judges the same", () => {
    const all = reportOf(records);
    const report = reportOf(records, 100);
    expect(report.records).toMatchObject({ total: 240, limit: 100, held: "aggregates" });
    expect(report.roundTrips).toEqual([]);
    expect(report.failureSample?.map((r) => r.seq)).toEqual(records.filter((r) => !r.ok).map((r) => r.seq));
    expect(report.perSecond).toEqual(all.perSecond);
    expect(report.phases).toEqual(all.phases);
    expect(report.thresholds).toEqual(all.thresholds);
    const injection = report.perSecond?.injection ?? [];
    expect(injection).toHaveLength(40);
    expect(injection[0]).toEqual({
      at: new Date(T0 + 10_000).toISOString(),
      count: 4,
      ok: 2,
      failed: { timeout: 2 },
      p50: 503,
      p90: expect.any(Number),
      p99: expect.any(Number),
      max: expect.any(Number),
    });
    for (const phase of PHASES) {
      const seconds = report.perSecond?.[phase] ?? [];
      expect(seconds.reduce((a, s) => a + s.count, 0)).toBe(report.phases[phase].count);
      expect(seconds.reduce((a, s) => a + s.ok, 0)).toBe(report.phases[phase].successes);
    }
    validReport(report);
    expect(validReport.errors ?? []).toEqual([]);
    // The terminal chart draws each second's slowest round trip instead.
    expect(renderChart(report)).toMatch(/ ms [┼┤][\s\S]*▀ = fault injected/);
  });

  it("keeps an evenly spread sample of failures, the first always, however many there are", () => {
    const store = new RoundTripStore(10);
    for (let seq = 1; seq <= 50_000; seq++) store.add(rt(seq, { seq, ok: seq % 5 !== 0 }));
    const sample = store.failureSample();
    expect(sample.length).toBeLessThanOrEqual(FAILURE_SAMPLE_SIZE);
    expect(sample.length).toBeGreaterThan(FAILURE_SAMPLE_SIZE / 2);
    expect(sample[0]?.seq).toBe(5);
    const steps = new Set(sample.slice(1).map((r, i) => r.seq - (sample[i] as RoundTripRecord).seq));
    expect(steps.size).toBe(1);
    expect(sample.at(-1)?.seq).toBeGreaterThan(45_000);
  });

  it("drops a line read twice, and counts it", () => {
    const builder = new TimelineBuilder({ holdLimit: 5 });
    for (const r of [...records, ...records.slice(0, 30)]) builder.add(line(r));
    const t = builder.build(faultWindow(spec), degradedThreshold(800));
    expect(t.duplicateLines).toBe(30);
    expect(t.roundTripCount).toBe(240);
  });
});

describe("percentiles", () => {
  it("never put a phase's or a second's p99 above its max, in the JSON and the Markdown", () => {
    // The baseline's slowest round trip takes 520.5 ms: a histogram's bucket for it reaches 520.7.
    const report = reportOf(records.map((r, i) => (i === 5 ? { ...r, rttMs: 520.5 } : r)));
    for (const phase of PHASES) {
      const l = report.phases[phase].latency;
      expect(l && l.p99 <= l.max).toBe(true);
      for (const s of report.perSecond?.[phase] ?? []) expect(s.p99).toBeLessThanOrEqual(s.max);
    }
    expect(report.phases.baseline.latency).toMatchObject({ p99: 520.5, max: 520.5 });
    const row = renderReport("markdown", report)
      .split("\n")
      .find((l) => l.startsWith("| baseline"));
    expect(row).toContain("| 520.5 | 520.5 |");
  });
});
