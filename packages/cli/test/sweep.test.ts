// The sweep's pure logic against a fake experiment runner: levels as written, the order they run
// in, re-runs, bisection, early stop, the time budget, the break point and the CI gate.
import { describe, expect, it } from "vitest";
import { FAULT_KINDS, type SweepableField } from "../src/engine/fault.js";
import { EXIT_FOR } from "../src/engine/outcome.js";
import {
  bisectionSteps,
  breakPointOf,
  gateOf,
  type LevelOutcome,
  type LevelRunner,
  maxLevelRuns,
  runSweep,
  type SweepSettings,
  sweepExitCode,
} from "../src/engine/sweep.js";
import { parseLevels } from "../src/engine/sweep-levels.js";
import { EXIT } from "../src/errors.js";

const delay = FAULT_KINDS.latency.fields.delay?.sweep as SweepableField;
const ms = (level: number) => `${level} ms`;

/** A system that holds below `breaksAt`, with outcomes overridden per level (a queue per level). */
function fakeSystem(breaksAt: number, overrides: Record<number, LevelOutcome[]> = {}, elapsedMs = 60_000) {
  const calls: { level: number; purpose: string; attempt: number }[] = [];
  const runner: LevelRunner<string> = async (level, run) => {
    calls.push({ level, ...run });
    const queue = overrides[level];
    const outcome =
      queue && queue.length > 0 ? (queue.shift() as LevelOutcome) : level >= breaksAt ? "failed" : "passed";
    return { outcome, elapsedMs, result: `report of ${level}` };
  };
  return { runner, calls, levels: () => calls.map((c) => c.level) };
}

const settings = (over: Partial<SweepSettings> = {}): SweepSettings => ({
  levels: [100, 200, 400, 800],
  step: 1,
  allLevels: false,
  levelMs: 60_000,
  format: ms,
  ...over,
});

describe("sweep levels", () => {
  it("reads a list in the field's own units, sorted and without repeats", () => {
    expect(parseLevels("--delay", "400ms,100,1s,100ms", delay)).toEqual([100, 400, 1000]);
  });

  it("doubles a range from its start and ends on its end", () => {
    expect(parseLevels("--delay", "100ms..1600ms", delay)).toEqual([100, 200, 400, 800, 1600]);
    expect(parseLevels("--delay", "100ms..1s", delay)).toEqual([100, 200, 400, 800, 1000]);
  });

  it("spaces a range evenly with steps, rounded to whole milliseconds", () => {
    expect(parseLevels("--delay", "100ms..200ms", delay, 4)).toEqual([100, 133, 167, 200]);
  });

  it("takes the experiment file's list", () => {
    expect(parseLevels("sweep.levels", ["200ms", "100ms"], delay)).toEqual([100, 200]);
  });

  it("refuses what it cannot sweep, naming the input and what is allowed", () => {
    expect(() => parseLevels("--delay", "0ms..800ms", delay)).toThrow(/cannot double: start above 0, or give --steps/);
    expect(() => parseLevels("--delay", "800ms..100ms", delay)).toThrow(/must go up/);
    expect(() => parseLevels("--delay", "100ms,,200ms", delay)).toThrow(/empty level/);
    expect(() => parseLevels("--delay", "100ms,200ms", delay, 3)).toThrow(/--steps 3 applies to a range/);
    expect(() => parseLevels("--delay", "1ms..2ms", delay, 1)).toThrow(/from 2 to 40/);
    expect(() => parseLevels("--delay", "1ms..100000ms", delay, 41)).toThrow(/from 2 to 40/);
    expect(() => parseLevels("--delay", "abc,100ms", delay)).toThrow(/--delay "abc" is not milliseconds/);
    expect(() => parseLevels("--delay", "100ms..700000ms", delay)).toThrow(/too long/);
  });
});

