import { describe, expect, it } from "vitest";
import { delayCdf, predict, wilsonInterval } from "../src/engine/predict.js";

const local = (readTimeoutMs: number, baseline = 1) =>
  predict({
    delayMs: 800,
    jitterMs: 50,
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
      delayMs: 800,
      jitterMs: 50,
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

describe("wilsonInterval", () => {
  it("matches the textbook interval", () => {
    const [lo, hi] = wilsonInterval(5, 10);
    expect(lo).toBeCloseTo(0.2366, 3);
    expect(hi).toBeCloseTo(0.7634, 3);
    expect(wilsonInterval(0, 20)[0]).toBe(0);
    expect(wilsonInterval(0, 0)).toEqual([0, 1]);
  });
});
