// Commands run in the context cli.ts hands them (context.ts), never in `process`: so a test runs a
// command on in-memory streams, and only cli.ts and the signal installer decide about the process.
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { experimentCheckCommand, experimentInitCommand } from "../src/commands/experiment.js";
import { reportCommand } from "../src/commands/report.js";
import { stopCommand } from "../src/commands/stop.js";
import { synthCommand } from "../src/commands/synth.js";
import { runInContext, sayError } from "../src/context.js";
import { EXIT } from "../src/errors.js";
import { memoryOutput, testContext } from "./support/context.js";
import { tempDir } from "./support/temp-dir.js";

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../src");

/**
 * The modules that may touch `process`: the CLI's entry (cli.ts builds every context from it),
 * what it installs first (startup.ts: the signal handlers and the SDK warning filter), the signal
 * policy (signals.ts), and the app keeper, which is a program of its own (a separate process
 * started with `node app-supervisor.js`, whose `process` is not fislat's).
 */
const MAY_TOUCH_PROCESS = ["cli.ts", "startup.ts", "signals.ts", "local/app-supervisor.ts"];

function sourceFiles(dir: string, under = ""): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    const relative = under ? `${under}/${name}` : name;
    if (statSync(full).isDirectory()) return sourceFiles(full, relative);
    return name.endsWith(".ts") ? [relative] : [];
  });
}

