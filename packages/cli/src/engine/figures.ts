// One figure, one value: the rounding the report stores and the text every reporter shows for it.
// Times are kept to 0.1 ms and shown in ms with their unit; rates to 0.1 percentage point (0.001)
// and shown as percentages, intervals as "95% CI a to b". The JSON holds exactly what is shown.

/** A count of round trips, lines or events: a whole number, never negative. @asType integer @minimum 0 */
export type Count = number;

/** Rounds to `digits` decimals; non-finite values pass through. */
export function roundTo(v: number, digits: number): number {
  if (!Number.isFinite(v)) return v;
  const f = 10 ** digits;
  // -0 would print as "0" but compare oddly in JSON consumers.
  return Math.round(v * f) / f + 0;
}

/** A time in ms as stored: 0.1 ms (the histogram's and the clock's extra digits are noise). */
export const roundMs = (v: number) => roundTo(v, 1);
/** A rate as stored: 0.001, the 0.1 percentage point shown. */
export const roundRate = (v: number) => roundTo(v, 3);

/** "995.9 ms", "30003 ms"; null: "did not occur". */
export function formatMs(v: number | null | undefined, none = "did not occur"): string {
  if (v === null || v === undefined) return none;
  if (!Number.isFinite(v)) return v > 0 ? "never" : "–";
  return `${roundMs(v)} ms`;
}

/** A latency cell in a table whose header carries the unit ("p99 ms"): the same digits, no unit. */
export function msCell(v: number | null | undefined): string {
  return v === null || v === undefined ? "–" : roundMs(v).toFixed(1);
}

/** "100.0%", "2.6%". */
export function formatRate(v: number | null | undefined, none = "did not occur"): string {
  if (v === null || v === undefined) return none;
  return `${(roundRate(v) * 100).toFixed(1)}%`;
}

/** "95% CI 91.0% to 100.0%". */
export function formatInterval(interval: readonly [number, number]): string {
  return `95% CI ${formatRate(interval[0])} to ${formatRate(interval[1])}`;
}

/** The resolution of a time measured on a schedule: "± 1000 ms". */
export function formatResolution(ms: number): string {
  return `± ${formatMs(ms)}`;
}

export type FigureKind = "time" | "rate" | "count";

/** A figure of a given kind, with its unit. */
export function formatFigure(kind: FigureKind, v: number | null | undefined): string {
  if (kind === "rate") return formatRate(v);
  if (kind === "count") return v === null || v === undefined ? "did not occur" : String(v);
  return formatMs(v);
}

/** Stored precision of a figure of a kind. */
export function roundFigure(kind: FigureKind, v: number): number {
  return kind === "rate" ? roundRate(v) : kind === "count" ? v : roundMs(v);
}
