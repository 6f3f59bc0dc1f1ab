// Colour follows the conventions (FORCE_COLOR, NO_COLOR, TERM=dumb, not a terminal), the spinner
// needs a live terminal of known width, and tables and prose fit the width they are given.
import { describe, expect, it } from "vitest";
import { fitTable, widthOf } from "../src/render/layout.js";
import { colorLevel, isLiveTerminal, outputWidth } from "../src/render/style.js";
import { wrapProse } from "../src/render/wrap.js";

const tty = { isTTY: true, columns: 80 };
const pipe = { isTTY: false };

describe("colour", () => {
  it.each([
    ["a terminal", tty, {}, 1],
    ["a pipe", pipe, {}, 0],
    ["NO_COLOR on a terminal", tty, { NO_COLOR: "1" }, 0],
    ["an empty NO_COLOR", tty, { NO_COLOR: "" }, 1],
    ["TERM=dumb", tty, { TERM: "dumb" }, 0],
    ["FORCE_COLOR on a pipe", pipe, { FORCE_COLOR: "1" }, 1],
    ["FORCE_COLOR=3 over NO_COLOR", pipe, { FORCE_COLOR: "3", NO_COLOR: "1" }, 3],
    ["FORCE_COLOR=0 on a terminal", tty, { FORCE_COLOR: "0" }, 0],
  ] as const)("%s gives level %s", (_name, stream, env, level) => {
    expect(colorLevel(stream, env)).toBe(level);
  });

  it("runs a spinner only on a live terminal of known width, outside CI, not dumb", () => {
    expect(isLiveTerminal(tty, {})).toBe(true);
    expect(isLiveTerminal({ isTTY: true, columns: 0 }, {})).toBe(false);
    expect(isLiveTerminal(tty, { TERM: "dumb" })).toBe(false);
    expect(isLiveTerminal(tty, { CI: "true" })).toBe(false);
    expect(isLiveTerminal(pipe, {})).toBe(false);
  });

  it("lays out for the terminal's width, else COLUMNS, else 80 on a terminal and on a pipe alike", () => {
    expect(outputWidth({ isTTY: true, columns: 60 }, {})).toBe(60);
    expect(outputWidth({ isTTY: true, columns: 0 }, {})).toBe(80);
    expect(outputWidth(pipe, { COLUMNS: "50" })).toBe(50);
    expect(outputWidth(pipe, { COLUMNS: "wide" })).toBe(80);
    expect(outputWidth(pipe, {})).toBe(80);
  });
});

describe("layout", () => {
  const headers = ["phase", "round trips", "ok", "timeouts", "errors", "p50 ms", "p90 ms", "p99 ms", "max ms", "shift"];
  const rows = ["baseline", "injection", "recovery"].map((p) => [
    p,
    "120",
    "120",
    "0",
    "0",
    "5.1",
    "9.9",
    "12.0",
    "14.2",
    "+0.0",
  ]);

  it("keeps a table that fits as it is", () => {
    const table = fitTable(headers, rows, 200);
    expect(table.split("\n")[1]).toMatch(/│ phase\s+│ round trips/);
  });

  it("turns a table that does not fit on its side", () => {
    const table = fitTable(headers, rows, 60);
    expect(widthOf(table)).toBeLessThanOrEqual(60);
    expect(table.split("\n")[1]).toMatch(/│ phase\s+│ baseline\s+│ injection\s+│ recovery\s+│/);
  });

  it("never swaps to a wider form: a narrow table wider than the terminal keeps its form, its cells wrapped", () => {
    // compare's shape: few rows, long cells; on its side it would be wider still.
    const narrow = ["phase", "BASE", "RUN"];
    const cells = [
      ["failed", "100.0% (79.6% to 100.0%)", "0.0% (0.0% to 20.4%)"],
      ["p50", "501.0 ms (500.2 to 501.9 ms)", "8.1 ms (7.0 to 9.3 ms)"],
      ["p90", "502.0 ms (501.2 to 503.9 ms)", "10.1 ms (9.0 to 12.3 ms)"],
      ["p99", "503.0 ms (501.2 to 509.9 ms)", "12.1 ms (10.0 to 15.3 ms)"],
      ["count", "29", "29"],
    ];
    for (const width of [60, 45]) {
      const table = fitTable(narrow, cells, width);
      expect(widthOf(table), table).toBeLessThanOrEqual(width);
      expect(table.split("\n")[1]).toMatch(/│ phase\s+│ BASE\s+│ RUN\s+│/);
      // Every word is still there, wrapped rather than cut.
      for (const word of ["100.0%", "(79.6%", "503.0", "(10.0"]) expect(table).toContain(word);
    }
  });

  it("wraps prose at spaces and leaves drawn lines alone", () => {
    const prose = "one two three four five six seven eight nine ten eleven twelve";
    const drawn = "─".repeat(70);
    const wrapped = wrapProse(`${prose}\n${drawn}`, 20).split("\n");
    expect(wrapped.at(-1)).toBe(drawn);
    expect(wrapped.slice(0, -1).every((l) => l.length <= 20)).toBe(true);
    expect(wrapped.slice(0, -1).join(" ").replace(/\s+/g, " ")).toBe(prose);
  });
});
