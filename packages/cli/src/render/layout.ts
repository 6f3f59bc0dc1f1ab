// Fitting terminal output to its width: a table that is too wide for the terminal turns on its
// side (one column per record instead of one row), and a chart gets as many columns as fit.
import Table from "cli-table3";
import { visibleLength } from "./wrap.js";

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
  const wide = render(headers, rows);
  if (widthOf(wide) <= width) return wide;
  const tallHeaders = [headers[0] ?? "", ...rows.map((r) => r[0] ?? "")];
  const tallRows = headers.slice(1).map((h, i) => [h, ...rows.map((r) => r[i + 1] ?? "")]);
  const tall = render(tallHeaders, tallRows);
  if (widthOf(tall) <= width) return tall;
  // Neither fits: the narrower of the two (never a wider one), its cells wrapped to the width.
  return widthOf(tall) < widthOf(wide) ? render(tallHeaders, tallRows, width) : render(headers, rows, width);
}

function render(headers: string[], rows: string[][], width?: number): string {
  const table = new Table({
    head: headers,
    style: BORDERLESS,
    ...(width === undefined ? {} : { colWidths: columnWidths(headers, rows, width), wordWrap: true }),
  });
  for (const row of rows) table.push(row);
  return table.toString();
}

/**
 * Column widths (padding included) that add up, with the borders, to at most `width`: each column
 * its natural width if it fits in an even share of what is left, the rest shared among the others.
 */
function columnWidths(headers: string[], rows: string[][], width: number): number[] {
  const natural = headers.map((h, i) => Math.max(visibleLength(h), ...rows.map((r) => visibleLength(r[i] ?? ""))) + 2);
  let budget = Math.max(headers.length * 6, width - (headers.length + 1));
  const widths = new Array<number>(headers.length).fill(0);
  const open = new Set(natural.keys());
  for (const i of [...open].sort((a, b) => (natural[a] ?? 0) - (natural[b] ?? 0))) {
    const share = Math.floor(budget / open.size);
    widths[i] = Math.max(6, Math.min(natural[i] ?? 0, share));
    budget -= widths[i] ?? 0;
    open.delete(i);
  }
  return widths;
}

/** The y-axis labels and the axis take about 12 columns; the rest is data, within limits. */
export function chartColumns(width: number, preferred: number): number {
  return Math.max(10, Math.min(preferred, width - 13));
}
