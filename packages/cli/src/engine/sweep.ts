// The sweep's logic, pure: run the levels in ascending order (each one whole experiment, through a
// runner the command supplies), re-run an inconclusive level once, narrow down between the last
// level that held and the first that did not (bisection), stop after the first break unless told
// to run every level, keep within a time budget, and decide the break point and a CI gate.
// The break point is only ever placed on levels that were judged passed or failed.
import { EXIT, type ExitCode } from "../errors.js";
import { onGrid } from "./sweep-levels.js";

export type LevelOutcome = "passed" | "failed" | "inconclusive" | "interrupted" | "error";

/** Why a level was run: it was asked for, or the bisection chose it. */
export type LevelPurpose = "listed" | "bisection";

export interface LevelAttempt<R> {
  outcome: LevelOutcome;
  /** How long the level really took (start-up included), for the time budget. */
  elapsedMs: number;
  result: R;
}

export interface LevelRun<R> extends LevelAttempt<R> {
  level: number;
  /** 2 for the re-run of a level whose first run was inconclusive. */
  attempt: 1 | 2;
  purpose: LevelPurpose;
}

export type LevelRunner<R> = (
  level: number,
  run: { purpose: LevelPurpose; attempt: 1 | 2 },
) => Promise<LevelAttempt<R>>;

export interface SweepSettings {
  /** Ascending, without repeats (sweep-levels.ts). */
  levels: number[];
  /** Narrow down until the last held and the first broken level are at most this far apart. */
  bisect?: number;
  /** The smallest difference between two levels of the field (1 ms for a delay). */
  step: number;
  /** Run every listed level, also above the first break. */
  allLevels: boolean;
  /** The planned length of one level (its phases): a level that would not fit the budget is not started. */
  levelMs: number;
  maxDurationMs?: number;
  /** A level for people, in notes ("400 ms"). */
  format?: (level: number) => string;
}

/** How the sweep ended: it ran what it meant to, was stopped, hit an environment error, or ran out of budget. */
export type SweepEnd = "completed" | "interrupted" | "error" | "capped";

/** `held`: the highest level that held below the first break; `broke`: the lowest that did not hold. */
export interface BreakPoint {
  held: number | null;
  broke: number | null;
}

export interface SweepResult<R> {
  runs: LevelRun<R>[];
  end: SweepEnd;
  breakPoint: BreakPoint;
  /** Listed levels not run (above the break without --all-levels, or past the budget). */
  skipped: number[];
  /** What a person should know about how the sweep went (why it stopped narrowing, ...). */
  notes: string[];
}

/** Each level's outcome as judged: its last run's (a re-run replaces an inconclusive first run). */
export function outcomesByLevel<R>(runs: LevelRun<R>[]): Map<number, LevelOutcome> {
  const outcomes = new Map<number, LevelOutcome>();
  for (const run of runs) outcomes.set(run.level, run.outcome);
  return new Map([...outcomes].sort(([a], [b]) => a - b));
}

/** The lowest level that failed, and the highest that passed below it: inconclusive levels never count. */
export function breakPointOf<R>(runs: LevelRun<R>[]): BreakPoint {
  const outcomes = [...outcomesByLevel(runs)];
  const broke = outcomes.find(([, o]) => o === "failed")?.[0] ?? null;
  const held = outcomes.filter(([level, o]) => o === "passed" && (broke === null || level < broke)).at(-1)?.[0] ?? null;
  return { held, broke };
}

/** Most bisection levels a gap can take at this precision (each halves it, rounded to the step). */
export function bisectionSteps(gap: number, precision: number, step: number): number {
  let steps = 0;
  let g = gap;
  while (g > precision && g > step) {
    g = onGrid(Math.ceil(g / 2 / step) * step, step);
    steps += 1;
  }
  return steps;
}

/** The most levels a sweep can run (before re-runs): the listed ones plus the longest bisection. */
export function maxLevelRuns(settings: Pick<SweepSettings, "levels" | "bisect" | "step">): {
  listed: number;
  bisection: number;
} {
  const { levels, bisect, step } = settings;
  let bisection = 0;
  if (bisect !== undefined) {
    for (let i = 1; i < levels.length; i++) {
      bisection = Math.max(bisection, bisectionSteps((levels[i] ?? 0) - (levels[i - 1] ?? 0), bisect, step));
    }
  }
  return { listed: levels.length, bisection };
}

