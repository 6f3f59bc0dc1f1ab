// Experiment files end to end in local mode: the real CLI, dynalite, the real probe and the latency
// proxy. One file whose hypothesis holds, one that cannot hold, one malformed, one inconclusive;
// every report they write is valid against the published report schema.
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { Ajv } from "ajv";
import { afterAll, describe, expect, it } from "vitest";
import type { Report } from "../../src/engine/report.js";
import { EXIT } from "../../src/errors.js";
import { runCli } from "../support/cli.js";
import { isAlive, probePidOf, reportFolder } from "../support/local-run.js";

const reports = reportFolder();
afterAll(() => reports.remove());
const schema = createRequire(import.meta.url)("../../schemas/report.schema.json");
const validReport = new Ajv({ strict: false, validateFormats: false, allErrors: true }).compile(schema);
const expectValid = (report: Report) => {
  validReport(report);
  expect(validReport.errors ?? []).toEqual([]);
};

const SLOW_300 = `
version: 1
name: slow DynamoDB, 300 ms
description: under 300 ms of latency round trips succeed, slower, and nothing times out
fault: { kind: latency, delay: 300ms, jitter: 20ms }
phases: { baseline: 2s, injection: 4s, recovery: 2s }
probe: { connectionTimeout: 1000ms, readTimeout: 1000ms, interval: 200ms, healthFailure: 2s }
hypothesis:
  baseline:
    failed: ["rate==0"]
  injection:
    ok_rtt: ["med>250", "p(99)<800"]
    timeouts: ["rate==0"]
  run:
    recover: ["value<2000"]
labels:
  suite: e2e
`;

function experimentFile(name: string, text: string) {
  const file = path.join(path.dirname(reports.file(name)), `${name}.yaml`);
  writeFileSync(file, text);
  return file;
}

