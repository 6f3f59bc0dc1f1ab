// Colour and live output for people, none for machines. Colour: FORCE_COLOR wins, then NO_COLOR,
// TERM=dumb and a stream that is not a terminal turn it off. A spinner additionally needs a
// terminal that knows its width and is not CI.
import { Chalk } from "chalk";

type Env = Readonly<Record<string, string | undefined>>;
type Stream = { isTTY?: boolean; columns?: number };

/** chalk's levels: 0 none, 1 16 colours, 2 256, 3 truecolor. */
export function colorLevel(stream: Stream, env: Env): 0 | 1 | 2 | 3 {
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === "0" || force === "false") return 0;
    if (force === "2" || force === "3") return Number(force) as 2 | 3;
    return 1;
  }
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return 0;
  if (env.TERM === "dumb") return 0;
  return stream.isTTY ? 1 : 0;
}

export function makeChalk(stream: Stream, env: Env) {
  return new Chalk({ level: colorLevel(stream, env) });
}

/** A spinner that redraws its line: a terminal of known width, not dumb, not CI. */
export function isLiveTerminal(stream: Stream, env: Env): boolean {
  return Boolean(stream.isTTY) && (stream.columns ?? 0) > 0 && env.TERM !== "dumb" && !env.CI;
}

/**
 * The width to lay out for: the terminal's; else COLUMNS (as shells export it); else 80, for a
 * terminal that reports 0 columns and for a pipe alike (a CI log is read in an 80-column pane as
 * often as not, and the README promises 80).
 */
export function outputWidth(stream: Stream, env: Env): number {
  const columns = stream.isTTY ? (stream.columns ?? 0) : 0;
  if (columns > 0) return columns;
  const fromEnv = Number(env.COLUMNS);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  return 80;
}
