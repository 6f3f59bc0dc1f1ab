// fislat report FILE.json as a user runs it: a recorded report of a real run turned into the other
// formats, its summary printed; a file that is not a report refused (exit 2) before anything is written.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
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
  });
});
