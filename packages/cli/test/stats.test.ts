// The statistics compare names, checked against values worked by hand and textbook examples.
import { describe, expect, it } from "vitest";
import { mannWhitneyGreater, normalCdf, percentileInterval, proportionGreater } from "../src/engine/stats.js";

describe("the statistics behind fislat compare", () => {
  it("Φ matches the normal table", () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 6);
    expect(normalCdf(1.96)).toBeCloseTo(0.975, 4);
    expect(normalCdf(-1.645)).toBeCloseTo(0.05, 3);
  });

  it("Mann-Whitney U counts how often RUN exceeds BASE, ties as halves, and finds a clear shift", () => {
    // RUN above every BASE value: U = n1*n2; no overlap at all.
    const shifted = mannWhitneyGreater([1, 2, 3, 4, 5, 6, 7, 8], [11, 12, 13, 14, 15, 16, 17, 18]);
    expect(shifted.u).toBe(64);
    expect(shifted.p).toBeLessThan(0.001);
    // Identical samples: U is half of n1*n2 and nothing is significant.
    const same = mannWhitneyGreater([1, 2, 3, 4, 5], [1, 2, 3, 4, 5]);
    expect(same.u).toBe(12.5);
    expect(same.p).toBeGreaterThan(0.4);
    // RUN lower: not "worse".
    expect(mannWhitneyGreater([11, 12, 13, 14, 15], [1, 2, 3, 4, 5]).p).toBeGreaterThan(0.99);
  });

  it("the two-proportion test finds 20 of 40 failures above 0 of 40, and not 1 of 40 above 0 of 40", () => {
    expect(proportionGreater(0, 40, 20, 40).p).toBeLessThan(0.0001);
    expect(proportionGreater(0, 40, 1, 40).p).toBeGreaterThan(0.1);
  });

  it("a percentile's interval comes from order statistics; an end the sample cannot reach is null", () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentileInterval(values, 50)).toEqual([40, 61]);
    expect(percentileInterval(values, 99)).toEqual([97, null]);
  });
});

describe("compare on a report that holds aggregates", () => {
  it("says it cannot compare, and why, instead of counting no round trips", async () => {
    const { readFileSync } = await import("node:fs");
    const { compareReports } = await import("../src/engine/compare.js");
    const report = JSON.parse(readFileSync(new URL("./fixtures/timeout-local.report.json", import.meta.url), "utf8"));
    const big = { ...report, roundTrips: [], records: { total: 30_000, limit: 10_000, held: "aggregates" } };
    const c = compareReports(report, big, { base: "a.json", run: "b.json" });
    expect(c.incomparable).toEqual([
      "RUN holds per-second aggregates, not its 30000 round trips (more than 10000): compare needs every round trip",
    ]);
    expect(c.worse).toBe(false);
  });
});
