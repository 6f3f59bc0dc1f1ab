// Reading a fault's field from a flag or an experiment file, shared by the kinds: each refusal
// names where the value came from and what is allowed (exit 2), as every other input's does.
import { parseMilliseconds } from "../../durations.js";
import { badInput } from "../../errors.js";
import type { Given } from "../fault.js";
import { humanMs, quoted } from "../limits.js";

/** Whole milliseconds from `min` to `max` (a duration with a unit is taken too: "1.5s"). */
export function readMs(given: Given | undefined, fallback: number, limit: { min: number; max: number; why: string }) {
  if (!given) return fallback;
  const parsed = parseMilliseconds(given.where, given.text, Number.POSITIVE_INFINITY);
  if (parsed < limit.min || parsed > limit.max || !Number.isInteger(parsed)) {
    throw badInput(
      `${given.where} ${quoted(given.text)} is out of range: expected whole milliseconds from ${humanMs(limit.min)} to ${humanMs(limit.max)} (${limit.why})`,
    );
  }
  return parsed;
}

/** A number in decimal digits (no sign, exponent or hex), within [min, max] (or above min). */
export function readNumber(
  given: Given | undefined,
  fallback: number,
  rule: { min: number; max: number; aboveMin?: boolean; integer?: boolean; what: string },
): number {
  if (!given) return fallback;
  const text = given.text.trim().replace(/%$/, "");
  const value = Number(text);
  const range = `${rule.aboveMin ? `more than ${rule.min}` : `from ${rule.min}`} ${rule.aboveMin ? "and at most" : "to"} ${rule.max}`;
  const pattern = rule.integer ? /^\d{1,10}$/ : /^(\d{1,10}(\.\d{1,6})?|\.\d{1,6})$/;
  if (!pattern.test(text) || value < rule.min || value > rule.max || (rule.aboveMin && value === rule.min)) {
    throw badInput(`${given.where} ${quoted(given.text)} is not valid: expected ${rule.what} ${range}`);
  }
  return value;
}

/** One of a fixed set of names, spelt exactly. */
export function readChoice<T extends string>(given: Given | undefined, fallback: T, choices: readonly T[]): T {
  if (!given) return fallback;
  if (!(choices as readonly string[]).includes(given.text)) {
    throw badInput(`${given.where} ${quoted(given.text)} is not valid: expected one of ${choices.join(", ")}`);
  }
  return given.text as T;
}

/** The JSON Schema of a time with its unit, as the file's other times are written. */
export const TIME_SCHEMA = {
  type: "string",
  pattern: "^\\s*\\d+(\\.\\d+)?\\s*(ms|s|m)\\s*$",
  description: "a time with its unit: 300ms, 1.5s (whole milliseconds)",
};
