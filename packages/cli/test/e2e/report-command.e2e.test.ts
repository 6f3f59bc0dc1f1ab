// fislat report FILE.json as a user runs it: a recorded report of a real run turned into the other
// formats, its summary printed; a file that is not a report refused (exit 2) before anything is written.
import { copyFileSync, existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EXIT } from "../../src/errors.js";
import { runCli } from "../support/cli.js";
import { reportFolder } from "../support/local-run.js";

const REPORT = new URL("../fixtures/timeout-local.report.json", import.meta.url).pathname;
const folder = reportFolder();
afterAll(() => folder.remove());

describe("fislat report", () => {
  it("writes the HTML, Markdown and JUnit of a JSON report and prints its summary", async () => {
    const html = folder.file("r", "html");
    const md = folder.file("r", "md");
    const xml = folder.file("r", "xml");
    const { code, stdout, stderr } = await runCli(["report", REPORT, "--html", html, "--markdown", md, "--junit", xml]);
    expect(code, stderr).toBe(EXIT.passed);
    expect(stdout).toMatch(/^timeout: the hypothesis held \(exit 0\)$/m);
    expect(stdout).toContain(`report: ${html}`);
    expect(readFileSync(html, "utf8")).toMatch(/<title>fislat timeout: PASSED<\/title>/);
    expect(readFileSync(md, "utf8")).toMatch(/^## ✅ fislat timeout \(local\): PASSED/);
    expect(readFileSync(xml, "utf8")).toMatch(/<testsuites name="fislat"/);
  });

  it("exits 0 for a failed run's report it re-rendered, and says so in --help", async () => {
    const failed = new URL("../fixtures/failed-local.report.json", import.meta.url).pathname;
    const html = folder.file("failed", "html");
    const { code, stdout, stderr } = await runCli(["report", failed, "--html", html]);
    expect(code, stderr).toBe(EXIT.passed);
    // The summary is the run's: it ends with the run's own code.
    expect(stdout).toMatch(/\(exit 1\)/);
    expect(existsSync(html)).toBe(true);
    const help = await runCli(["report", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout.replace(/\s+/g, " ")).toContain(
      "Exit codes: 0 the report was read and every file written, whatever the run's verdict (the summary's \"(exit N)\" is the run's own code, the report's exitCode field",
    );
  });

  it("refuses a file that is not a report, naming it, and writes nothing", async () => {
    const notReport = folder.file("junk", "json");
    writeFileSync(notReport, JSON.stringify({ schemaVersion: 2, tool: "x" }));
    const html = folder.file("never", "html");
    const { code, stderr } = await runCli(["report", notReport, "--html", html]);
    expect(code).toBe(EXIT.badInput);
    expect(stderr).toMatch(/^fislat: report ".*junk\.json": .* \(schemas\/report\.schema\.json\)\n$/);
    expect(existsSync(html)).toBe(false);
    const missing = await runCli(["report", folder.file("nowhere"), "--html", html]);
    expect(missing.code).toBe(EXIT.badInput);
    expect(missing.stderr).toMatch(/cannot read it \(ENOENT\)/);
    // A sweep's report (schemaVersion 1 of its own, kind "sweep") is named for what it is, not as an old run report.
    const sweep = folder.file("sweep", "json");
    writeFileSync(sweep, JSON.stringify({ schemaVersion: 1, kind: "sweep", levels: [] }));
    for (const args of [
      ["report", sweep],
      ["compare", sweep, sweep],
    ]) {
      const refused = await runCli(args);
      expect(refused.code).toBe(EXIT.badInput);
      expect(refused.stderr).toMatch(
        /sweep\.json" is a sweep's report \(fislat sweep --json\), and this command reads one run's report/,
      );
    }
  });

  it.each([
    ["--html", "edge.json"],
    ["--markdown", "./edge.json"],
    ["--junit", "ABSOLUTE"],
    ["--json", "sub/../edge.json"],
  ])("refuses %s %s naming its own input (exit 2) and leaves the input as it was", async (flag, name) => {
    const input = folder.file("edge");
    copyFileSync(REPORT, input);
    mkdirSync(path.join(folder.dir, "sub"), { recursive: true });
    const before = readFileSync(input, "utf8");
    const target = name === "ABSOLUTE" ? input : name;
    // The input named one way (relative), the output another: the same file once resolved.
    const { code, stdout, stderr } = await runCli(["report", "edge.json", flag, target], {}, { cwd: folder.dir });
    expect(code, stderr).toBe(EXIT.badInput);
    expect(stderr).toBe(
      `fislat: ${flag} "${target}" names the report being read, "edge.json" (${realpathSync(input)}): writing the report there would overwrite it; give each report its own file\n`,
    );
    expect(stdout).toBe("");
    expect(readFileSync(input, "utf8")).toBe(before);
  });
});
