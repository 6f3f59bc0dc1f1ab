// fislat stop, list, tail and template against the simulated AWS, and the config file.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
  CreateExperimentTemplateCommand,
  FisClient,
  GetExperimentCommand,
  StartExperimentCommand,
  StopExperimentCommand,
} from "@aws-sdk/client-fis";
import { parseProbeLine } from "@fislat/probe/record";
import { Chalk } from "chalk";
import { Command } from "commander";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { buildTemplate } from "../src/aws/fis-template.js";
import { listCommand, stopCommand } from "../src/commands/stop.js";
import { tailCommand } from "../src/commands/tail.js";
import { applyConfigFile, loadConfigFile } from "../src/config-file.js";
import { EXIT, FislatError } from "../src/errors.js";
import { formatTailLine } from "../src/render/tail-format.js";
import { runCli } from "./support/cli.js";
import { memoryOutput, testContext } from "./support/context.js";
import {
  advanceUntil,
  drive,
  LOG_GROUP,
  PAST_RUN_TEMPLATE,
  ROLE_ARN,
  SimulatedAws,
  sent,
  taskArn,
} from "./support/simulated-aws.js";
import { tempDir } from "./support/temp-dir.js";

let sim: SimulatedAws;
beforeEach(() => {
  vi.useFakeTimers({
    now: new Date("2026-11-25T10:00:00.000Z"),
    toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date", "performance"],
  });
  vi.stubEnv("AWS_REGION", "us-east-1");
  sim = new SimulatedAws({});
});
afterEach(() => {
  sim.reset();
  vi.unstubAllEnvs();
  vi.useRealTimers();
});

/** Starts an experiment in the simulation as a past fislat run would have. */
async function startedExperiment(tags = { "managed-by": "fislat", "fislat-scenario": "timeout" }) {
  const fis = new FisClient({});
  const template = await fis.send(new CreateExperimentTemplateCommand(PAST_RUN_TEMPLATE));
  const experimentTemplateId = template.experimentTemplate?.id as string;
  const res = await fis.send(new StartExperimentCommand({ experimentTemplateId, clientToken: "t", tags }));
  await vi.advanceTimersByTimeAsync(5000);
  return res.experiment?.id as string;
}

describe("fislat stop", () => {
  it("stops the named experiment and waits until FIS says it stopped", async () => {
    const id = await startedExperiment();
    const ctx = testContext();
    const code = await drive(stopCommand(ctx, { ids: [id] }));
    expect(code).toBe(EXIT.passed);
    expect(sent(sim.fis, StopExperimentCommand)).toEqual([{ id }]);
    expect(ctx.stdout.text()).toBe(`${id}: stopped\n`);
  });

  it("--all stops only fislat's running experiments", async () => {
    const ours = await startedExperiment();
    await startedExperiment({ "managed-by": "someone-else", "fislat-scenario": "" });
    const code = await drive(stopCommand(testContext(), { ids: [], all: true }));
    expect(code).toBe(EXIT.passed);
    expect(sent(sim.fis, StopExperimentCommand)).toEqual([{ id: ours }]);
  });

  it("exits 5 when a stop is not confirmed, naming the command to retry", async () => {
    sim.reset();
    sim = new SimulatedAws({ neverStops: true });
    const id = await startedExperiment();
    const ctx = testContext();
    const error = await drive(stopCommand(ctx, { ids: [id] }).catch((e) => e));
    expect(error).toBeInstanceOf(FislatError);
    expect((error as FislatError).exitCode).toBe(EXIT.faultNotRemoved);
    expect(ctx.stdout.lines().at(-1)).toMatch(new RegExp(`run: fislat stop ${id}`));
  });

  it("refuses no ids without --all, and an unknown id, as bad input", async () => {
    await expect(stopCommand(testContext(), { ids: [] })).rejects.toMatchObject({
      exitCode: EXIT.badInput,
    });
    const error = await drive(stopCommand(testContext(), { ids: ["EXPnope"] }).catch((e) => e));
    expect(error).toMatchObject({
      exitCode: EXIT.badInput,
      message: "no FIS experiment EXPnope in this account and region",
    });
  });
});

describe("fislat list", () => {
  it("shows fislat's experiments with state, scenario, start and end", async () => {
    const id = await startedExperiment();
    const ctx = testContext();
    await drive(listCommand(ctx, {}));
    expect(ctx.stdout.text()).toMatch(new RegExp(`${id}.*running.*timeout`));
    expect(sent(sim.fis, GetExperimentCommand)).toContainEqual({ id });
  });
});