/** `process.x`, `process[...]`, `globalThis.process` or node:process, outside comments (not `./app-process.js`). */
const TOUCHES_PROCESS = /(?<![\w$./-])process\s*(\.|\[)|globalThis\s*\.\s*process\b|["']node:process["']/;

function codeLines(file: string): { line: number; text: string }[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .map((text, i) => ({ line: i + 1, text: text.replace(/\/\/.*$/, "") }))
    .filter(({ text }) => !/^\s*(\*|\/\*)/.test(text));
}

describe("the command context", () => {
  it("is the only way a command reaches the world: only cli.ts and the signal installer touch process", () => {
    const files = sourceFiles(SRC);
    expect(files.filter((f) => f.startsWith("commands/")).length).toBeGreaterThan(10);
    expect(files).toEqual(expect.arrayContaining(MAY_TOUCH_PROCESS));
    const offences = files
      .filter((f) => !MAY_TOUCH_PROCESS.includes(f))
      .flatMap((f) =>
        codeLines(path.join(SRC, f))
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
    expect(TOUCHES_PROCESS.test('import { startApp } from "../local/app-process.js";')).toBe(false);
    expect(TOUCHES_PROCESS.test("kill: (pid) => process.kill(pid)")).toBe(true);
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
    for (const ctx of [plain, coloured, wide]) expect(await reportCommand(ctx, { file: report })).toBe(EXIT.passed);
    const ESC = String.fromCharCode(27);
    expect(plain.stdout.text()).not.toContain(ESC);
    expect(coloured.stdout.text()).toContain(`${ESC}[`);
    const longest = (text: string) => Math.max(...text.split("\n").map((l) => l.length));
    expect(longest(plain.stdout.text())).toBeLessThanOrEqual(60);
    // A terminal gets colour without being told.
    expect(wide.stdout.text()).toContain(`${ESC}[`);
  });

  it("makes AWS clients with the request's --profile and --region, registered with the cleanup owner, the environment untouched", async () => {
    const env = { ...process.env };
    const ctx = testContext({ env: { AWS_REGION: "us-east-1" } });
    const clients = await ctx.aws({ region: "eu-west-3" });
    expect(await clients.fis.config.region()).toBe("eu-west-3");
    expect(ctx.resources.pending()).toEqual(["AWS clients"]);
    expect(process.env).toEqual(env);
    expect(await ctx.resources.releaseAll()).toEqual([]);
    // A profile that does not exist is bad input, said before any client is made.
    const home = { HOME: "/nonexistent", AWS_CONFIG_FILE: "/nonexistent/config" };
    await expect(testContext({ env: home }).aws({ profile: "nosuch" })).rejects.toMatchObject({
      exitCode: EXIT.badInput,
      message: expect.stringMatching(/^no such AWS profile "nosuch" in \/nonexistent\/config/),
    });
  });

  it("releases what a command left held when it returns and when it throws, and says what could not be", async () => {
    const released: string[] = [];
    const stderr = memoryOutput();
    const base = testContext({ stderr });
    const code = await runInContext(base, (ctx) => {
      ctx.resources.add("dynalite", () => released.push("dynalite"));
      ctx.resources.add("proxy", () => {
        throw new Error("port busy");
      });
      return 0;
    });
    expect(code).toBe(0);
    expect(released).toEqual(["dynalite"]);
    expect(stderr.lines()).toEqual(["fislat: could not release proxy: port busy"]);
    const thrown = runInContext(base, (ctx) => {
      ctx.resources.add("probe", () => released.push("probe"));
      throw new Error("AWS refused");
    });
    await expect(thrown).rejects.toThrow("AWS refused");
    expect(released).toEqual(["dynalite", "probe"]);
  });

  it("refuses a command's bad input before it asks the context for AWS clients", async () => {
    const asked: unknown[] = [];
    const ctx = testContext({
      aws: async (settings) => {
        asked.push(settings);
        throw new Error("no client expected");
      },
    });
    await expect(stopCommand(ctx, { ids: [] })).rejects.toMatchObject({ exitCode: EXIT.badInput });
    expect(asked).toEqual([]);
  });

  it("reads and writes relative paths in the context's folder, not the process's", async () => {
    const dir = tempDir("fislat-cwd-");
    const fixture = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "fixtures/timeout-local.report.json");
    copyFileSync(fixture, path.join(dir, "run.json"));
    const ctx = testContext({ cwd: dir });
    expect(await reportCommand(ctx, { file: "run.json", markdown: "run.md" })).toBe(EXIT.passed);
    expect(experimentInitCommand(ctx, { file: "exp.yaml" })).toBe(EXIT.passed);
    expect(readdirSync(dir).sort()).toEqual(["exp.yaml", "run.json", "run.md"]);
    expect(existsSync(path.resolve("exp.json"))).toBe(false);
    expect(existsSync(path.resolve("run.md"))).toBe(false);
    // The file init wrote is the one check reads, from the same folder.
    expect(experimentCheckCommand(ctx, { file: "exp.yaml", local: true })).toBe(EXIT.passed);
    // A .json name gets the same values as JSON, which check reads as strict JSON; other names are refused.
    expect(experimentInitCommand(ctx, { file: "exp.json" })).toBe(EXIT.passed);
    expect(experimentCheckCommand(ctx, { file: "exp.json", local: true })).toBe(EXIT.passed);
    expect(ctx.stdout.text()).toContain("labels:     team=payments");
    expect(() => experimentInitCommand(ctx, { file: "exp.txt" })).toThrow(/ends in \.yaml, \.yml or \.json/);
    expect(() => experimentCheckCommand(ctx, { file: "missing.yaml", local: true })).toThrow(
      /^the experiment file "missing\.yaml": cannot read it \(ENOENT\)$/,
    );
    // A file that is not JSON: the parser's message on one line, its quoted newline escaped.
    writeFileSync(path.join(dir, "bad.json"), "not json\n");
    expect(() => experimentCheckCommand(ctx, { file: "bad.json", local: true })).toThrow(
      /"not json\\n" is not valid JSON/,
    );
    const oneLine = (f: () => unknown) => {
      try {
        f();
      } catch (error) {
        return !(error as Error).message.includes("\n");
      }
      return false;
    };
    expect(oneLine(() => experimentCheckCommand(ctx, { file: "bad.json", local: true }))).toBe(true);
    expect(() => experimentInitCommand(ctx, { file: "no/such/exp.yaml" })).toThrow(
      /"no\/such\/exp\.yaml": the folder "no\/such" does not exist/,
    );
  });

  it("gives every command one shape: the context, then its input (a test seam may follow, defaulted)", async () => {
    const commands: string[] = [];
    for (const file of sourceFiles(path.join(SRC, "commands"))) {
      const module = (await import(path.join(SRC, "commands", file))) as Record<string, unknown>;
      for (const [name, value] of Object.entries(module)) {
        if (!name.endsWith("Command") || typeof value !== "function") continue;
        commands.push(name);
        // Function.length counts the parameters before the first one with a default.
        expect(value.length, name).toBeGreaterThanOrEqual(1);
        expect(value.length, name).toBeLessThanOrEqual(2);
      }
    }
    expect(commands).toEqual(
      expect.arrayContaining(["runCommand", "compareCommand", "configCommand", "doctorCommand"]),
    );
    expect(commands.length).toBeGreaterThanOrEqual(17);
  });

  it("says an error wrapped at spaces on a terminal, and as one line in a pipe", () => {
    const message = "could not write the report /tmp/some/long/folder/report.json: EACCES, permission denied";
    const tty = testContext({ stderr: Object.assign(memoryOutput(), { isTTY: true, columns: 40 }) });
    sayError(tty, message);
    const rows = tty.stderr.lines();
    expect(rows.length).toBeGreaterThan(1);
    for (const row of rows) expect(row.length, row).toBeLessThanOrEqual(40);
    expect(rows.map((r) => r.trim()).join(" ")).toBe(`fislat: ${message}`);
    const pipe = testContext();
    sayError(pipe, message);
    expect(pipe.stderr.lines()).toEqual([`fislat: ${message}`]);
  });
});
