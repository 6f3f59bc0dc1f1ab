import { mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { STARTING_FILE as EXAMPLE_YAML } from "../src/commands/experiment.js";
import { checkReportTargets, planRun, type RunFlags } from "../src/commands/run-options.js";
import { parseDuration, toIsoDuration } from "../src/durations.js";
import { EXIT, FislatError } from "../src/errors.js";
import { TEMP_NAME_EXTRA_BYTES, writeFileAtomic } from "../src/render/atomic-write.js";
import { tempDir } from "./support/temp-dir.js";

describe("parseDuration", () => {
  it.each([
    ["45s", 45_000],
    ["5m", 300_000],
    ["500ms", 500],
    ["1.5s", 1500],
    ["PT5M", 300_000],
    ["PT1M30S", 90_000],
    ["pt2s", 2000],
  ])("reads %s", (text, expected) => {
    expect(parseDuration("--duration", text)).toBe(expected);
  });

  it.each(["abc", "30", "-5s", "0s", "P", ""])("refuses %j, naming the flag and the allowed forms", (text) => {
    expect(() => parseDuration("--duration", text)).toThrowError(
      new FislatError(
        `--duration ${JSON.stringify(text)} is not a duration: use a positive number with a unit (500ms, 45s, 5m) or ISO 8601 (PT5M)`,
        EXIT.badInput,
      ),
    );
  });

  it("writes ISO 8601 for FIS", () => {
    expect(toIsoDuration(300_000)).toBe("PT5M");
    expect(toIsoDuration(90_000)).toBe("PT90S");
  });
});

/** A role ARN of the documented shape (no real account). */
const AWS_ROLE = "arn:aws:iam::123456789012:role/fislat-fis";

describe("planRun", () => {
  const local = (flags: RunFlags = {}) => planRun({ local: true, ...flags }, process.cwd());
  const refusal = (flags: RunFlags) => {
    try {
      planRun(flags, process.cwd());
    } catch (error) {
      expect(error).toBeInstanceOf(FislatError);
      expect((error as FislatError).exitCode).toBe(EXIT.badInput);
      return (error as Error).message;
    }
    throw new Error("expected a refusal");
  };

  it("uses the scenario's timeouts and the local defaults", () => {
    const request = local({ scenario: "succeed" });
    expect(request.probe).toEqual({
      connectionTimeoutMs: 2000,
      readTimeoutMs: 2000,
      intervalMs: 1000,
      healthFailureMs: 30_000,
    });
    expect(request.phases).toEqual({ baselineMs: 10_000, injectionMs: 40_000, recoveryMs: 10_000 });
    expect(request.fault).toEqual({ kind: "latency", delayMs: 800, jitterMs: 50 });
    expect(request.target).toEqual({ kind: "local" });
  });

  it("judges --fault KIND alone by the kind's own scenario, not the latency one's timeouts and /health 503", () => {
    const errors = local({ fault: "errors" });
    expect(errors.name).toBe("throttled");
    expect(errors.hypothesis.map((c) => c.id)).toContain("injection.failed: rate~=predicted_failed");
    expect(errors.hypothesis.map((c) => c.id)).not.toContain("injection.timeouts: rate>=0.9");
    expect(local({ fault: "packet-loss" }).name).toBe("lossy");
    expect(local({ fault: "unreachable" }).name).toBe("unreachable");
    expect(local({ fault: "latency" }).name).toBe("timeout");
    expect(local().name).toBe("timeout");
    // The kind's own flags still apply, and a named scenario still wins.
    expect(local({ fault: "errors", errorRate: "0.2" }).fault).toEqual({
      kind: "errors",
      error: "ThrottlingException",
      rate: 0.2,
    });
    expect(local({ fault: "packet-loss", scenario: "timeout" }).name).toBe("timeout");
  });

  it("lets flags override the scenario while keeping its hypothesis", () => {
    const request = local({
      scenario: "succeed",
      readTimeout: "500",
      connectionTimeout: "0.6s",
      label: ["ci=1", "team=x=y"],
    });
    expect(request.probe).toMatchObject({ readTimeoutMs: 500, connectionTimeoutMs: 600 });
    expect(request.hypothesis.map((c) => c.id)).toContain("injection.failed: rate<=0.02");
    expect(request.labels).toEqual({ ci: "1", team: "x=y" });
  });

  it("reads an experiment file, YAML or JSON, and lets flags override it", () => {
    const dir = tempDir("fislat-plan-");
    const yaml = path.join(dir, "exp.yaml");
    writeFileSync(yaml, EXAMPLE_YAML);
    const request = local({
      experiment: yaml,
      delay: "250",
      threshold: ["injection.ok_rtt:p(99)<1200"],
      label: ["run=7"],
    });
    expect(request).toMatchObject({
      name: "slow DynamoDB, 300 ms",
      fault: { kind: "latency", delayMs: 250, jitterMs: 20 },
      phases: { baselineMs: 30_000, injectionMs: 120_000, recoveryMs: 30_000 },
      probe: { connectionTimeoutMs: 1000, readTimeoutMs: 1000, intervalMs: 1000, healthFailureMs: 30_000 },
      labels: { team: "payments", run: "7" },
    });
    // A flag's thresholds for a metric replace the file's for that metric.
    expect(request.hypothesis.map((c) => c.id)).toEqual([
      "baseline.rtt: p(99)<100",
      "baseline.failed: rate<0.01",
      "injection.timeouts: rate==0",
      "recovery.rtt: p(99)<100",
      "recovery.failed: rate<0.01",
      "run.recover: value<3000",
      "injection.ok_rtt: p(99)<1200",
    ]);
    const json = path.join(dir, "exp.json");
    writeFileSync(json, JSON.stringify({ version: 1, hypothesis: { injection: { rtt: ["p(99)<1200"] } } }));
    expect(local({ experiment: json }).probe.readTimeoutMs).toBe(5000);
  });

  it.each([
    [{ version: 2 }, "version: must be 1"],
    [{ fault: { kind: "chaos-monkey" } }, "fault.kind: must be one of latency, packet-loss, unreachable, errors"],
    [{ fault: { kind: "packet-loss", loss: 0 } }, "fault.loss: must be >= 1"],
    [{ fault: { kind: "latency", loss: 30 } }, "fault.loss: unknown field; allowed: kind, delay, jitter"],
    [{ phases: { baseline: "30" } }, "phases.baseline: a duration with a unit"],
    [
      { hypothesis: { injection: { latency: ["p(99)<1"] } } },
      "hypothesis.injection.latency: unknown field; allowed: rtt, ok_rtt, failed, timeouts, degraded, samples",
    ],
    [
      { hypothesis: { injection: { rtt: ["p(99)<<200"] } } },
      'hypothesis.injection.rtt: "p(99)<<200": "<200" is not a bound',
    ],
    [{ hypothesis: { injection: { rtt: ["rate<1"] } } }, "rate does not apply to rtt"],
    [
      { colour: "red" },
      "colour: unknown field; allowed: version, name, description, fault, phases, probe, evidence, hypothesis, labels",
    ],
    [{}, "the hypothesis has no thresholds, so there is nothing to judge"],
  ])("refuses a bad experiment file %j, naming the field and what is allowed", (data, message) => {
    const dir = tempDir("fislat-plan-");
    const file = path.join(dir, "bad.json");
    writeFileSync(file, JSON.stringify(data));
    expect(refusal({ local: true, experiment: file })).toContain(message);
  });

  it("refuses bad input with a message naming the flag and what is allowed", () => {
    expect(refusal({ local: true, scenario: "chaos" })).toBe(
      '--scenario "chaos" is not a scenario: expected one of timeout, succeed, edge, lossy, unreachable, throttled',
    );
    // A config file cannot pick a scenario off the object prototype.
    expect(refusal({ local: true, scenario: "toString" })).toMatch(/--scenario "toString" is not a scenario/);
    expect(refusal({ local: true, jitter: "900" })).toMatch(
      /--jitter 900 ms \(or fault.jitter in the file\) is not allowed: expected whole milliseconds from 0 to the delay/,
    );
    expect(refusal({ local: true, delay: "0", jitter: "0" })).toMatch(/--delay 0 ms .*a delay or a jitter above 0/);
    expect(refusal({ local: true, readTimeout: "0" })).toMatch(
      /--read-timeout "0" is out of range: expected whole milliseconds from 1 ms to 10 min/,
    );
    expect(refusal({ local: true, interval: "5ms" })).toMatch(
      /--interval "5ms" is out of range: expected a duration from 10 ms to 1 h \(the probe's TEST_INTERVAL_SECONDS\)/,
    );
    expect(refusal({ local: true, interval: "2h" })).toMatch(/--interval "2h" is out of range/);
    expect(refusal({ local: true, healthFailure: "2d" })).toMatch(
      /--health-failure "2d" is out of range: .* to 1 day \(/,
    );
    expect(refusal({ local: true, baseline: "30d" })).toMatch(
      /--baseline "30d" is out of range: expected a duration from 1 ms to 24.8 days \(a timer's longest wait\)/,
    );
    expect(refusal({ local: true, duration: "99999999999999999999s" })).toMatch(
      /--duration "99999999999999999999s" is out of range/,
    );
    expect(refusal({ local: true, delay: "3000000000" })).toMatch(
      /--delay "3000000000" is out of range: expected whole milliseconds from 0 ms to 10 min/,
    );
    // A number written for seconds or in hex is not taken for milliseconds.
    expect(refusal({ local: true, delay: "1e3" })).toMatch(/--delay "1e3" is not milliseconds: use a whole number/);
    expect(refusal({ local: true, label: ["no-equals"] })).toMatch(/--label "no-equals" is not key=value/);
    expect(refusal({ local: true, threshold: ["injection.rtt:p(99)<<200"] })).toMatch(
      /^--threshold: injection.rtt: "p\(99\)<<200"/,
    );
  });

  it("refuses settings that cannot give a verdict, saying what would work", () => {
    expect(refusal({ local: true, baseline: "3s" })).toBe(
      "--baseline 3 s at --interval 1 s gives 2 round trip(s) to judge; a phase needs at least 5 (evidence.minRoundTrips): use --baseline 6 s or more, or --interval 500 ms or less",
    );
    // A value from an experiment file is named by its file and field, and so is the advice.
    const file = path.join(tempDir("fislat-plan-"), "short.json");
    writeFileSync(
      file,
      JSON.stringify({
        version: 1,
        phases: { baseline: "3s", injection: "20s" },
        probe: { healthFailure: "30s" },
        hypothesis: { run: { unhealthy: ["value<40000"] } },
      }),
    );
    expect(refusal({ local: true, experiment: file })).toBe(
      `${file}: phases.baseline 3 s at --interval 1 s gives 2 round trip(s) to judge; a phase needs at least 5 (evidence.minRoundTrips): use phases.baseline 6 s or more, or --interval 500 ms or less`,
    );
    expect(refusal({ local: true, experiment: file, baseline: "10s" })).toMatch(
      new RegExp(
        `^${file}: phases.injection 20 s is too short to judge run.unhealthy: value<40000 \\(${file}\\): /health turns 503 only after ${file}: probe.healthFailure 30 s of failures; use phases.injection 32 s or more, or a shorter probe.healthFailure$`,
      ),
    );
    expect(refusal({ local: true, interval: "1m" })).toMatch(/^--baseline 10 s at --interval 1 min gives 0 round trip/);
    expect(refusal({ local: true, scenario: "timeout", duration: "20s" })).toMatch(
      /^--duration 20 s is too short to judge run.unhealthy: .*use --duration 32 s or more, or a shorter --health-failure/,
    );
    // succeed has no /health window check: a short injection is fine.
    expect(local({ scenario: "succeed", duration: "20s" }).phases.injectionMs).toBe(20_000);
  });

  it("refuses --local with flags that only mean something on AWS", () => {
    expect(refusal({ local: true, cluster: "FIS", task: ["t1"], roleArn: "x" })).toBe(
      "--local runs everything on this machine: --cluster, --task, --role-arn apply only to a run against AWS; drop them or drop --local",
    );
  });

  it("refuses the app run's flags, and a file's tables, on a run of fislat's own probe", () => {
    expect(refusal({ local: true, dynamodb: "http://localhost:8000" })).toMatch(
      /^without --app or --proxy-port, --local runs fislat's own probe against its own dynalite and table: --dynamodb goes with your own app on this machine/,
    );
    expect(refusal({ local: true, tables: "t.json", appEnv: ["A=b"] })).toMatch(
      /--tables, --app-env go with your own app/,
    );
    expect(refusal({ cluster: "FIS", service: "svc", roleArn: AWS_ROLE, tables: "t.json" })).toMatch(
      /^without --url, the run aims at fislat's probe tasks, which send no load of yours: --tables goes with/,
    );
    const dir = tempDir("fislat-tables-");
    const experiment = path.join(dir, "e.json");
    writeFileSync(
      experiment,
      JSON.stringify({
        version: 1,
        name: "e",
        tables: [
          {
            TableName: "Orders",
            KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
            AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
          },
        ],
        hypothesis: { injection: { rtt: ["p(99)<1200"] } },
      }),
    );
    expect(refusal({ local: true, experiment })).toBe(
      `${experiment}: tables creates your app's tables in dynalite, and this file has no target: add target (target.app or target.proxyPort, and target.url) for your own app on this machine, or drop tables`,
    );
  });

  it("refuses --profile and --region with --local, as the other AWS-only flags", () => {
    expect(refusal({ local: true, profile: "x", region: "eu-west-1" })).toBe(
      "--local runs everything on this machine: --profile, --region apply only to a run against AWS; drop them or drop --local",
    );
  });

  it("checks the role ARN's shape before any AWS call, in every partition", () => {
    const aws = { cluster: "FIS", service: "svc" };
    for (const good of [
      AWS_ROLE,
      "arn:aws-cn:iam::123456789012:role/fislat-fis",
      "arn:aws-us-gov:iam::123456789012:role/service-role/fis+x=y,z.w@v_u-t",
      "arn:aws-iso-b:iam::123456789012:role/a/b/c",
    ]) {
      expect((planRun({ ...aws, roleArn: good }, process.cwd()).target as { roleArn: string }).roleArn).toBe(good);
    }
    for (const bad of [
      "bad",
      "arn:role",
      "arn:aws:iam::12345678901:role/x",
      "arn:aws:iam:eu-west-1:123456789012:role/x",
      "arn:aws:iam::123456789012:user/x",
      "arn:aws:iam::123456789012:role/",
      "arn:gcp:iam::123456789012:role/x",
      `arn:aws:iam::123456789012:role/${"n".repeat(65)}`,
      "arn:aws:iam::123456789012:role/has space",
    ]) {
      expect(refusal({ ...aws, roleArn: bad })).toMatch(
        /^--role-arn ".*" is not an IAM role ARN, arn:<partition>:iam::<12-digit account>:role\/<name> \(or role\/<path>\/<name>\)/,
      );
    }
  });

  it("takes --seed for the local proxy's draws, and only on a local run", async () => {
    expect(local({ seed: "0" }).target).toEqual({ kind: "local", seed: 0 });
    expect(local({ seed: "4294967295" }).target).toEqual({ kind: "local", seed: 4_294_967_295 });
    for (const bad of ["-1", "1.5", "4294967296", "1e3", "0x10", " 7", ""]) {
      expect(refusal({ local: true, seed: bad })).toBe(
        `--seed ${JSON.stringify(bad)} is not valid: expected a whole number from 0 to 4294967295`,
      );
    }
    expect(refusal({ cluster: "FIS", service: "svc", roleArn: AWS_ROLE, seed: "7" })).toBe(
      "--seed applies only to --local, where fislat's latency proxy draws the delays; on AWS, FIS draws them",
    );
    // The planner's limit is the proxy's (the planner stays free of the proxy's sockets).
    const { SEED_MAX: proxyMax } = await import("@fislat/latency-proxy");
    const { SEED_MAX: plannerMax } = await import("../src/engine/planner.js");
    expect(plannerMax).toBe(proxyMax);
  });

  it("cuts a 100 KB value short in the error line", () => {
    const message = refusal({ local: true, baseline: "x".repeat(100_000) });
    expect(message.length).toBeLessThan(300);
    expect(message).toMatch(/…\(100000 characters\)/);
  });

  it("checks AWS settings before any AWS call: targets, role, FIS's duration limits", () => {
    const aws = { cluster: "FIS", service: "svc", roleArn: AWS_ROLE };
    expect(refusal({})).toMatch(/--cluster is required/);
    expect(refusal({ ...aws, roleArn: undefined })).toMatch(/--role-arn is required on AWS/);
    expect(refusal({ ...aws, duration: "30s" })).toMatch(
      /--duration 30 s is outside what FIS runs: an action lasts from 1 min to 12 h/,
    );
    expect(refusal({ ...aws, duration: "13h" })).toMatch(/outside what FIS runs/);
    expect(refusal({ ...aws, sources: "DYNAMODB S3" })).toMatch(
      /--sources entry "DYNAMODB S3" is not something FIS takes/,
    );
    expect(refusal({ ...aws, launch: true, service: undefined })).toMatch(/--launch needs --task-definition/);
    expect(planRun(aws, process.cwd()).target).toMatchObject({
      kind: "aws",
      cluster: "FIS",
      service: "svc",
      targetBy: "arns",
    });
  });

  describe("report targets", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "fislat-reports-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const run = (reports: RunFlags) => refusal({ local: true, ...reports });

    it("refuses a folder that does not exist or is not for files", () => {
      expect(run({ json: "/no/such/folder/report.json" })).toMatch(
        /--json "\/no\/such\/folder\/report.json": the folder/,
      );
      expect(run({ json: "/proc/r.json" })).toMatch(/\/proc is not a place for files|cannot be written/);
      expect(run({ markdown: os.tmpdir() })).toMatch(/is a folder/);
    });

    it('refuses "-" (not stdout here) and says where the JSON on stdout is', () => {
      expect(run({ json: "-" })).toMatch(/^--json "-": reports are written to files.*--output json/);
    });

    it("refuses a name too long for its temporary file", () => {
      expect(run({ json: path.join(dir, `${"r".repeat(240)}.json`) })).toMatch(
        /the file name is too long \(at most \d+ bytes/,
      );
    });

    it("refuses two reports to one file, also through dir/../", () => {
      const x = path.join(dir, "x.json");
      expect(run({ json: x, junit: x })).toMatch(/--junit .* and --json name the same file/);
      const sub = path.join(dir, "sub");
      mkdirSync(sub, { recursive: true });
      expect(run({ json: x, markdown: path.join(sub, "..", "x.json") })).toMatch(/name the same file/);
    });

    it("refuses a report over the experiment file or the tables file it reads", () => {
      const experiment = path.join(dir, "exp.json");
      writeFileSync(
        experiment,
        JSON.stringify({ version: 1, name: "e", hypothesis: { injection: { rtt: ["p(99)<1200"] } } }),
      );
      expect(run({ experiment, json: path.join(dir, "sub", "..", "exp.json") })).toBe(
        `--json "${path.join(dir, "sub", "..", "exp.json")}" names the experiment file being read, "${experiment}" (${realpathSync(experiment)}): writing the report there would overwrite it; give each report its own file`,
      );
    });

    it("refuses a symlink or a device node where the report would go", () => {
      const link = path.join(dir, "link.json");
      symlinkSync(path.join(dir, "elsewhere.json"), link);
      expect(run({ json: link })).toMatch(/is a symbolic link: fislat replaces only regular files/);
      expect(run({ junit: "/dev/null" })).toMatch(/not a place for files|not a regular file/);
    });

    it("accepts an ordinary file and gives back its real path", () => {
      const file = path.join(dir, "ok.json");
      writeFileSync(file, "old");
      expect(local({ json: file }).reports.json).toBe(realpathSync(file));
    });
  });
});

describe("writeReports", () => {
  it("writes the reports it can when one cannot be written, and says which failed", async () => {
    const { writeReports } = await import("../src/reporters/index.js");
    const { buildReport } = await import("../src/engine/report.js");
    const { runExperimentForReport } = await import("./support/report.js");
    const report = buildReport(await runExperimentForReport(), {
      version: "0",
      environment: { kind: "local", target: "t", injector: "i" },
    });
    const dir = tempDir("fislat-write-");
    const gone = path.join(dir, "gone", "r.xml");
    const result = await writeReports(report, {
      json: path.join(dir, "r.json"),
      junit: gone,
      markdown: path.join(dir, "r.md"),
    });
    expect(result.written).toEqual([path.join(dir, "r.json"), path.join(dir, "r.md")]);
    expect(result.failed).toEqual([{ file: gone, error: "ENOENT" }]);
  });
});

describe("writeFileAtomic", () => {
  it("replaces the file whole and leaves no temporary file behind", async () => {
    const dir = tempDir("fislat-atomic-");
    const file = path.join(dir, "report.json");
    writeFileSync(file, "old");
    await writeFileAtomic(file, "new content");
    expect(readdirSync(dir)).toEqual(["report.json"]);
    const { readFileSync } = await import("node:fs");
    expect(readFileSync(file, "utf8")).toBe("new content");
  });

  it("writes the longest name the report targets' check lets through (its temporary file fits too)", async () => {
    const dir = tempDir("fislat-atomic-");
    const longest = path.join(dir, `${"r".repeat(255 - TEMP_NAME_EXTRA_BYTES - ".json".length)}.json`);
    expect(checkReportTargets({ json: longest }, [], dir).json).toBe(longest);
    await writeFileAtomic(longest, "{}");
    expect(readdirSync(dir)).toEqual([path.basename(longest)]);
    expect(() => checkReportTargets({ json: longest.replace(".json", "r.json") }, [], dir)).toThrow(/too long/);
  });

  it("leaves the old file untouched when the write fails", async () => {
    const dir = tempDir("fislat-atomic-");
    const target = path.join(dir, "sub");
    const { mkdirSync, readFileSync } = await import("node:fs");
    mkdirSync(target);
    writeFileSync(path.join(target, "keep"), "x");
    // Renaming a file over a non-empty folder fails: the folder and its content stay as they were.
    await expect(writeFileAtomic(target, "content")).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(["sub"]);
    expect(readFileSync(path.join(target, "keep"), "utf8")).toBe("x");
  });
});

describe("the summary and the Markdown report", () => {
  it("show target events, labels and each threshold with its observed figure", async () => {
    const { buildReport } = await import("../src/engine/report.js");
    const { renderSummary } = await import("../src/reporters/summary.js");
    const { markdown } = await import("../src/reporters/markdown.js");
    const toMarkdown = (r: typeof report) => markdown.render(r, { chalk: makeChalk({ isTTY: false }, {}), width: 80 });
    const { makeChalk } = await import("../src/render/style.js");
    const { runExperimentForReport } = await import("./support/report.js");
    const result = await runExperimentForReport();
    Object.assign(result.timeline, {
      targetEvents: [
        {
          at: new Date("2026-11-25T10:00:30Z"),
          task: "task0001",
          kind: "stopped",
          detail: "Task failed ELB health checks",
        },
      ],
    });
    const report = buildReport(result, { version: "0", environment: { kind: "aws", target: "t", injector: "i" } });
    const text = renderSummary(report, makeChalk({ isTTY: false }, {}));
    expect(text).toMatch(
      /target events:\n {2}2026-11-25T10:00:30.000Z task0001 stopped: Task failed ELB health checks/,
    );
    expect(text).toMatch(/FAIL injection.failed: rate<=0.02: observed 100.0% \(95% CI 91.2% to 100.0%\), bound 2.0%/);
    expect(toMarkdown(report)).toMatch(
      /\| 2026-11-25T10:00:30.000Z \| task0001 \| stopped: Task failed ELB health checks \|/,
    );
    expect(report.targetEvents).toEqual([
      { at: "2026-11-25T10:00:30.000Z", task: "task0001", kind: "stopped", detail: "Task failed ELB health checks" },
    ]);
  });
});

describe("the chart", () => {
  it("marks the fault's span, and shows no band or legend when no fault ever started", async () => {
    const { buildReport } = await import("../src/engine/report.js");
    const { renderChart } = await import("../src/reporters/summary.js");
    const { runExperimentForReport } = await import("./support/report.js");
    const report = buildReport(await runExperimentForReport(), {
      version: "0",
      environment: { kind: "local", target: "t", injector: "i" },
    });
    expect(renderChart(report)).toMatch(/▀+ *\n +▀ = fault injected$/);
    const never = { ...report, fault: { ...report.fault, startedAt: null, endedAt: null } };
    expect(renderChart(never)).not.toMatch(/▀/);
  });
});

describe("exitCodeFor", () => {
  it("maps each outcome to its exit code in one place", async () => {
    const { exitCodeFor } = await import("../src/engine/outcome.js");
    expect(["passed", "failed", "inconclusive", "error", "interrupted"].map((o) => exitCodeFor(o as never))).toEqual([
      EXIT.passed,
      EXIT.failed,
      EXIT.inconclusive,
      EXIT.environment,
      EXIT.interrupted,
    ]);
    // Inconclusive and a broken environment are told apart (k6 gives each cause its own code).
    expect(EXIT.inconclusive).toBe(3);
    expect(EXIT.environment).toBe(6);
    expect(exitCodeFor("passed", { removalError: "x" })).toBe(EXIT.faultNotRemoved);
    expect(exitCodeFor("passed", {}, { failed: 1 })).toBe(EXIT.environment);
    expect(exitCodeFor("failed", {}, { failed: 1 })).toBe(EXIT.failed);
  });
});