describe("fislat tail", () => {
  // Each write is one line, with its newline.
  const capture = () => {
    const lines: string[] = [];
    return { ctx: testContext({ stdout: memoryOutput((s) => lines.push(s)) }), lines };
  };

  it("prints the tasks' round trips for a person, from their own log streams", async () => {
    await vi.advanceTimersByTimeAsync(20_000);
    const { ctx, lines } = capture();
    await drive(tailCommand(ctx, { cluster: "FIS", service: "svc", since: "15s" }));
    expect(lines.length).toBeGreaterThanOrEqual(5);
    expect(lines[0]).toMatch(/^2026-11-25T10:00:\d\d\.000Z {2}task0001 {2}ok +8\.0 ms\n$/);
    expect(sent(sim.logs, FilterLogEventsCommand)[0]).toMatchObject({
      logGroupName: LOG_GROUP,
      logStreamNames: ["ecs/fis-latency-test-to-ddb-app/task0001"],
      filterPattern: '?"Round trip" ?"Health changed" ?"Tick missed"',
    });
  });

  it("--json passes the probe's own lines through, one JSON object per line", async () => {
    await vi.advanceTimersByTimeAsync(10_000);
    const { ctx, lines } = capture();
    await drive(tailCommand(ctx, { logGroup: LOG_GROUP, json: true, since: "5m" }));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(parseProbeLine(line).type).toBe("round-trip");
  });

  it("--follow keeps printing new lines until interrupted", async () => {
    const abort = new AbortController();
    const lines: string[] = [];
    const ctx = testContext({ stdout: memoryOutput((s) => lines.push(s)), signal: abort.signal });
    const tailing = tailCommand(ctx, { cluster: "FIS", service: "svc", since: "1s", follow: true });
    await advanceUntil(() => lines.length >= 10);
    const polls = sent(sim.logs, FilterLogEventsCommand).length;
    abort.abort();
    expect(await drive(tailing)).toBe(EXIT.passed);
    expect(lines.length).toBeGreaterThanOrEqual(10);
    expect(polls).toBeGreaterThan(3);
    // Each line once, in time order, though every poll looks back a minute.
    expect(new Set(lines).size).toBe(lines.length);
    expect([...lines].sort()).toEqual(lines);
  });

  it("formats failures with their kind and health changes in words", () => {
    const chalk = new Chalk({ level: 0 });
    const failed = parseProbeLine(
      JSON.stringify({
        ts: "2026-11-25T10:00:01.000Z",
        msg: "Round trip",
        ok: false,
        rttMs: 503.2,
        op: "GetItem",
        table: "t",
        seq: 1,
        src: "loop",
        task: taskArn("abcdef123456"),
        conn: "new",
        errorKind: "timeout",
        error: "TimeoutError: x",
      }),
    );
    expect(formatTailLine(failed, chalk)).toBe(
      "2026-11-25T10:00:01.000Z  abcdef12  timeout            503.2 ms new connection  TimeoutError: x",
    );
    const health = parseProbeLine(
      JSON.stringify({
        ts: "2026-11-25T10:00:31.000Z",
        msg: "Health changed",
        healthy: false,
        failingForMs: 30000,
        task: "h",
      }),
    );
    expect(formatTailLine(health, chalk)).toBe(
      "2026-11-25T10:00:31.000Z  h         /health 503 after 30 s of failures",
    );
    expect(formatTailLine({ type: "other" }, chalk)).toBeUndefined();
  });
});

