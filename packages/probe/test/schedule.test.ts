import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { startFixedRate } from "../src/schedule.js";

describe("startFixedRate", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const now = () => Date.now();

  it("starts tasks on a fixed grid however long each takes, without drift", async () => {
    const starts: number[] = [];
    const origin = Date.now();
    const schedule = startFixedRate(
      100,
      {
        run: async () => {
          starts.push(Date.now() - origin);
          await new Promise((r) => setTimeout(r, 70));
        },
        missed: () => expect.unreachable("no tick should be missed"),
      },
      now,
    );
    await vi.advanceTimersByTimeAsync(1000);
    const stopped = schedule.stop();
    await vi.advanceTimersByTimeAsync(100);
    await stopped;
    expect(starts).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
  });

  it("never runs two tasks at once, and reports each tick that found one running", async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const runs: number[] = [];
    const missed: [number, number][] = [];
    const origin = Date.now();
    const schedule = startFixedRate(
      100,
      {
        run: async (tick) => {
          runs.push(tick);
          inFlight += 1;
          maxInFlight = Math.max(maxInFlight, inFlight);
          await new Promise((r) => setTimeout(r, 250));
          inFlight -= 1;
        },
        missed: (tick, dueAt, total) => {
          missed.push([tick, dueAt - origin]);
          expect(total).toBe(missed.length);
        },
      },
      now,
    );
    await vi.advanceTimersByTimeAsync(650);
    const stopped = schedule.stop();
    await vi.advanceTimersByTimeAsync(300);
    await stopped;
    expect(maxInFlight).toBe(1);
    expect(runs).toEqual([0, 3, 6]);
    expect(missed).toEqual([
      [1, 100],
      [2, 200],
      [4, 400],
      [5, 500],
    ]);
    expect(schedule.missedTicks).toBe(4);
  });

  it("stops scheduling after stop() and waits for the task in flight", async () => {
    let finished = false;
    const run = vi.fn(async () => {
      await new Promise((r) => setTimeout(r, 50));
      finished = true;
    });
    const schedule = startFixedRate(100, { run, missed: () => {} }, now);
    const stopped = schedule.stop();
    await vi.advanceTimersByTimeAsync(500);
    await stopped;
    expect(finished).toBe(true);
    expect(run).toHaveBeenCalledTimes(1);
  });
});
