// Fitting terminal output to its width: a table that is too wide for the terminal turns on its
// side (one column per record instead of one row), and a chart gets as many columns as fit.
import { stripVTControlCharacters } from "node:util";
import Table from "cli-table3";

const BORDERLESS = { head: [] as string[], border: [] as string[] };

/** The widest line of a rendered block, in characters (no colour codes in tables here). */
export function widthOf(text: string): number {
  return Math.max(0, ...text.split("\n").map((line) => [...line].length));
}

/**
 * `headers[0]` names the row label column (e.g. "phase"). Wide: one row per record. Narrow:
 * one row per header, one column per record, which needs far fewer characters per line.
 */
export function fitTable(headers: string[], rows: string[][], width: number): string {
  const wide = new Table({ head: headers, style: BORDERLESS });
  for (const row of rows) wide.push(row);
  const rendered = wide.toString();
  if (widthOf(rendered) <= width) return rendered;
  const tall = new Table({ head: [headers[0] ?? "", ...rows.map((r) => r[0] ?? "")], style: BORDERLESS });
  for (let i = 1; i < headers.length; i++) tall.push([headers[i] ?? "", ...rows.map((r) => r[i] ?? "")]);
  return tall.toString();
}

/** The y-axis labels and the axis take about 12 columns; the rest is data, within limits. */
export function chartColumns(width: number, preferred: number): number {
  return Math.max(10, Math.min(preferred, width - 13));
}

const DRAWN = /[─│┼┤├┌┐└┘┬┴╭╮╰╯▀]/;

/**
 * Wraps prose lines longer than `width` at spaces, indenting continuations by two; tables and
 * charts (box-drawing characters) are left alone, since they are already fitted.
 */
export function wrapProse(text: string, width: number): string {
  return text
    .split("\n")
    .flatMap((line) => (DRAWN.test(line) || visible(line) <= width ? [line] : wrapLine(line, width)))
    .join("\n");
}

const visible = (s: string) => [...stripVTControlCharacters(s)].length;

function wrapLine(line: string, width: number): string[] {
  // An indented line ("     ! a caveat") keeps its indent, and its continuations two more.
  const indent = /^ */.exec(line)?.[0] ?? "";
  const lines: string[] = [];
  let current = indent;
  for (const word of line.slice(indent.length).split(" ")) {
    const candidate = current.trim() === "" ? `${current}${word}` : `${current} ${word}`;
    if (visible(candidate) > width && current.trim() !== "") {
      lines.push(current);
      current = `${indent}  ${word}`;
    } else current = candidate;
  }
  lines.push(current);
  return lines;
}