describe("fislat template", () => {
  it("prints the template a run would create, valid against the FIS request shape, without AWS", async () => {
    vi.useRealTimers();
    const { code, stdout } = await runCli(
      [
        "template",
        "--role-arn",
        ROLE_ARN,
        "--task",
        taskArn("a"),
        "--task",
        taskArn("b"),
        "--stop-alarm",
        "arn:aws:cloudwatch:us-east-1:000000000000:alarm:x",
      ],
      { AWS_ENDPOINT_URL: "http://127.0.0.1:9" },
    );
    expect(code).toBe(0);
    const template = JSON.parse(stdout);
    expect(template.targets.probeTasks.resourceArns).toEqual([taskArn("a"), taskArn("b")]);
    // The action is the latency fault module's, with the run's settings.
    expect(template.actions.dynamodbLatency).toEqual({
      actionId: "aws:ecs:task-network-latency",
      description: "800 ms +/- 50 ms of network latency to DYNAMODB through the ECS fault injection endpoints",
      parameters: {
        duration: "PT5M",
        delayMilliseconds: "800",
        jitterMilliseconds: "50",
        sources: "DYNAMODB",
        useEcsFaultInjectionEndpoints: "true",
      },
      targets: { Tasks: "probeTasks" },
    });
    expect(template.stopConditions).toEqual([
      { source: "aws:cloudwatch:alarm", value: "arn:aws:cloudwatch:us-east-1:000000000000:alarm:x" },
    ]);
    expectValidFisRequest(template);
  });

  it("turns a bare --task id into the task ARN FIS needs, from the cluster's ARN, offline", async () => {
    vi.useRealTimers();
    const cluster = "arn:aws:ecs:us-east-1:000000000000:cluster/FIS";
    const { code, stdout } = await runCli(
      ["template", "--role-arn", ROLE_ARN, "--cluster", cluster, "--task", "0123abcd", "--task", taskArn("b")],
      { AWS_ENDPOINT_URL: "http://127.0.0.1:9" },
    );
    expect(code).toBe(0);
    expect(JSON.parse(stdout).targets.probeTasks.resourceArns).toEqual([taskArn("0123abcd"), taskArn("b")]);
  });

  it("refuses a delay FIS would not take, as fislat run does (exit 2)", async () => {
    vi.useRealTimers();
    for (const [flags, message] of [
      [["--delay", "800.5"], '--delay "800.5" is out of range: expected whole milliseconds from 0 ms to 10 min'],
      [
        ["--delay", "100", "--jitter", "200"],
        "--jitter 200 ms (or fault.jitter in the file) is not allowed: expected whole milliseconds from 0 to the delay (100 ms)",
      ],
    ] as const) {
      const { code, stderr } = await runCli(["template", "--role-arn", ROLE_ARN, "--task", taskArn("a"), ...flags], {
        AWS_ENDPOINT_URL: "http://127.0.0.1:9",
      });
      expect(code).toBe(EXIT.badInput);
      expect(stderr).toContain(message);
    }
  });

  it("refuses a bare --task id it cannot make an ARN of, naming what FIS needs (exit 2)", async () => {
    vi.useRealTimers();
    const { code, stderr } = await runCli(
      ["template", "--role-arn", ROLE_ARN, "--cluster", "FIS", "--task", "0123abcd"],
      {
        AWS_ENDPOINT_URL: "http://127.0.0.1:9",
      },
    );
    expect(code).toBe(EXIT.badInput);
    expect(stderr).toMatch(/--task 0123abcd is a task id, and FIS needs its ARN/);
  });

  it("aims at a service or a tag with a selection mode, and refuses one FIS would not take", () => {
    const base = {
      runId: "r",
      scenario: "timeout",
      roleArn: ROLE_ARN,
      fault: { kind: "latency" as const, delayMs: 800, jitterMs: 50 },
      durationMs: 300_000,
    };
    const byTag = buildTemplate({
      ...base,
      sources: "DYNAMODB",
      stopAlarmArns: [],
      target: { kind: "tag", key: "app", value: "probe", selectionMode: "percent(20)" },
    });
    expect(byTag.targets.probeTasks).toEqual({
      resourceType: "aws:ecs:task",
      selectionMode: "PERCENT(20)",
      resourceTags: { app: "probe" },
    });
    expectValidFisRequest(byTag);
    for (const bad of ["PERCENT(0)", "PERCENT(101)", "COUNT(0)", "SOME"]) {
      expect(() =>
        buildTemplate({
          ...base,
          sources: "DYNAMODB",
          stopAlarmArns: [],
          target: { kind: "service", cluster: "FIS", service: "s", selectionMode: bad },
        }),
      ).toThrow(/--selection .* is not valid: expected ALL, COUNT\(n\) with n >= 1, or PERCENT\(n\)/);
    }
  });

  it("builds templates within every limit of the FIS API model", () => {
    expectValidFisRequest(
      buildTemplate({
        runId: "r",
        scenario: "edge",
        roleArn: ROLE_ARN,
        fault: { kind: "latency", delayMs: 800, jitterMs: 50 },
        durationMs: 300_000,
        sources: "DYNAMODB,S3",
        target: { kind: "service", cluster: "FIS", service: "svc" },
        stopAlarmArns: [],
      }),
    );
  });
});

