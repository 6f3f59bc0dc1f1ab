// Wrapping prose at spaces to a width, with no dependency: cli.ts says every error through it, so it
// loads at start-up (layout.ts, with its table library, loads only with what draws tables).
import { stripVTControlCharacters } from "node:util";

/** Characters as a terminal shows them: colour codes take no room. */
export const visibleLength = (s: string) => [...stripVTControlCharacters(s)].length;

const DRAWN = /[─│┼┤├┌┐└┘┬┴╭╮╰╯▀]/;

/**
 * Wraps prose lines longer than `width` at spaces, indenting continuations by two; tables and
 * charts (box-drawing characters) are left alone, since they are already fitted.
 */
export function wrapProse(text: string, width: number): string {
  return text
    .split("\n")
    .flatMap((line) => (DRAWN.test(line) || visibleLength(line) <= width ? [line] : wrapLine(line, width)))
    .join("\n");
}

function wrapLine(line: string, width: number): string[] {
  // An indented line ("     ! a caveat") keeps its indent, and its continuations two more.
  const indent = /^ */.exec(line)?.[0] ?? "";
  const lines: string[] = [];
  let current = indent;
  for (const word of line.slice(indent.length).split(" ")) {
    const candidate = current.trim() === "" ? `${current}${word}` : `${current} ${word}`;
    if (visibleLength(candidate) > width && current.trim() !== "") {
      lines.push(current);
      current = `${indent}  ${word}`;
    } else current = candidate;
  }
  lines.push(current);
  return lines;
}