describe("fislat run --local --experiment FILE", () => {
  it("passes (exit 0) when the file's hypothesis holds, with labels in every report", async () => {
    const file = experimentFile("holds", SLOW_300);
    const junit = reports.file("holds", "xml");
    const { code, stdout, stderr } = await runCli([
      "run",
      "--local",
      "--experiment",
      file,
      "--label",
      "commit=abc123",
      "--json",
      reports.file("holds"),
      "--junit",
      junit,
    ]);
    expect(code, `${stdout}\n${stderr}`).toBe(0);
    const report = reports.read("holds");
    expectValid(report);
    expect(report).toMatchObject({
      outcome: "passed",
      exitCode: 0,
      experiment: { name: "slow DynamoDB, 300 ms", source: file },
      labels: { suite: "e2e", commit: "abc123" },
      parameters: { delayMs: 300, jitterMs: 20, readTimeoutMs: 1000, intervalMs: 200 },
    });
    const median = report.thresholds.find((t) => t.id === "injection.ok_rtt: med>250");
    expect(median?.status).toBe("passed");
    expect(median?.observed).toBeGreaterThan(250);
    expect(stdout).toMatch(/PASS injection.ok_rtt: med>250: observed \d+/);
    expect(stdout).toMatch(/labels: suite=e2e, commit=abc123/);
    const xml = readFileSync(junit, "utf8");
    expect(xml).toMatch(
      /<testcase classname="fislat local slow DynamoDB, 300 ms" name="injection.ok_rtt: p\(99\)&lt;800">/,
    );
    expect(xml).toMatch(/<property name="commit" value="abc123"\/>/);
    expect(isAlive(probePidOf(report))).toBe(false);
  });

  it("fails (exit 1) naming the threshold that did not hold", async () => {
    const file = experimentFile("cannot-hold", SLOW_300);
    const { code, stdout, stderr } = await runCli([
      "run",
      "--local",
      "--experiment",
      file,
      "--threshold",
      "injection.ok_rtt:p(99)<100",
      "--json",
      reports.file("cannot-hold"),
      "--markdown",
      reports.file("cannot-hold", "md"),
    ]);
    expect(code, `${stdout}\n${stderr}`).toBe(1);
    expect(stdout).toMatch(/FAIL injection.ok_rtt: p\(99\)<100: observed \d+/);
    expect(stdout.replace(/\n {2}(?=\S)/g, " ")).toMatch(
      /the hypothesis failed: 1 of \d+ thresholds did not hold \(FAIL above\) \(exit 1\)/,
    );
    const report = reports.read("cannot-hold");
    expectValid(report);
    expect(report.reasons).toEqual(["injection.ok_rtt: p(99)<100"]);
    expect(readFileSync(reports.file("cannot-hold", "md"), "utf8")).toMatch(
      /\| `injection.ok_rtt: p\(99\)<100` \| \*\*✖ FAIL\*\* \| [\d.]+ ms/,
    );
  });

  it("refuses a malformed file (exit 2) before anything starts, naming the threshold", async () => {
    const file = experimentFile("malformed", SLOW_300.replace('"p(99)<800"', '"p(99)<<200"'));
    const { code, stdout, stderr } = await runCli([
      "run",
      "--local",
      "--experiment",
      file,
      "--json",
      reports.file("malformed"),
    ]);
    expect(code).toBe(2);
    expect(stderr).toBe(
      `fislat: ${file}: hypothesis.injection.ok_rtt: "p(99)<<200": "<200" is not a bound; expected a number, or figures joined by + and - (delay, jitter, interval, connection_timeout, read_timeout, health_failure, health_poll, baseline_med, predicted, predicted_median, predicted_failed), e.g. 1200 or health_failure+1000\n`,
    );
    expect(stdout).toBe("");
    expect(() => reports.read("malformed")).toThrow();
  });

  it.each([
    [
      "a time without its unit",
      "version: 1\nfault: {kind: latency, delay: 300}\n",
      ": fault.delay: must be a time with its unit, e.g. 300ms or 1.5s (delay added to each packet to DynamoDB: 300ms, 1.5s)\n",
    ],
    [
      "broken YAML",
      "version: 1\nname: x\n  bad: indent\n",
      ' is not valid YAML: Nested mappings are not allowed in compact mappings at line 2, column 7: "name: x"\n',
    ],
  ])("refuses %s (exit 2) saying what is allowed, in plain words", async (name, text, message) => {
    const file = experimentFile(name.replace(/ /g, "-"), text);
    const { code, stderr } = await runCli(["run", "--local", "--experiment", file]);
    expect(code).toBe(EXIT.badInput);
    expect(stderr).toBe(`fislat: ${file}${message}`);
    expect(stderr).not.toMatch(/"then"|schema|:\n$/);
  });

  it("is inconclusive (exit 3) when the fault never showed, and says why", async () => {
    const file = experimentFile(
      "inconclusive",
      SLOW_300.replace("delay: 300ms, jitter: 20ms", "delay: 1ms, jitter: 0ms"),
    );
    const { code, stdout, stderr } = await runCli([
      "run",
      "--local",
      "--experiment",
      file,
      "--json",
      reports.file("inconclusive"),
    ]);
    expect(code, `${stdout}\n${stderr}`).toBe(EXIT.inconclusive);
    // Piped, the summary is laid out for 80 columns: wrapped lines continue indented.
    expect(stdout.replace(/\n {2}(?=\S)/g, " ")).toMatch(
      /inconclusive, the experiment could not test the hypothesis: the fault never showed: \d+\.\d% of the injection's round trips/,
    );
    const report = reports.read("inconclusive");
    expectValid(report);
    expect(report).toMatchObject({ outcome: "inconclusive", exitCode: EXIT.inconclusive });
    expect(report.reasons[0]).toMatch(/^the fault never showed/);
  });
});

describe("fislat experiment", () => {
  it("init writes a starting file that check accepts and resolves", async () => {
    const file = path.join(path.dirname(reports.file("x")), "start.yaml");
    expect((await runCli(["experiment", "init", file])).code).toBe(0);
    expect(readFileSync(file, "utf8")).toMatch(/^# fislat experiment file, version 1/);
    expect((await runCli(["experiment", "init", file])).code).toBe(2);
    const { code, stdout } = await runCli(["experiment", "check", file, "--local", "--delay", "250"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/fault: {6}250 ms ± 20 ms of latency/);
    expect(stdout).toMatch(/ {2}injection.ok_rtt: p\(99\)<450/);
  });
});