/** The CreateExperimentTemplate constraints of the FIS API model (shared/facts, section 1.2). */
// biome-ignore lint/suspicious/noExplicitAny: a template read back from JSON, checked field by field
function expectValidFisRequest(t: Record<string, any>) {
  expect(typeof t.description).toBe("string");
  expect(t.description.length).toBeLessThanOrEqual(512);
  expect(t.roleArn.length).toBeGreaterThanOrEqual(20);
  expect(t.stopConditions.length).toBeGreaterThan(0);
  for (const [name, target] of Object.entries<
    Record<string, unknown> & { parameters?: Record<string, string>; resourceArns?: string[] }
  >(t.targets)) {
    expect(name).toMatch(/^\S{1,64}$/);
    expect(target.resourceType).toBe("aws:ecs:task");
    expect(target.selectionMode).toMatch(/^(ALL|COUNT\(\d+\)|PERCENT\(\d+\))$/);
    expect((target.resourceArns ?? []).length).toBeLessThanOrEqual(5);
    for (const v of Object.values<string>(target.parameters ?? {}))
      expect(v).toMatch(/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,1024}$/u);
  }
  for (const [name, action] of Object.entries<{ parameters: Record<string, string>; targets: Record<string, string> }>(
    t.actions,
  )) {
    expect(name).toMatch(/^\S{1,64}$/);
    for (const v of Object.values<string>(action.parameters)) expect(v).toMatch(/^\S{1,1024}$/);
    for (const target of Object.values<string>(action.targets)) expect(Object.keys(t.targets)).toContain(target);
  }
  expect(Object.keys(t.tags).length).toBeLessThanOrEqual(50);
  expect(t.clientToken).toBeUndefined();
}

describe("fislat.config.json", () => {
  const command = () =>
    new Command("run")
      .option("--cluster <name>")
      .option("--service <name>")
      .option("--task <arn>", "", (v: string, p: string[]) => [...p, v], [])
      .option("--keep-template");

  it("fills in what the flags left unset, and flags win", () => {
    const dir = tempDir("fislat-config-");
    writeFileSync(
      path.join(dir, "fislat.config.json"),
      JSON.stringify({ cluster: "FIS", service: "from-file", task: "arn:1", keepTemplate: true }),
    );
    const cmd = command();
    cmd.parse(["--service", "from-flag"], { from: "user" });
    applyConfigFile(cmd, loadConfigFile(undefined, dir), new Set(["cluster", "service", "task", "keepTemplate"]));
    // The file's task is another way of naming what --service named: the flag wins over both.
    expect(cmd.opts()).toEqual({ cluster: "FIS", service: "from-flag", task: [], keepTemplate: true });
    expect(cmd.getOptionValueSource("cluster")).toBe("config");
    expect(cmd.getOptionValueSource("service")).toBe("cli");
  });

  it("does not add the file's service to tasks named by flag (fislat deploy writes a service)", () => {
    const dir = tempDir("fislat-config-");
    writeFileSync(path.join(dir, "fislat.config.json"), JSON.stringify({ cluster: "FIS", service: "from-file" }));
    const cmd = command();
    cmd.parse(["--task", "arn:2"], { from: "user" });
    applyConfigFile(cmd, loadConfigFile(undefined, dir), new Set(["cluster", "service", "task", "keepTemplate"]));
    expect(cmd.opts()).toEqual({ cluster: "FIS", task: ["arn:2"] });
  });

  it("refuses unknown keys, bad JSON and values of the wrong type, naming them", () => {
    const dir = tempDir("fislat-config-");
    const file = path.join(dir, "fislat.config.json");
    const keys = new Set(["cluster", "service", "task", "keepTemplate"]);
    writeFileSync(file, JSON.stringify({ clustr: "FIS" }));
    expect(() => applyConfigFile(command(), loadConfigFile(undefined, dir), keys)).toThrow(
      /unknown key\(s\) clustr; allowed: cluster/,
    );
    writeFileSync(file, "{ nope");
    expect(() => loadConfigFile(undefined, dir)).toThrow(/is not valid JSON/);
    writeFileSync(file, JSON.stringify({ keepTemplate: "yes" }));
    expect(() => applyConfigFile(command(), loadConfigFile(undefined, dir), keys)).toThrow(
      /"keepTemplate" must be true or false/,
    );
    expect(() => loadConfigFile("missing.json", dir)).toThrow(/--config "missing.json": no such file/);
  });
});
