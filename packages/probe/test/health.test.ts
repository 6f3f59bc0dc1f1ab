import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type HealthChange, HealthTracker } from "../src/health.js";

describe("HealthTracker", () => {
  let changes: HealthChange[];
  let tracker: HealthTracker;
  beforeEach(() => {
    vi.useFakeTimers();
    changes = [];
    tracker = new HealthTracker(
      30_000,
      (c) => changes.push(c),
      () => Date.now(),
    );
  });
  afterEach(() => {
    tracker.stop();
    vi.useRealTimers();
  });

  it("is healthy while starting, before any round trip", () => {
    expect(tracker.snapshot()).toMatchObject({ status: "starting", consecutiveFailures: 0 });
  });

  it("turns unhealthy exactly when failures have lasted the threshold since the first one started", () => {
    tracker.recordSuccess();
    const firstFailureStart = Date.now();
    vi.advanceTimersByTime(500);
    tracker.recordFailure(firstFailureStart, "timeout 1");
    vi.advanceTimersByTime(5000);
    tracker.recordFailure(Date.now(), "timeout 2");
    vi.advanceTimersByTime(30_000 - 5500 - 1);
    expect(tracker.snapshot().status).toBe("healthy");
    vi.advanceTimersByTime(1);
    expect(tracker.snapshot()).toMatchObject({ status: "unhealthy", consecutiveFailures: 2, lastError: "timeout 2" });
    expect(changes).toEqual([{ healthy: false, failingForMs: 30_000, consecutiveFailures: 2, lastError: "timeout 2" }]);
  });

  it("is healthy again on the first success, and reports that once", () => {
    tracker.recordFailure(Date.now(), "timeout");
    vi.advanceTimersByTime(31_000);
    tracker.recordSuccess();
    tracker.recordSuccess();
    expect(tracker.snapshot()).toMatchObject({ status: "healthy", failingForMs: 0, consecutiveFailures: 0 });
    expect(changes.map((c) => c.healthy)).toEqual([false, true]);
  });

  it("does not flip when a success interrupts the failures", () => {
    tracker.recordFailure(Date.now(), "timeout");
    vi.advanceTimersByTime(20_000);
    tracker.recordSuccess();
    tracker.recordFailure(Date.now(), "timeout");
    vi.advanceTimersByTime(20_000);
    expect(tracker.snapshot().status).toBe("healthy");
    expect(changes).toEqual([]);
  });
});
