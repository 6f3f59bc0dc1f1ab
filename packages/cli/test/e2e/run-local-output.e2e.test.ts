// What fislat run --local prints where it is read by a program or a narrow window: piped output
// is plain (no escape codes) and fits COLUMNS; --output json makes stdout the report alone.
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { reportFolder, SHORT_PHASES } from "../support/local-run.js";

const reports = reportFolder();
afterAll(() => reports.remove());
const ESC = "\u001b";

describe("fislat run --local output", () => {
  it("piped at 60 columns: plain text, every line within 60 columns, the phase table on its side", async () => {
    const { code, stdout, stderr } = await runCli(["run", "--local", ...SHORT_PHASES], { COLUMNS: "60", NO_COLOR: "" });
    expect([0, 1]).toContain(code);
    expect(stdout).not.toContain(ESC);
    expect(stderr).not.toContain(ESC);
    const tooWide = stdout.split("\n").filter((l) => [...l].length > 60);
    expect(tooWide).toEqual([]);
    expect(stdout).toMatch(/│ phase\s+│ baseline\s+│ injection\s+│ recovery\s+│/);
    expect(stdout).toMatch(/▀ = fault injected/);
  });

  it("--output json: stdout is the report as one JSON document, the report file's path on stderr", async () => {
    const file = reports.file("output-json");
    const { code, stdout, stderr } = await runCli([
      "run",
      "--local",
      ...SHORT_PHASES,
      "--output",
      "json",
      "--json",
      file,
    ]);
    const report = JSON.parse(stdout);
    expect(report.exitCode).toBe(code);
    expect(report).toEqual(reports.read("output-json"));
    expect(stderr).toContain(`report: ${file}`);
  });
});
