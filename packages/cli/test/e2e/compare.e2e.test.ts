// fislat compare as a user runs it: the built CLI over two recorded reports of real local runs
// (test/fixtures), and over one of them with its injection made 100 ms slower.
import { copyFileSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { CANNOT_COMPARE } from "../../src/commands/compare.js";
import type { Report } from "../../src/engine/report.js";
import { EXIT } from "../../src/errors.js";
import { runCli } from "../support/cli.js";
import { reportFolder } from "../support/local-run.js";

const fixture = (name: string) => new URL(`../fixtures/${name}.report.json`, import.meta.url).pathname;
const BASE = fixture("timeout-local");
const folder = reportFolder();
afterAll(() => folder.remove());
/** Piped, the text is laid out for 80 columns: wrapped lines continue indented. */
const unwrap = (text: string) => text.replace(/\n {2,}(?=\S)/g, " ");

/** The same real run with each injection round trip 100 ms slower (still under no timeout rule). */
function slower(): string {
  const report = JSON.parse(readFileSync(BASE, "utf8")) as Report;
  const from = Date.parse(report.fault.startedAt ?? "");
  const to = Date.parse(report.fault.endedAt ?? "");
  report.roundTrips = report.roundTrips.map((r) => {
    const t = Date.parse(r.ts);
    return t >= from && t + r.rttMs <= to ? { ...r, rttMs: r.rttMs + 100 } : r;
  });
  const file = folder.file("slower");
  writeFileSync(file, JSON.stringify(report));
  return file;
}

describe("fislat compare", () => {
  it("exits 0 for a run against itself: nothing is worse than chance", async () => {
    const { code, stdout: out } = await runCli(["compare", BASE, BASE, "--threshold", "injection.rtt:p(99)<base*1.2"]);
    const stdout = unwrap(out);
    expect(code, stdout).toBe(EXIT.passed);
    expect(stdout).toMatch(/method: Mann-Whitney U on round-trip times/);
    expect(stdout).toMatch(/PASS injection\.rtt: p\(99\)<base\*1\.2: RUN 541\.7 ms, bound 650 ms \(BASE 541\.7 ms\)/);
    expect(stdout).toMatch(/RUN is not worse than BASE by more than chance \(exit 0\)/);
  });

  it("exits 1 when RUN's injection is slower, naming the test and the threshold on the base", async () => {
    const run = slower();
    const markdown = folder.file("cmp", "md");
    const html = folder.file("cmp", "html");
    const { code, stdout: out } = await runCli([
      "compare",
      BASE,
      run,
      "--threshold",
      "injection.rtt:p(99)<base*1.1",
      "--markdown",
      markdown,
      "--html",
      html,
    ]);
    const stdout = unwrap(out);
    expect(code, stdout).toBe(EXIT.failed);
    expect(stdout).toMatch(
      /injection: RUN's round trips are slower than BASE's \(Mann-Whitney U, one-sided p [\d.e-]+ < 0\.0083\)/,
    );
    expect(stdout).toMatch(/injection\.rtt: p\(99\)<base\*1\.1 did not hold: RUN 641\.7 ms, bound 595\.9 ms/);
    expect(readFileSync(markdown, "utf8")).toMatch(/^## ❌ fislat compare: WORSE/);
    expect(readFileSync(html, "utf8")).toMatch(/✖<\/span> WORSE/);
  });

  it("--output json prints the comparison alone", async () => {
    const { code, stdout } = await runCli(["compare", BASE, slower(), "--output", "json"]);
    expect(code).toBe(EXIT.failed);
    const c = JSON.parse(stdout);
    expect(c.worse).toBe(true);
    expect(c.phases.find((p: { phase: string }) => p.phase === "injection").latency.worse).toBe(true);
    expect(c.phases.find((p: { phase: string }) => p.phase === "baseline").latency.worse).toBe(false);
  });

  it("exits 3 when the runs had different timeouts, saying so", async () => {
    const { code, stdout } = await runCli(["compare", BASE, fixture("failed-local")]);
    expect(code).toBe(CANNOT_COMPARE);
    expect(unwrap(stdout)).toMatch(/different timeouts: BASE 500\/500 ms, RUN 2000\/500 ms/);
  });

  it("exits 2 for a threshold it cannot read or a file that is not a report, before writing anything", async () => {
    const bad = await runCli(["compare", BASE, BASE, "--threshold", "injection.rtt:p(99)<1.2*base"]);
    expect(bad.code).toBe(EXIT.badInput);
    expect(bad.stderr).toMatch(
      /--threshold "injection.rtt:p\(99\)<1.2\*base" is not SCOPE\.METRIC:AGGREGATION OPERATOR base/,
    );
    const notJson = folder.file("not", "json");
    writeFileSync(notJson, "{}");
    const wrong = await runCli(["compare", BASE, notJson]);
    expect(wrong.code).toBe(EXIT.badInput);
    expect(wrong.stderr).toMatch(/RUN ".*not\.json" is not a fislat report of schema version 2/);
  });

  it("refuses a report flag naming BASE or RUN (exit 2) before writing anything", async () => {
    const base = folder.file("a");
    const run = folder.file("b");
    copyFileSync(BASE, base);
    copyFileSync(BASE, run);
    const before = readFileSync(base, "utf8");
    const own = await runCli(["compare", "a.json", "b.json", "--html", base], {}, { cwd: folder.dir });
    expect(own.code, own.stderr).toBe(EXIT.badInput);
    expect(own.stderr).toBe(
      `fislat: --html "${base}" names the BASE report being read, "a.json" (${realpathSync(base)}): writing the report there would overwrite it; give each report its own file\n`,
    );
    expect(own.stdout).toBe("");
    expect(readFileSync(base, "utf8")).toBe(before);
    const other = await runCli(["compare", base, run, "--markdown", "./b.json"], {}, { cwd: folder.dir });
    expect(other.code, other.stderr).toBe(EXIT.badInput);
    expect(other.stderr).toMatch(/^fislat: --markdown "\.\/b\.json" names the RUN report being read/);
    expect(readFileSync(run, "utf8")).toBe(before);
  });
});
