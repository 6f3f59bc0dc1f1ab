// Commands run in the context cli.ts hands them (context.ts), never in `process`: so a test runs a
// command on in-memory streams, and only cli.ts and the signal installer decide about the process.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { reportCommand } from "../src/commands/report.js";
import { synthCommand } from "../src/commands/synth.js";
import { EXIT } from "../src/errors.js";
import { memoryOutput, testContext } from "./support/context.js";

const COMMANDS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../src/commands");

/** `process.x`, `process[...]`, `globalThis.process` or node:process, outside comments. */
const TOUCHES_PROCESS = /\bprocess\s*(\.|\[)|globalThis\s*\.\s*process\b|["']node:process["']/;

function codeLines(file: string): { line: number; text: string }[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .map((text, i) => ({ line: i + 1, text: text.replace(/\/\/.*$/, "") }))
    .filter(({ text }) => !/^\s*(\*|\/\*)/.test(text));
}

describe("the command context", () => {
  it("is the only way a command reaches the world: no file under src/commands touches process", () => {
    const files = readdirSync(COMMANDS).filter((f) => f.endsWith(".ts"));
    expect(files.length).toBeGreaterThan(10);
    const offences = files.flatMap((f) =>
      codeLines(path.join(COMMANDS, f))
        .filter(({ text }) => TOUCHES_PROCESS.test(text))
        .map(({ line, text }) => `${f}:${line}: ${text.trim()}`),
    );
    expect(offences).toEqual([]);
  });

  it("the rule catches what it is meant to, and not the word in prose", () => {
    expect(TOUCHES_PROCESS.test("const w = process.stdout;")).toBe(true);
    expect(TOUCHES_PROCESS.test('const e = process["env"];')).toBe(true);
    expect(TOUCHES_PROCESS.test("globalThis.process.exit(1)")).toBe(true);
    expect(TOUCHES_PROCESS.test('import { env } from "node:process";')).toBe(true);
    expect(TOUCHES_PROCESS.test('import { spawn } from "node:child_process";')).toBe(false);
    expect(TOUCHES_PROCESS.test("before any process, port or AWS call")).toBe(false);
  });

  it("lets a test read what a command wrote, with no spy on process.stdout", () => {
    const ctx = testContext();
    expect(synthCommand(ctx)).toBe(EXIT.passed);
    expect(JSON.parse(ctx.stdout.text())).toHaveProperty("Resources");
    expect(ctx.stderr.text()).toBe("");
  });

  it("colours and lays out for the context's environment and stream, not the process's", async () => {
    const report = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "fixtures/timeout-local.report.json");
    const plain = testContext({ env: { COLUMNS: "60" } });
    const coloured = testContext({ env: { FORCE_COLOR: "1", COLUMNS: "60" } });
    const wide = testContext({ stdout: Object.assign(memoryOutput(), { isTTY: true, columns: 120 }), env: {} });
    for (const ctx of [plain, coloured, wide]) expect(await reportCommand(ctx, report, {})).toBe(EXIT.passed);
    const ESC = String.fromCharCode(27);
    expect(plain.stdout.text()).not.toContain(ESC);
    expect(coloured.stdout.text()).toContain(`${ESC}[`);
    const longest = (text: string) => Math.max(...text.split("\n").map((l) => l.length));
    expect(longest(plain.stdout.text())).toBeLessThanOrEqual(60);
    // A terminal gets colour without being told.
    expect(wide.stdout.text()).toContain(`${ESC}[`);
  });
});