export async function runSweep<R>(settings: SweepSettings, runLevel: LevelRunner<R>): Promise<SweepResult<R>> {
  const format = settings.format ?? String;
  const runs: LevelRun<R>[] = [];
  const notes: string[] = [];
  const judged = new Map<number, LevelOutcome>();
  let usedMs = 0;
  if (settings.levels.length === 1) {
    notes.push(
      `one level, ${format(settings.levels[0] as number)}: it holds or breaks there, but where it breaks lies between levels; give several (a list or a range)`,
    );
  }

  /** One level, re-run once if inconclusive; "capped" when the budget has no room for it. */
  async function judge(level: number, purpose: LevelPurpose): Promise<LevelOutcome | "capped"> {
    for (const attempt of [1, 2] as const) {
      if (settings.maxDurationMs !== undefined && usedMs + settings.levelMs > settings.maxDurationMs) {
        if (attempt === 2) notes.push(`${format(level)} stays inconclusive: no time left to run it again`);
        return "capped";
      }
      const attempted = await runLevel(level, { purpose, attempt });
      usedMs += attempted.elapsedMs;
      runs.push({ level, attempt, purpose, ...attempted });
      judged.set(level, attempted.outcome);
      if (attempted.outcome !== "inconclusive") return attempted.outcome;
      if (attempt === 2) notes.push(`${format(level)} was inconclusive twice: no break point is placed on it`);
    }
    return "inconclusive";
  }

  /** Narrows (highest held below `broke`, `broke`]; returns how the sweep must end, if it must. */
  async function bisect(broke: number): Promise<SweepEnd | undefined> {
    const below = [...judged].filter(([l, o]) => o === "passed" && l < broke).map(([l]) => l);
    if (below.length === 0) {
      notes.push(`the lowest level run, ${format(broke)}, already broke: sweep lower levels to find where it holds`);
      return undefined;
    }
    if (settings.bisect === undefined) return undefined;
    let lo = Math.max(...below);
    let hi = broke;
    while (hi - lo > settings.bisect) {
      const mid = onGrid((lo + hi) / 2, settings.step);
      if (mid <= lo || mid >= hi) break;
      const outcome = await judge(mid, "bisection");
      if (outcome === "passed") lo = mid;
      else if (outcome === "failed") hi = mid;
      else if (outcome === "inconclusive") {
        notes.push(
          `the bisection stopped at ${format(mid)} (inconclusive): the break lies between ${format(lo)} and ${format(hi)}`,
        );
        return undefined;
      } else return outcome === "capped" ? "capped" : outcome;
    }
    return undefined;
  }

  let end: SweepEnd = "completed";
  let skipped: number[] = [];
  let bisected = false;
  const { levels } = settings;
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i] as number;
    if (judged.has(level)) continue;
    const outcome = await judge(level, "listed");
    if (outcome === "capped") {
      end = "capped";
      skipped = levels.slice(i).filter((l) => !judged.has(l));
      break;
    }
    if (outcome === "interrupted" || outcome === "error") {
      end = outcome;
      skipped = levels.slice(i + 1);
      break;
    }
    if (outcome !== "failed" || bisected) continue;
    bisected = true;
    const ended = await bisect(level);
    if (ended) {
      end = ended;
      skipped = levels.slice(i + 1);
      break;
    }
    if (!settings.allLevels && i + 1 < levels.length) {
      skipped = levels.slice(i + 1);
      notes.push(
        `${skipped.map(format).join(", ")} not run: the hypothesis already broke below (--all-levels runs them)`,
      );
      break;
    }
  }
  if (end === "capped" && skipped.length > 0) {
    notes.push(`${skipped.map(format).join(", ")} not run: --max-duration leaves no time for them`);
  }
  const breakPoint = breakPointOf(runs);
  const heldAbove = [...outcomesByLevel(runs)].filter(
    ([l, o]) => o === "passed" && breakPoint.broke !== null && l > breakPoint.broke,
  );
  if (heldAbove.length > 0) {
    notes.push(
      `${heldAbove.map(([l]) => format(l)).join(", ")} held above the break at ${format(breakPoint.broke as number)}: the curve is not monotonic; the break point is the lowest level that failed`,
    );
  }
  return { runs, end, breakPoint, skipped, notes };
}

export type Gate = "holds" | "breaks" | "unknown";

/** `--expect-holds-at X`: breaks at or below X, holds at X (a level at or above it held below any break), or cannot tell. */
export function gateOf(breakPoint: BreakPoint, at: number): Gate {
  if (breakPoint.broke !== null && breakPoint.broke <= at) return "breaks";
  if (breakPoint.held !== null && breakPoint.held >= at) return "holds";
  return "unknown";
}

/**
 * The sweep's exit code. A fault not confirmed removed outranks all; then an interruption, then an
 * environment error; with a gate, its answer; without one, 0 once any level was judged (finding a
 * break is the sweep's job, not a failure), inconclusive when none could be.
 */
export function sweepExitCode<R>(
  result: Pick<SweepResult<R>, "end" | "runs">,
  gate: Gate | undefined,
  faultNotRemoved: boolean,
): ExitCode {
  if (faultNotRemoved) return EXIT.faultNotRemoved;
  if (result.end === "interrupted") return EXIT.interrupted;
  if (result.end === "error") return EXIT.environment;
  if (gate === "holds") return EXIT.passed;
  if (gate === "breaks") return EXIT.failed;
  if (gate === "unknown") return EXIT.inconclusive;
  const judgedAny = result.runs.some((r) => r.outcome === "passed" || r.outcome === "failed");
  return judgedAny ? EXIT.passed : EXIT.inconclusive;
}
