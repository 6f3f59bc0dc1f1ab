// Durations as people write them: "45s", "5m", "500ms", "1.5s" (the ms library) or ISO 8601
// "PT5M" (iso8601-duration). A bare number is refused: "30" could be seconds or milliseconds.
import { parse as parseIso, toSeconds } from "iso8601-duration";
import ms from "ms";
import { humanMs, quoted, TIMER_MAX_MS } from "./engine/limits.js";
import { badInput } from "./errors.js";

/**
 * `maxMs`: the longest value this caller can take, checked here only when the caller has no
 * range check of its own (the planner checks every value against its limit, with one message).
 */
export function parseDuration(flag: string, value: string, maxMs = TIMER_MAX_MS): number {
  const text = value.trim();
  let result: number | undefined;
  if (/^P/i.test(text)) {
    try {
      result = toSeconds(parseIso(text.toUpperCase())) * 1000;
    } catch {
      result = undefined;
    }
  } else if (text !== "" && !/^[\d.]+$/.test(text)) {
    result = ms(text as ms.StringValue) as number | undefined;
  }
  if (result === undefined || !Number.isFinite(result) || result <= 0) {
    throw badInput(
      `${flag} ${quoted(value)} is not a duration: use a positive number with a unit (500ms, 45s, 5m) or ISO 8601 (PT5M)`,
    );
  }
  // A longer wait does not wait at all: Node fires a timer over 2^31-1 ms after 1 ms.
  if (result > maxMs) throw badInput(`${flag} ${quoted(value)} is too long: ${tooLong(maxMs)}`);
  return result;
}

/** Milliseconds: a plain decimal number, or a duration with a unit; zero is allowed ("0", "0ms"). */
export function parseMilliseconds(flag: string, value: string, maxMs = TIMER_MAX_MS): number {
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) {
    const n = Number(text);
    if (n > maxMs) throw badInput(`${flag} ${quoted(value)} is too long: ${tooLong(maxMs)}`);
    return n;
  }
  if (/^0+(\.0+)?\s*(ms|s|m|h)$/i.test(text)) return 0;
  if (!/^[\d.]+\s*[a-z]+$/i.test(text) && !/^P/i.test(text)) {
    throw badInput(
      `${flag} ${quoted(value)} is not milliseconds: use a whole number (800) or a duration with a unit (800ms, 1s)`,
    );
  }
  return parseDuration(flag, text, maxMs);
}

/** The timer's limit said exactly: rounding 24.86 days up would name a value that is refused. */
const tooLong = (maxMs: number) =>
  maxMs === TIMER_MAX_MS
    ? `at most ${TIMER_MAX_MS} ms (about 24.8 days, the longest a timer waits)`
    : `at most ${humanMs(maxMs)}`;

/** ISO 8601 for FIS and reports, rounded to the second (FIS takes whole seconds or minutes). */
export function toIsoDuration(msValue: number): string {
  const seconds = Math.round(msValue / 1000);
  if (seconds % 60 === 0) return `PT${seconds / 60}M`;
  return `PT${seconds}S`;
}

export function formatDuration(msValue: number): string {
  if (msValue < 1000) return `${Math.round(msValue)} ms`;
  if (msValue < 60_000) return `${(msValue / 1000).toFixed(msValue % 1000 === 0 ? 0 : 1)} s`;
  const m = Math.floor(msValue / 60_000);
  const s = Math.round((msValue % 60_000) / 1000);
  return s === 0 ? `${m} min` : `${m} min ${s} s`;
}
