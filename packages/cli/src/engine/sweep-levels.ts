// A sweep's levels as people write them: a list ("100ms,200ms,400ms") or a range ("100ms..1600ms",
// doubling from its start unless `steps` asks for that many evenly spaced levels). Pure; each level
// is read by the fault kind's own field parser, so a level means what the fault flag means.
import { badInput } from "../errors.js";
import type { SweepableField } from "./fault.js";
import { quoted } from "./limits.js";

/** More levels than this is a sweep of hours on AWS: refused, with what to write instead. */
export const MAX_LEVELS = 40;

/** Whether a value names several levels (a list or a range) rather than one. */
export const namesLevels = (text: string) => text.includes(",") || text.includes("..");

/** `value` on the field's grid, as a decimal that prints as written (0.3, not 0.30000000000000004). */
export function onGrid(value: number, step: number): number {
  const digits = Math.max(0, Math.ceil(-Math.log10(step)));
  return Number((Math.round(value / step) * step).toFixed(digits));
}

/** A level for people, in its field's unit: "400 ms", "20%", "0.05". */
export function formatLevel(unit: SweepableField["unit"], level: number): string {
  const value = String(level);
  return unit === "ms" ? `${value} ms` : unit === "%" ? `${value}%` : value;
}

/**
 * `text`: "100ms,200ms", "100ms..1600ms", one level, or the file's list. Returns the levels in
 * ascending order without repeats: a sweep always goes up, so the first failure is the lowest.
 */
export function parseLevels(
  where: string,
  text: string | (string | number)[],
  field: SweepableField,
  steps?: number,
): number[] {
  const items = Array.isArray(text) ? text.map(String) : [text];
  if (items.length === 1 && (items[0] ?? "").includes("..")) return rangeLevels(where, items[0] ?? "", field, steps);
  if (steps !== undefined) {
    throw badInput(`--steps ${steps} applies to a range (FROM..TO), not to the list of levels ${where} gives`);
  }
  const parts = items.flatMap((t) => t.split(","));
  if (parts.some((p) => p.trim() === "")) {
    throw badInput(`${where} ${quoted(items.join(","))} has an empty level: write levels as 100ms,200ms,400ms`);
  }
  const levels = [...new Set(parts.map((p) => field.parse(where, p.trim())))].sort((a, b) => a - b);
  return capped(where, levels);
}

function rangeLevels(where: string, text: string, field: SweepableField, steps?: number): number[] {
  const ends = text.split("..");
  if (ends.length !== 2 || ends.some((e) => e.trim() === "")) {
    throw badInput(`${where} ${quoted(text)} is not a range: write FROM..TO, e.g. 100ms..1600ms`);
  }
  const [from, to] = ends.map((e) => field.parse(where, e.trim())) as [number, number];
  if (to <= from) {
    throw badInput(
      `${where} ${quoted(text)}: the range must go up (${formatLevel(field.unit, from)} is not below ${formatLevel(field.unit, to)})`,
    );
  }
  if (steps !== undefined) {
    if (!Number.isInteger(steps) || steps < 2 || steps > MAX_LEVELS) {
      throw badInput(`--steps ${quoted(String(steps))} is not valid: expected a whole number from 2 to ${MAX_LEVELS}`);
    }
    const levels = Array.from({ length: steps }, (_, i) => onGrid(from + ((to - from) * i) / (steps - 1), field.step));
    return capped(where, [...new Set(levels)]);
  }
  if (from <= 0) {
    throw badInput(
      `${where} ${quoted(text)} starts at ${formatLevel(field.unit, from)}, which cannot double: start above 0, or give --steps N for N evenly spaced levels`,
    );
  }
  const levels: number[] = [];
  for (let level = from; level < to; level *= 2) levels.push(onGrid(level, field.step));
  levels.push(to);
  return capped(where, [...new Set(levels)]);
}

function capped(where: string, levels: number[]): number[] {
  if (levels.length > MAX_LEVELS) {
    throw badInput(
      `${where} names ${levels.length} levels; a sweep runs at most ${MAX_LEVELS} (each is a whole experiment): use fewer levels and --bisect to narrow down`,
    );
  }
  return levels;
}
