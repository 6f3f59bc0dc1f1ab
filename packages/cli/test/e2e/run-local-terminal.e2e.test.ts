// fislat run --local in a person's terminal: Ctrl-C typed on the keyboard (byte 0x03 through a
// pseudo-terminal, not kill) stops the run cleanly while the spinner runs, a second one says what
// is pending, and a terminal that reports 0 columns gets plain lines, not a flood of redraws.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { stripVTControlCharacters } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { ECHO_MS } from "../../src/signals.js";
import { CLI } from "../support/cli.js";
import { isAlive, portRefuses, probePidOf, reportFolder } from "../support/local-run.js";
import { type PtyRun, startInPty } from "../support/pty.js";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
const reports = reportFolder();
const running: PtyRun[] = [];
afterAll(() => {
  for (const r of running) r.driver.kill("SIGKILL");
  reports.remove();
});

// The command, with a health window short enough for a 20 s fault (the planner refuses a
// fault shorter than the window it judges).
const PHASES = [
  "--baseline",
  "3s",
  "--duration",
  "20s",
  "--recovery",
  "3s",
  "--interval",
  "200ms",
  "--health-failure",
  "5s",
];
const CURSOR_UP = "\u001b[1A";
const CTRL_C = "\u0003";

function run(args: string[], size = { columns: 100, rows: 30 }) {
  const r = startInPty(["run", "--local", ...args], size);
  running.push(r);
  return r;
}

