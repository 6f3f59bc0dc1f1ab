// The verdict's sentence read against the phase table: a headline that says "all round trips
// succeeded" over a table with failures says the opposite of the report it heads.
import { expect } from "vitest";
import { formatRate } from "../../src/engine/figures.js";
import type { Report } from "../../src/engine/report.js";

/** `text`: a rendered summary, Markdown or HTML, unwrapped to one line per paragraph. */
export function expectHeadlineAgreesWithTable(text: string, report: Report, noun = "round trips"): void {
  const inj = report.phases.injection;
  const failed = inj.count - inj.successes;
  const errors = Object.values(inj.errors).reduce((a, b) => a + (b ?? 0), 0);
  // The table's own columns: every round trip is ok, a timeout or an error.
  expect(inj.successes + inj.timeouts + errors).toBe(inj.count);
  if (failed === 0) {
    expect(text).toContain(`all ${noun} succeeded`);
    return;
  }
  expect(text).not.toContain(`all ${noun} succeeded`);
  if (errors === 0 && inj.timeouts === failed && text.includes(`of ${noun} timed out at`)) {
    expect(text).toContain(
      `${formatRate(failed / inj.count)} of ${noun} timed out at ${report.parameters.readTimeoutMs} ms`,
    );
    return;
  }
  const m = text.match(new RegExp(`(\\d+) of (\\d+) ${noun} \\(([\\d.]+%)\\) failed: ([^;:<]*)`));
  expect(m, `no "N of M ${noun} failed" in: ${text}`).not.toBeNull();
  const [, n, of, share, how = ""] = m as RegExpMatchArray;
  expect(Number(n)).toBe(failed);
  expect(Number(of)).toBe(inj.count);
  expect(share).toBe(formatRate(failed / inj.count));
  // Each kind's count, summed, is every failure the table counts.
  const byKind = how.split(", ").map((part) => Number(part.match(/^(\d+) /)?.[1]));
  expect(byKind.every(Number.isInteger), how).toBe(true);
  expect(byKind.reduce((a, b) => a + b, 0)).toBe(failed);
  if (inj.successes > 0) expect(text).toContain(`the other ${inj.successes} succeeded`);
}