describe("a sweep", () => {
  it("goes up, stops after the first break and narrows down to the precision", async () => {
    const system = fakeSystem(450);
    const result = await runSweep(settings({ bisect: 25 }), system.runner);
    expect(system.levels()).toEqual([100, 200, 400, 800, 600, 500, 450, 425]);
    expect(result.breakPoint).toEqual({ held: 425, broke: 450 });
    expect(result.runs.filter((r) => r.purpose === "bisection").map((r) => r.level)).toEqual([600, 500, 450, 425]);
    expect(result.end).toBe("completed");
  });

  it("without --bisect reports the two listed levels around the break", async () => {
    const system = fakeSystem(450, {}, 1);
    const result = await runSweep(settings({ levels: [100, 200, 400, 800, 1600] }), system.runner);
    expect(system.levels()).toEqual([100, 200, 400, 800]);
    expect(result.breakPoint).toEqual({ held: 400, broke: 800 });
    expect(result.skipped).toEqual([1600]);
    expect(result.notes.join()).toMatch(
      /1600 ms not run: the hypothesis already broke below \(--all-levels runs them\)/,
    );
  });

  it("runs every level with --all-levels, bisecting only the first break", async () => {
    const system = fakeSystem(450);
    const result = await runSweep(
      settings({ levels: [100, 400, 800, 1600], allLevels: true, bisect: 100 }),
      system.runner,
    );
    expect(system.levels()).toEqual([100, 400, 800, 600, 500, 1600]);
    expect(result.breakPoint).toEqual({ held: 400, broke: 500 });
    expect(result.skipped).toEqual([]);
  });

  it("re-runs an inconclusive level once and judges it by the re-run", async () => {
    const system = fakeSystem(450, { 400: ["inconclusive"] });
    const result = await runSweep(settings(), system.runner);
    expect(system.calls.filter((c) => c.level === 400)).toEqual([
      { level: 400, purpose: "listed", attempt: 1 },
      { level: 400, purpose: "listed", attempt: 2 },
    ]);
    expect(result.breakPoint).toEqual({ held: 400, broke: 800 });
  });

  it("never places the break point on a level inconclusive twice", async () => {
    const system = fakeSystem(450, { 400: ["inconclusive", "inconclusive"] });
    const result = await runSweep(settings(), system.runner);
    expect(result.breakPoint).toEqual({ held: 200, broke: 800 });
    expect(result.notes.join()).toMatch(/400 ms was inconclusive twice: no break point is placed on it/);
  });

  it("bisects across an inconclusive level, and stops narrowing where the bisection meets one", async () => {
    const system = fakeSystem(450, { 400: ["inconclusive", "inconclusive"], 500: ["inconclusive", "inconclusive"] });
    const result = await runSweep(settings({ bisect: 25 }), system.runner);
    // 200 held and 800 broke: 500 is the first midpoint; inconclusive twice, narrowing stops there.
    expect(system.levels()).toEqual([100, 200, 400, 400, 800, 500, 500]);
    expect(result.breakPoint).toEqual({ held: 200, broke: 800 });
    expect(result.notes.join()).toMatch(
      /the bisection stopped at 500 ms \(inconclusive\): the break lies between 200 ms and 800 ms/,
    );
  });

  it("cannot bisect when the lowest level already breaks, and says what to do", async () => {
    const system = fakeSystem(50);
    const result = await runSweep(settings({ bisect: 10 }), system.runner);
    expect(system.levels()).toEqual([100]);
    expect(result.breakPoint).toEqual({ held: null, broke: 100 });
    expect(result.notes.join()).toMatch(/the lowest level run, 100 ms, already broke: sweep lower levels/);
  });

  it("holds everywhere: no break point, every level run", async () => {
    const system = fakeSystem(10_000);
    const result = await runSweep(settings({ bisect: 10 }), system.runner);
    expect(system.levels()).toEqual([100, 200, 400, 800]);
    expect(result.breakPoint).toEqual({ held: 800, broke: null });
  });

  it("stops at once when a level is interrupted or the environment fails", async () => {
    for (const ending of ["interrupted", "error"] as const) {
      const system = fakeSystem(450, { 200: [ending] });
      const result = await runSweep(settings({ bisect: 25 }), system.runner);
      expect(system.levels()).toEqual([100, 200]);
      expect(result.end).toBe(ending);
      expect(result.skipped).toEqual([400, 800]);
      expect(result.breakPoint).toEqual({ held: 100, broke: null });
    }
    const during = fakeSystem(450, { 600: ["interrupted"] });
    const result = await runSweep(settings({ bisect: 25 }), during.runner);
    expect(during.levels()).toEqual([100, 200, 400, 800, 600]);
    expect(result.end).toBe("interrupted");
    expect(result.breakPoint).toEqual({ held: 400, broke: 800 });
  });

  it("starts no level that would not end within --max-duration", async () => {
    const system = fakeSystem(450);
    // Each level takes a minute: three fit in 3.5 minutes, a fourth would not.
    const result = await runSweep(settings({ bisect: 25, maxDurationMs: 210_000 }), system.runner);
    expect(system.levels()).toEqual([100, 200, 400]);
    expect(result.end).toBe("capped");
    expect(result.skipped).toEqual([800]);
    expect(result.notes.join()).toMatch(/800 ms not run: --max-duration leaves no time for them/);
  });

  it("says when a level above the break held: the curve is not monotonic", async () => {
    const system = fakeSystem(450, { 800: ["passed"] });
    const result = await runSweep(settings({ levels: [100, 400, 500, 800], allLevels: true }), system.runner);
    expect(result.breakPoint).toEqual({ held: 400, broke: 500 });
    expect(result.notes.join()).toMatch(/800 ms held above the break at 500 ms: the curve is not monotonic/);
  });
});