describe("fislat run --local in a terminal", () => {
  it("stops on a typed Ctrl-C during the injection: fault removed, report interrupted, exit 4, nothing left", async () => {
    const r = run([...PHASES, "--json", reports.file("ctrl-c")]);
    // The spinner runs (a live terminal) while the fault is on; it must not have taken ISIG away.
    await r.waitFor(/injection [\d.]+ \w+ left/);
    r.type(CTRL_C);
    expect(await r.exit).toBe(4);
    const report = reports.read("ctrl-c");
    expect(report).toMatchObject({ outcome: "interrupted", exitCode: 4, interrupted: { reason: "SIGINT received" } });
    expect(report.fault.removal).toBe("confirmed");
    expect(isAlive(probePidOf(report))).toBe(false);
    const { proxyPort, dynamoPort } = report.environment;
    expect(await portRefuses(proxyPort)).toBe(true);
    expect(await portRefuses(dynamoPort)).toBe(true);
    expect(await portRefuses(report.environment.probe?.port)).toBe(true);
    expect(r.output()).toMatch(/INTERRUPTED/);
  });

  it("says what it is still waiting for on a second Ctrl-C", async () => {
    const r = run([...PHASES, "--json", reports.file("twice")]);
    await r.waitFor(/target: probe pid (\d+)/);
    const probePid = Number(/target: probe pid (\d+)/.exec(r.output())?.[1]);
    await r.waitFor(/fault injected at/);
    // A frozen probe holds the cleanup (it is killed after its stop timeout), so the second
    // Ctrl-C lands while something is still pending.
    process.kill(probePid, "SIGSTOP");
    r.type(CTRL_C);
    await r.waitFor(/SIGINT: removing the fault and stopping/);
    // A person's second press, further apart than the echo of one press that a wrapper relays.
    await new Promise((resolve) => setTimeout(resolve, 2 * ECHO_MS));
    r.type(CTRL_C);
    await r.waitFor(/still stopping, waiting for: \S+/);
    expect(await r.exit).toBe(4);
    expect(isAlive(probePid)).toBe(false);
    expect(reports.read("twice")).toMatchObject({ outcome: "interrupted", exitCode: 4 });
  });

  it("takes one Ctrl-C under `pnpm exec` (the terminal's SIGINT, then pnpm's own SIGTERM) as one press", async () => {
    // As the README runs it: pnpm exec from the checkout. pnpm passes the press on as a SIGTERM
    // of its own some 20 ms after the terminal's SIGINT reached fislat.
    const r = startInPty(
      ["run", "--local", ...PHASES, "--json", reports.file("echo")],
      { columns: 100, rows: 30 },
      {},
      {
        command: ["pnpm", "exec", "fislat"],
        cwd: REPO,
      },
    );
    running.push(r);
    await r.waitFor(/fault injected at/);
    r.type(CTRL_C);
    await r.exit; // pnpm's own code (130): what fislat says is below, and in its report
    expect(r.output()).toMatch(/SIGINT: removing the fault and stopping/);
    expect(r.output()).toMatch(/interrupted \(SIGINT received\); the fault was removed \(exit 4\)/);
    expect(r.output()).not.toMatch(/still stopping/);
    const report = reports.read("echo");
    expect(report).toMatchObject({ outcome: "interrupted", exitCode: 4 });
    expect(isAlive(probePidOf(report))).toBe(false);
  });

  it("wraps its progress lines at spaces to a 60-column terminal, not mid-word", async () => {
    const r = run([...PHASES], { columns: 60, rows: 30 });
    await r.waitFor(/baseline [\d.]+ \w+ left/);
    r.type(CTRL_C);
    expect(await r.exit).toBe(4);
    const shown = stripVTControlCharacters(r.output()).replace(/\r/g, "");
    // The target line (about 100 characters) and the Ctrl-C line (83): each row at most 60, the
    // next row its continuation, indented by two, starting with a whole word.
    for (const start of ["target: probe pid", "SIGINT: stopping;"]) {
      const at = shown.indexOf(start);
      expect(at, shown).toBeGreaterThanOrEqual(0);
      const [first = "", second = ""] = shown.slice(at).split("\n");
      expect(first.length, first).toBeLessThanOrEqual(60);
      expect(first.endsWith(" "), first).toBe(false);
      expect(second, second).toMatch(/^ {2}\S/);
      expect(second.length, second).toBeLessThanOrEqual(60);
    }
    // Whole words on each side of the break: the line reads the same joined.
    expect(shown).toMatch(/target: probe pid \d+ -> latency proxy :\d+ [^\n]*\n {2}\S[^\n]*\(table MyTestTable\)\n/);
  });

  it("wraps a refusal at spaces to a 60-column terminal, and keeps it one line in a pipe", async () => {
    const args = ["--baseline", "1s", "--interval", "1s"];
    const r = run(args, { columns: 60, rows: 30 });
    expect(await r.exit).toBe(2);
    const shown = stripVTControlCharacters(r.output()).replace(/\r/g, "").trimEnd();
    const rows = shown.split("\n");
    expect(rows[0]).toMatch(/^fislat: --baseline 1 s at --interval 1 s gives 0/);
    expect(rows.length, shown).toBeGreaterThan(2);
    for (const row of rows) expect(row.length, row).toBeLessThanOrEqual(60);
    for (const row of rows.slice(1)) expect(row, row).toMatch(/^ {2}\S/);
    // The same words, joined: nothing lost or broken mid-word.
    const joined = rows.map((row) => row.trim()).join(" ");
    const piped = spawnSync(process.execPath, [CLI, "run", "--local", ...args], { encoding: "utf8" });
    expect(piped.status).toBe(2);
    expect(piped.stderr.trimEnd().split("\n")).toEqual([joined]);
  });

  it("prints plain lines, not endless redraws, in a terminal that reports 0 columns", async () => {
    const r = run(
      ["--baseline", "2s", "--duration", "4s", "--recovery", "2s", "--interval", "200ms", "--health-failure", "1s"],
      {
        columns: 0,
        rows: 0,
      },
    );
    const code = await r.exit;
    expect([0, 1]).toContain(code);
    expect(r.output().split(CURSOR_UP).length - 1).toBe(0);
    expect(r.output()).toMatch(/\d{4}-\d\d-\d\dT\S+ \S*injection\S* for 4 s/);
    expect(r.output().length).toBeLessThan(20_000);
    // A local run calls no AWS service: none of the SDK's warnings.
    expect(r.output()).not.toMatch(/AWS SDK|NodeVersionSupportWarning/);
  });
});
