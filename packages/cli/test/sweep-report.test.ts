// The sweep's verdict sentence: the break with its interval and the figures that decided it, at
// both ends, and what it says when there is no break, no hold, or nothing judged.
import { describe, expect, it } from "vitest";
import type { Report, ThresholdReport } from "../src/engine/report.js";
import { type SweepLevelReport, verdictOf } from "../src/engine/sweep-report.js";

const threshold = (
  status: ThresholdReport["status"],
  observed: number,
  interval: [number, number],
): ThresholdReport => ({
  id: "injection.failed: rate<0.05",
  scope: "injection",
  metric: "failed",
  expression: "rate<0.05",
  role: "hypothesis",
  status,
  observed,
  bound: 0.05,
  interval,
  detail: "",
});

const level = (value: number, outcome: SweepLevelReport["outcome"], t?: ThresholdReport): SweepLevelReport => ({
  level: value,
  purpose: "listed",
  attempt: 1,
  outcome,
  elapsedMs: 1,
  report: { thresholds: t ? [t] : [] } as unknown as Report,
});

const ms = (l: number) => `${l} ms`;

describe("the sweep's verdict", () => {
  it("says where it holds and breaks, the interval, and the decisive rate with its 95% interval at both ends", () => {
    const levels = [
      level(400, "passed", threshold("passed", 0, [0, 0.09])),
      level(450, "failed", threshold("failed", 0.38, [0.251, 0.523])),
    ];
    expect(verdictOf({ held: 400, broke: 450 }, levels, ms, "completed")).toBe(
      "holds up to 400 ms (injection.failed 0.0%, 95% CI 0.0% to 9.0%); breaks at 450 ms (injection.failed: rate<0.05 observed 38.0%, 95% CI 25.1% to 52.3%); the break lies above 400 ms and at or below 450 ms (±25 ms)",
    );
  });

  it("says when the lowest level already broke, when none broke, when nothing was judged, and when it was interrupted", () => {
    const broke = [level(100, "failed", threshold("failed", 0.5, [0.3, 0.7]))];
    expect(verdictOf({ held: null, broke: 100 }, broke, ms, "completed")).toMatch(
      /^breaks at 100 ms already, the lowest level judged \(injection.failed: rate<0.05 observed 50.0%.*sweep lower levels/,
    );
    expect(verdictOf({ held: 800, broke: null }, [level(800, "passed")], ms, "completed")).toBe(
      "holds up to 800 ms, the highest level judged: no break found",
    );
    expect(verdictOf({ held: null, broke: null }, [level(100, "inconclusive")], ms, "completed")).toBe(
      "no level could be judged, so there is no break point",
    );
    expect(verdictOf({ held: 800, broke: null }, [level(800, "passed")], ms, "interrupted")).toMatch(
      /\(interrupted: levels not run may change it\)$/,
    );
  });
});