describe("the cost said before a sweep", () => {
  it("counts the listed levels and the longest bisection", () => {
    expect(bisectionSteps(400, 25, 1)).toBe(4);
    expect(bisectionSteps(100, 25, 1)).toBe(2);
    expect(bisectionSteps(25, 25, 1)).toBe(0);
    expect(bisectionSteps(3, 0, 1)).toBe(2);
    expect(maxLevelRuns({ levels: [100, 200, 400, 800], bisect: 25, step: 1 })).toEqual({ listed: 4, bisection: 4 });
    expect(maxLevelRuns({ levels: [100, 200], step: 1 })).toEqual({ listed: 2, bisection: 0 });
  });

  it("is never exceeded by a real bisection", async () => {
    for (const breaksAt of [101, 150, 333, 401, 450, 799, 800]) {
      const system = fakeSystem(breaksAt);
      const result = await runSweep(settings({ bisect: 7 }), system.runner);
      const bound = maxLevelRuns({ levels: [100, 200, 400, 800], bisect: 7, step: 1 });
      expect(result.runs.filter((r) => r.purpose === "bisection").length).toBeLessThanOrEqual(bound.bisection);
      const { held, broke } = result.breakPoint;
      expect((broke as number) - (held as number)).toBeLessThanOrEqual(7);
      expect(held as number).toBeLessThan(breaksAt);
      expect(broke as number).toBeGreaterThanOrEqual(breaksAt);
    }
  });
});

describe("the break point, the gate and the exit code", () => {
  const run = (level: number, outcome: LevelOutcome) => ({
    level,
    outcome,
    attempt: 1 as const,
    purpose: "listed" as const,
    elapsedMs: 1,
    result: "",
  });

  it("takes the lowest failure and the highest pass below it; inconclusive levels never count", () => {
    expect(breakPointOf([run(100, "passed"), run(200, "inconclusive"), run(400, "failed")])).toEqual({
      held: 100,
      broke: 400,
    });
    expect(breakPointOf([run(200, "inconclusive"), run(400, "inconclusive")])).toEqual({ held: null, broke: null });
  });

  it("--expect-holds-at: breaks at or below fails, held at or above passes, otherwise it cannot tell", () => {
    expect(gateOf({ held: 400, broke: 450 }, 300)).toBe("holds");
    expect(gateOf({ held: 400, broke: 450 }, 400)).toBe("holds");
    expect(gateOf({ held: 400, broke: 450 }, 450)).toBe("breaks");
    expect(gateOf({ held: 200, broke: 300 }, 300)).toBe("breaks");
    expect(gateOf({ held: 400, broke: 450 }, 420)).toBe("unknown");
    expect(gateOf({ held: 800, broke: null }, 1000)).toBe("unknown");
    expect(gateOf({ held: null, broke: null }, 300)).toBe("unknown");
  });

  it("exits by the gate, and 4, 5, or the environment's code over any gate", () => {
    const done = { end: "completed" as const, runs: [run(100, "passed")] };
    expect(sweepExitCode(done, "holds", false)).toBe(EXIT.passed);
    expect(sweepExitCode(done, "breaks", false)).toBe(EXIT.failed);
    expect(sweepExitCode(done, "unknown", false)).toBe(EXIT_FOR.inconclusive);
    expect(sweepExitCode(done, undefined, false)).toBe(EXIT.passed);
    expect(sweepExitCode({ end: "completed", runs: [run(100, "inconclusive")] }, undefined, false)).toBe(
      EXIT_FOR.inconclusive,
    );
    expect(sweepExitCode({ ...done, end: "interrupted" }, "holds", false)).toBe(EXIT.interrupted);
    expect(sweepExitCode({ ...done, end: "error" }, "holds", false)).toBe(EXIT_FOR.error);
    expect(sweepExitCode({ ...done, end: "interrupted" }, "holds", true)).toBe(EXIT.faultNotRemoved);
  });
});
