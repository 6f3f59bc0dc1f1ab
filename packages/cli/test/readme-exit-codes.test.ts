// The README's exit codes are the CLI's: its table, and every place that names a code for a kind of ending.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { EXIT } from "../src/errors.js";

const README = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");

describe("the README's exit codes", () => {
  it("has one table row per code, with the meaning errors.ts gives it", () => {
    const section = README.split(/^### Exit codes$/m)[1]?.split(/^#{2,3} /m)[0] ?? "";
    const rows = [...section.matchAll(/^\| (\d) \| ([^|]+) \|$/gm)].map((m) => [Number(m[1]), m[2]] as const);
    expect(rows.map(([code]) => code)).toEqual(Object.values(EXIT));
    expect(rows[EXIT.inconclusive]?.[1]).toMatch(/^inconclusive/);
    expect(rows[EXIT.environment]?.[1]).toMatch(/^an environment or infrastructure error/);
    // Current documentation, not the history of the codes.
    expect(section).not.toMatch(/before this change|once the exit codes|renumber/i);
  });

  it("names the environment code wherever it speaks of an environment error", () => {
    const named = [...README.matchAll(/exit (\d+) \(an environment error/g)].map((m) => Number(m[1]));
    expect(named.length).toBeGreaterThan(0);
    for (const code of named) expect(code).toBe(EXIT.environment);
    expect(README).not.toMatch(/once the exit codes are renumbered/);
  });

  it("says fislat report exits 0 for a failed run's report, and why", () => {
    expect(README).toMatch(/`fislat report FILE\.json` exits 0 when\s+it read the report and wrote every file/);
  });
});
