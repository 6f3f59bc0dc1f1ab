import { describe, expect, it } from "vitest";
import { delayCdf, sumCdf } from "../src/engine/faults/latency.js";
import { predict, wilsonInterval } from "../src/engine/predict.js";

/** The latency kind's inputs to the model: uniform draws over [800 - 50, 800 + 50). */
const uniform = (readTimeoutMs: number, baseline: number) => ({
  waitCdf: (x: number) => delayCdf(x, 800, 50),
  successMedianAddedMs: 750 + Math.max(0, Math.min(850, readTimeoutMs - baseline) - 750) / 2,
});

const local = (readTimeoutMs: number, baseline = 1) =>
  predict({
    ...uniform(readTimeoutMs, baseline),
    connectionTimeoutMs: readTimeoutMs,
    readTimeoutMs,
    baselineMs: { low: baseline, typical: baseline, high: baseline },
    waitsOnNewConnection: 1,
    connectDelayed: false,
  });

describe("predict", () => {
  it("draws delays uniformly over [delay - jitter, delay + jitter)", () => {
    expect(delayCdf(749, 800, 50)).toBe(0);
    expect(delayCdf(775, 800, 50)).toBeCloseTo(0.25, 10);
    expect(delayCdf(850, 800, 50)).toBe(1);
    expect(delayCdf(799, 800, 0)).toBe(0);
    expect(delayCdf(800, 800, 0)).toBe(1);
  });

  it("predicts every round trip times out at 500 ms and none at 2000 ms", () => {
    expect(local(500).timeoutFraction).toBe(1);
    expect(local(2000).timeoutFraction).toBe(0);
    expect(local(2000).successMedianMs).toBeCloseTo(801, 5);
  });

  it("predicts few timeouts at 850 ms with a 1 ms baseline, and about half at 800 ms", () => {
    expect(local(850).timeoutFraction).toBeCloseTo(0.01, 5);
    expect(local(800).timeoutFraction).toBeCloseTo(0.51, 5);
    // Successes are the draws under the timeout: their median sits low in the range.
    expect(local(800).successMedianMs).toBeCloseTo(1 + 774.5, 5);
  });

  it("on AWS, new connections wait three times and time out more often", () => {
    const aws = predict({
      ...uniform(850, 10),
      connectionTimeoutMs: 850,
      readTimeoutMs: 850,
      baselineMs: { low: 5, typical: 10, high: 20 },
      waitsOnNewConnection: 3,
      connectDelayed: true,
    });
    expect(aws.reusedTimeoutProbability).toBeCloseTo(0.1, 5);
    expect(aws.newTimeoutProbability).toBeGreaterThan(aws.reusedTimeoutProbability);
    expect(aws.timeoutFraction).toBeGreaterThan(0.1);
    expect(aws.timeoutFractionRange[0]).toBeLessThan(aws.timeoutFractionRange[1]);
  });
});

describe("new connections through the local proxy", () => {
  it("add their waits into one silence: the sum of uniform draws (Irwin-Hall)", () => {
    expect(sumCdf(1500, 2, 800, 50)).toBe(0);
    expect(sumCdf(1600, 2, 800, 50)).toBeCloseTo(0.5, 10);
    expect(sumCdf(1650, 2, 800, 50)).toBeCloseTo(0.875, 10);
    expect(sumCdf(1700, 2, 800, 50)).toBe(1);
    expect(sumCdf(2400, 3, 800, 50)).toBeCloseTo(0.5, 10);
  });

  it("time out when the summed silence outlasts the read timeout, and the chain stays there", () => {
    const merged = predict({
      ...uniform(850, 1),
      newConnectionCdf: (x) => sumCdf(x, 3, 800, 50),
      connectionTimeoutMs: 850,
      readTimeoutMs: 850,
      baselineMs: { low: 1, typical: 1, high: 1 },
      waitsOnNewConnection: 3,
      connectDelayed: false,
    });
    expect(merged.newTimeoutProbability).toBe(1);
    expect(merged.timeoutFraction).toBe(1);
  });
});

describe("wilsonInterval", () => {
  it("matches the textbook interval", () => {
    const [lo, hi] = wilsonInterval(5, 10);
    expect(lo).toBeCloseTo(0.2366, 3);
    expect(hi).toBeCloseTo(0.7634, 3);
    expect(wilsonInterval(0, 20)[0]).toBe(0);
    expect(wilsonInterval(0, 0)).toEqual([0, 1]);
  });
});
