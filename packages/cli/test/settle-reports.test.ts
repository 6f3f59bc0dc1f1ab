// The exit code is decided after the report files are written, and every report states it.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildReport } from "../src/engine/report.js";
import { EXIT } from "../src/errors.js";
import { writeReportsAndSettle } from "../src/reporters/settle-reports.js";
import { runExperimentForReport } from "./support/report.js";
import { tempDir } from "./support/temp-dir.js";

const reportOf = (result: Awaited<ReturnType<typeof runExperimentForReport>>) =>
  buildReport(result, { version: "0.0.0", environment: { kind: "local", target: "t", injector: "i" } });

describe("writeReportsAndSettle", () => {
  it("a report that could not be written: the files that were written state the process's code", async () => {
    const dir = tempDir("fislat-settle-");
    const result = await runExperimentForReport();
    // The recorded run is judged failed; as a pass it shows what a lost report turns a pass into.
    const report = { ...reportOf(result), outcome: "passed" as const, exitCode: EXIT.passed };
    const json = path.join(dir, "report.json");
    const settled = await writeReportsAndSettle(report, result, {
      json,
      junit: path.join(dir, "no-such-folder", "report.xml"),
    });
    expect(settled.code).toBe(EXIT.environment);
    expect(settled.written).toEqual([json]);
    expect(settled.failed.map((f) => f.error)).toEqual(["ENOENT"]);
    expect(report.exitCode).toBe(EXIT.environment);
    expect(JSON.parse(readFileSync(json, "utf8")).exitCode).toBe(EXIT.environment);
  });

  it("every report written: the outcome's code", async () => {
    const dir = tempDir("fislat-settle-");
    const result = await runExperimentForReport();
    const report = reportOf(result);
    const json = path.join(dir, "report.json");
    const settled = await writeReportsAndSettle(report, result, { json });
    expect(settled).toEqual({ code: EXIT.failed, written: [json], failed: [] });
    expect(JSON.parse(readFileSync(json, "utf8")).exitCode).toBe(EXIT.failed);
  });
});
