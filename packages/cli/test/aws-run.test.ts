// Whole `fislat run` flows against AWS: the real command, engine and adapters, with ECS, FIS,
// CloudWatch Logs and STS answered by aws-sdk-client-mock following a simulated timeline on
// vitest's fake clock. Assertions are on what fislat sent, and on its exit code and report.
import { readFileSync } from "node:fs";
import path from "node:path";
import { FilterLogEventsCommand, StartLiveTailCommand } from "@aws-sdk/client-cloudwatch-logs";
import { ListTasksCommand, RunTaskCommand, StopTaskCommand } from "@aws-sdk/client-ecs";
import {
  CreateExperimentTemplateCommand,
  DeleteExperimentTemplateCommand,
  StartExperimentCommand,
  StopExperimentCommand,
} from "@aws-sdk/client-fis";
import { describe, expect, it, vi } from "vitest";
import { type RunCommandFlags, runCommand } from "../src/commands/run.js";
import type { Report } from "../src/engine/report.js";
import { EXIT, FislatError } from "../src/errors.js";
import { useAwsRunSetup } from "./support/aws-run-setup.js";
import {
  advanceUntil,
  CLUSTER_ARN,
  drive,
  LOG_GROUP_ARN,
  on,
  ROLE_ARN,
  SimulatedAws,
  type SimulationOptions,
  sent,
  settledFlag,
  taskArn,
} from "./support/simulated-aws.js";

let sim: SimulatedAws;
const setup = useAwsRunSetup(() => sim?.reset());

const flags = (over: Partial<RunCommandFlags> = {}): RunCommandFlags => ({
  scenario: "timeout",
  cluster: "FIS",
  service: "dynamodb-test-service",
  task: [],
  tag: [],
  stopAlarm: [],
  roleArn: ROLE_ARN,
  sources: "DYNAMODB",
  targetBy: "arns",
  delay: "800",
  jitter: "50",
  healthFailure: "30s",
  baseline: "20s",
  duration: "2m",
  recovery: "20s",
  json: path.join(setup.dir, "report.json"),
  ...over,
});

const report = () => JSON.parse(readFileSync(path.join(setup.dir, "report.json"), "utf8")) as Report;

async function run(options: SimulationOptions, over: Partial<RunCommandFlags> = {}) {
  sim = new SimulatedAws(options);
  return drive(runCommand(setup.ctx, flags(over)));
}

/** Runs until `ready()` holds, sends the signal as a user would, then lets the run finish. */
async function runInterrupted(options: SimulationOptions, ready: () => boolean) {
  sim = new SimulatedAws(options);
  const work = runCommand(setup.ctx, flags());
  const settled = settledFlag(work);
  await advanceUntil(() => ready() || settled());
  process.emit("SIGINT", "SIGINT");
  return drive(work);
}

const experimentRunning = () => [...sim.experiments.values()].some((e) => Date.now() > e.actionStartAt + 5000);

describe("fislat run against AWS", () => {
  it("runs the timeout scenario on a service's tasks: the exact template, one start, template deleted, exit 0", async () => {
    expect(await run({})).toBe(EXIT.passed);
    const [template] = sent(sim.fis, CreateExperimentTemplateCommand);
    expect(template).toMatchObject({
      roleArn: ROLE_ARN,
      targets: {
        probeTasks: { resourceType: "aws:ecs:task", resourceArns: [taskArn("task0001")], selectionMode: "ALL" },
      },
      actions: {
        dynamodbLatency: {
          actionId: "aws:ecs:task-network-latency",
          parameters: {
            duration: "PT2M",
            delayMilliseconds: "800",
            jitterMilliseconds: "50",
            sources: "DYNAMODB",
            useEcsFaultInjectionEndpoints: "true",
          },
          targets: { Tasks: "probeTasks" },
        },
      },
      stopConditions: [{ source: "none" }],
      tags: { "managed-by": "fislat", "fislat-scenario": "timeout", "fislat-run-id": expect.any(String) },
    });
    expect(template?.clientToken).toMatch(/^[0-9a-f-]{36}-template$/);
    const starts = sent(sim.fis, StartExperimentCommand);
    expect(starts).toEqual([
      expect.objectContaining({ experimentTemplateId: "EXT1", clientToken: expect.stringMatching(/-start$/) }),
    ]);
    expect(sent(sim.fis, StopExperimentCommand)).toEqual([]);
    expect(sent(sim.fis, DeleteExperimentTemplateCommand)).toEqual([{ id: "EXT1" }]);
    const r = report();
    expect(r).toMatchObject({
      outcome: "passed",
      environment: { kind: "aws" },
      targets: [{ id: taskArn("task0001") }],
    });
    // The injection's boundaries are FIS's action times, not fislat's clock.
    const experiment = sim.experiments.get("EXP1");
    expect(r.fault.startedAt).toBe(new Date(experiment?.actionStartAt ?? 0).toISOString());
    expect(r.fault.endedAt).toBe(new Date((experiment?.actionStartAt ?? 0) + 120_000).toISOString());
    expect(r.thresholds.map((t) => t.id)).toContain("run.unhealthy: value>=health_failure-health_poll-1000");
    expect(r.thresholds.every((t) => t.status === "passed")).toBe(true);
  });

  it("exits 1 when the hypothesis fails, judged by the task's own timeouts with --accept-timeouts", async () => {
    expect(await run({}, { scenario: "succeed", acceptTimeouts: true })).toBe(EXIT.failed);
    const r = report();
    expect(r.parameters).toMatchObject({ connectionTimeoutMs: 500, readTimeoutMs: 500 });
    expect(r.thresholds.find((t) => t.id === "injection.failed: rate<=0.02")?.status).toBe("failed");
  });

  it("runs an experiment file through the same planner: its thresholds, labels and a tag-safe name", async () => {
    const { writeFileSync } = await import("node:fs");
    const file = path.join(setup.dir, "slow.yaml");
    writeFileSync(
      file,
      [
        "version: 1",
        "name: slow DynamoDB, 800 ms",
        "fault: { kind: latency, delay: 800ms, jitter: 50ms }",
        "probe: { connectionTimeout: 500ms, readTimeout: 500ms }",
        "hypothesis:",
        "  injection: { timeouts: ['rate>=0.9'] }",
        "  run: { recover: ['value<60000'] }",
        "labels: { pipeline: nightly }",
      ].join("\n"),
    );
    expect(await run({}, { scenario: undefined, experiment: file, label: ["commit=abc"] })).toBe(EXIT.passed);
    const [template] = sent(sim.fis, CreateExperimentTemplateCommand);
    expect(template?.tags).toMatchObject({ "fislat-scenario": "slow-dynamodb-800-ms" });
    const r = report();
    expect(r.experiment).toMatchObject({ name: "slow DynamoDB, 800 ms", source: file });
    expect(r.labels).toEqual({ pipeline: "nightly", commit: "abc" });
    expect(r.thresholds.filter((t) => t.role === "hypothesis").map((t) => [t.id, t.status])).toEqual([
      ["injection.timeouts: rate>=0.9", "passed"],
      ["run.recover: value<60000", "passed"],
    ]);
  });

  it("keeps the template with --keep-template", async () => {
    expect(await run({}, { keepTemplate: true })).toBe(EXIT.passed);
    expect(sent(sim.fis, DeleteExperimentTemplateCommand)).toEqual([]);
  });

  it("finds the tasks by tag with --tag key=value", async () => {
    expect(await run({ tasks: ["task0001", "task0002"] }, { service: undefined, tag: ["Environment=test"] })).toBe(
      EXIT.passed,
    );
    expect(sent(sim.ecs, ListTasksCommand)[0]).toEqual({ cluster: "FIS", desiredStatus: "RUNNING" });
    expect(sent(sim.fis, CreateExperimentTemplateCommand)[0]).toMatchObject({
      targets: { probeTasks: { resourceArns: [taskArn("task0001"), taskArn("task0002")] } },
    });
  });

  it("keeps a tag target to the checked cluster: FIS gets the cluster filter and resolves only its tasks", async () => {
    const elsewhere = "arn:aws:ecs:us-east-1:000000000000:task/other-cluster/0ther";
    expect(
      await run(
        { tasks: ["task0001", "task0002"], taggedElsewhere: [elsewhere] },
        { service: undefined, tag: ["Environment=test"], targetBy: "tag" },
      ),
    ).toBe(EXIT.passed);
    expect(sent(sim.fis, CreateExperimentTemplateCommand)[0]).toMatchObject({
      targets: {
        probeTasks: {
          resourceTags: { Environment: "test" },
          filters: [{ path: "ClusterArn", values: [CLUSTER_ARN] }],
          selectionMode: "ALL",
        },
      },
    });
    expect(sim.experiments.get("EXP1")?.resolved).toEqual([taskArn("task0001"), taskArn("task0002")]);
  });

  it("stops the experiment at once when FIS resolved tasks outside the checked cluster (exit 6)", async () => {
    const elsewhere = "arn:aws:ecs:us-east-1:000000000000:task/other-cluster/0ther";
    const code = await run(
      { tasks: ["task0001"], taggedElsewhere: [elsewhere], ignoresFilters: true },
      { service: undefined, tag: ["Environment=test"], targetBy: "tag" },
    ).catch((e: unknown) => (e as FislatError).exitCode);
    expect(code).toBe(EXIT.environment);
    expect(sent(sim.fis, StopExperimentCommand)).toEqual([{ id: "EXP1" }]);
    // The summary wraps at 80 columns: read it unwrapped.
    expect((setup.stderr() + setup.stdout()).replace(/\n {2}(?=\S)/g, " ")).toMatch(
      /FIS resolved 1 task\(s\) outside cluster FIS.*0ther; the experiment was stopped/,
    );
  });

  it("names a task FIS picked that started after the preflight and is not registered with SSM", async () => {
    // The run's verdict then covers a task the fault never reached (the report says so per task).
    await run({ startsBeforeResolution: "late0001" }, { targetBy: "service" });
    expect(setup.stdout() + setup.stderr()).toMatch(
      /FIS also picked 1 task\(s\) that started after the preflight: late0001; not registered with SSM, so the fault does not reach: late0001/,
    );
  });

  it("warns before anything starts when ALL over a service would pick more tasks than FIS's per-action quota", async () => {
    const tasks = ["t1", "t2", "t3", "t4", "t5", "t6"].map((t) => `task000${t}`);
    await run({ tasks }, { targetBy: "service", duration: "1m" }).catch(() => undefined);
    expect(setup.stdout() + setup.stderr()).toMatch(
      /warning: FIS would pick 6 of 6 tasks \(ALL\), over its default quota of 5 target tasks per action .*L-B34128D0.*--selection COUNT\(5\)/,
    );
  });

  it("aims FIS at the service with --target-by service", async () => {
    expect(await run({}, { targetBy: "service" })).toBe(EXIT.passed);
    expect(sent(sim.fis, CreateExperimentTemplateCommand)[0]).toMatchObject({
      targets: { probeTasks: { parameters: { cluster: "FIS", service: "dynamodb-test-service" } } },
    });
  });

  it("on Ctrl-C stops the experiment once, waits for it, deletes the template, exits 4", async () => {
    expect(await runInterrupted({}, experimentRunning)).toBe(EXIT.interrupted);
    expect(sent(sim.fis, StopExperimentCommand)).toEqual([{ id: "EXP1" }]);
    expect(sent(sim.fis, DeleteExperimentTemplateCommand)).toEqual([{ id: "EXT1" }]);
    expect(report()).toMatchObject({ outcome: "interrupted", exitCode: 4, fault: { removal: "confirmed" } });
  });

  it("exits 5 with the command to run when the stop cannot be confirmed in 60 s", async () => {
    expect(await runInterrupted({ neverStops: true }, experimentRunning)).toBe(EXIT.faultNotRemoved);
    const r = report();
    expect(r.exitCode).toBe(5);
    expect(r.fault.removalError).toMatch(/not confirmed stopped within the 60 s deadline .*run: fislat stop EXP1/);
  });

  it("a second Ctrl-C does not skip the stop: it says what fislat is still waiting for", async () => {
    sim = new SimulatedAws({ neverStops: true });
    const work = runCommand(setup.ctx, flags());
    await advanceUntil(experimentRunning);
    process.emit("SIGINT", "SIGINT");
    await vi.advanceTimersByTimeAsync(5000);
    process.emit("SIGINT", "SIGINT");
    expect(await drive(work)).toBe(EXIT.faultNotRemoved);
    const stderr = setup.stderr();
    expect(stderr).toMatch(/SIGINT: removing the fault and stopping/);
    expect(stderr).toMatch(/still stopping, waiting for: FIS experiment EXP1/);
    expect(sent(sim.fis, StopExperimentCommand)).toEqual([{ id: "EXP1" }]);
  });

  it("exits 6 with FIS's reason when the experiment fails", async () => {
    expect(await run({ actionFails: "SSM command failed on the target" })).toBe(EXIT.environment);
    expect(report().summary).toMatch(/SSM command failed on the target/);
    expect(sent(sim.fis, StopExperimentCommand)).toEqual([]);
    expect(sent(sim.fis, DeleteExperimentTemplateCommand)).toEqual([{ id: "EXT1" }]);
  });

  it("retries throttled control-plane calls", async () => {
    sim = new SimulatedAws({});
    on(sim.ecs, ListTasksCommand)
      .rejectsOnce(Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" }))
      .resolves({ taskArns: [taskArn("task0001")] });
    expect(await drive(runCommand(setup.ctx, flags()))).toBe(EXIT.passed);
    expect(sent(sim.ecs, ListTasksCommand).length).toBeGreaterThanOrEqual(2);
  });

  it("reads late and duplicated log events once each", async () => {
    expect(await run({ ingestionDelayMs: 9000, duplicateEvents: true })).toBe(EXIT.passed);
    const r = report();
    const keys = r.roundTrips.map((t) => `${t.task}|${t.seq}`);
    expect(new Set(keys).size).toBe(keys.length);
    // One round trip a second through baseline, injection and recovery, none lost to ingestion delay.
    expect(r.phases.baseline.count + r.phases.injection.count + r.phases.recovery.count).toBeGreaterThanOrEqual(155);
  });

  it("follows the logs with Live Tail: a backfill, the session, one sweep at the end; no polling", async () => {
    expect(await run({ liveTail: true, ingestionDelayMs: 4000 })).toBe(EXIT.passed);
    expect(sent(sim.logs, StartLiveTailCommand)).toEqual([
      {
        logGroupIdentifiers: [LOG_GROUP_ARN],
        logStreamNames: ["ecs/fis-latency-test-to-ddb-app/task0001"],
        logEventFilterPattern: '?"Round trip" ?"Health changed" ?"Tick missed"',
      },
    ]);
    // Polling would have called FilterLogEvents every 2 s of a 3-minute run.
    expect(sent(sim.logs, FilterLogEventsCommand)).toHaveLength(2);
    expect(report().phases.injection.count).toBeGreaterThanOrEqual(115);
  });

  it("falls back to polling when the Live Tail session breaks, and loses no line", async () => {
    expect(await run({ liveTail: true, liveTailFailsAfterMs: 30_000 })).toBe(EXIT.passed);
    expect(sent(sim.logs, FilterLogEventsCommand).length).toBeGreaterThan(20);
    const r = report();
    expect(r.phases.baseline.count + r.phases.injection.count + r.phases.recovery.count).toBeGreaterThanOrEqual(155);
  });

  it("polls at once, saying a quota is reached, when Live Tail's sessions quota is used up", async () => {
    expect(await run({ liveTail: true, liveTailQuotaReached: true })).toBe(EXIT.passed);
    expect(sent(sim.logs, StartLiveTailCommand)).toHaveLength(1);
    expect(setup.stdout() + setup.stderr()).toMatch(
      /Live Tail is not available \(.*a quota is reached \(LimitExceededException: You have reached the maximum number/,
    );
    expect(sent(sim.logs, FilterLogEventsCommand).length).toBeGreaterThan(20);
  });

  it("--launch starts a probe task with the scenario's timeouts, and stops it at the end", async () => {
    sim = new SimulatedAws({ env: { CONNECTION_TIMEOUT_MS: "5000", READ_TIMEOUT_MS: "5000" } });
    const code = await drive(
      runCommand(setup.ctx, flags({ launch: true, taskDefinition: "dynamodb-latency-test", interval: "1s" })),
    );
    expect(code).toBe(EXIT.passed);
    const [runTask] = sent(sim.ecs, RunTaskCommand);
    expect(runTask).toMatchObject({
      cluster: "FIS",
      taskDefinition: "dynamodb-latency-test",
      launchType: "FARGATE",
      enableExecuteCommand: false,
      networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-a"], securityGroups: ["sg-a"] } },
      overrides: {
        containerOverrides: [
          {
            name: "fis-latency-test-to-ddb-app",
            environment: expect.arrayContaining([
              { name: "CONNECTION_TIMEOUT_MS", value: "500" },
              { name: "READ_TIMEOUT_MS", value: "500" },
            ]),
          },
        ],
      },
      tags: expect.arrayContaining([{ key: "managed-by", value: "fislat" }]),
    });
    expect(sent(sim.fis, CreateExperimentTemplateCommand)[0]).toMatchObject({
      targets: { probeTasks: { resourceArns: [taskArn("launched1")] } },
    });
    expect(sent(sim.ecs, StopTaskCommand)).toEqual([
      expect.objectContaining({ cluster: "FIS", task: taskArn("launched1") }),
    ]);
  });
});

describe("fislat run against AWS, preflight", () => {
  async function refusal(options: SimulationOptions, over: Partial<RunCommandFlags> = {}) {
    sim = new SimulatedAws(options);
    const error = await drive(runCommand(setup.ctx, flags(over)).catch((e: unknown) => e));
    expect(error).toBeInstanceOf(FislatError);
    expect(sent(sim.fis, CreateExperimentTemplateCommand)).toEqual([]);
    return error as FislatError;
  }

  it("exits 6 when the service has no running tasks, and creates nothing", async () => {
    const error = await refusal({ tasks: [] });
    expect(error.exitCode).toBe(EXIT.environment);
    expect(error.message).toMatch(/no running tasks found for service dynamodb-test-service in cluster FIS/);
  });

  it("exits 6 naming every missing fault-injection setting, and creates nothing", async () => {
    const error = await refusal({ definition: { enableFaultInjection: false, pidMode: undefined } });
    expect(error.exitCode).toBe(EXIT.environment);
    expect(error.message).toMatch(/does not have enableFaultInjection: true/);
    expect(error.message).toMatch(/does not have pidMode: task/);
  });

  it("exits 6 when the task's timeouts are not the scenario's, and says how to proceed", async () => {
    const error = await refusal({ env: { CONNECTION_TIMEOUT_MS: "5000", READ_TIMEOUT_MS: "5000" } });
    expect(error.message).toMatch(
      /CONNECTION_TIMEOUT_MS=5000, READ_TIMEOUT_MS=5000\) are not the scenario's \(500\/500\)/,
    );
    expect(error.message).toMatch(/--launch .* or --accept-timeouts/);
  });

  it("exits 6 when the tasks' own interval leaves a phase too few round trips, before anything changes", async () => {
    const error = await refusal({
      env: { CONNECTION_TIMEOUT_MS: "500", READ_TIMEOUT_MS: "500", TEST_INTERVAL_SECONDS: "10" },
    });
    expect(error.exitCode).toBe(EXIT.environment);
    expect(error.message).toContain(
      "with the tasks' own TEST_INTERVAL_SECONDS=10 and HEALTH_FAILURE_SECONDS=30: --baseline 20 s at --interval 10 s gives 1 round trip(s) to judge; a phase needs at least 5",
    );
    expect(error.message).toMatch(/fix: lengthen the phase as it says, or --launch a probe task/);
    expect(sent(sim.ecs, RunTaskCommand)).toEqual([]);
  });

  it("exits 6 when the tasks' own /health window is longer than the fault, for a check that needs it", async () => {
    const error = await refusal(
      {
        env: {
          CONNECTION_TIMEOUT_MS: "500",
          READ_TIMEOUT_MS: "500",
          TEST_INTERVAL_SECONDS: "1",
          HEALTH_FAILURE_SECONDS: "300",
        },
      },
      { duration: "2m" },
    );
    expect(error.exitCode).toBe(EXIT.environment);
    expect(error.message).toMatch(/HEALTH_FAILURE_SECONDS=300: --duration 2 min is too short to judge run\.unhealthy/);
  });

  it("exits 6 without a log group, before any call that changes anything", async () => {
    const error = await refusal({ logGroupExists: false });
    expect(error.exitCode).toBe(EXIT.environment);
    expect(error.message).toMatch(/log group \/ecs\/dynamodb-latency-test does not exist/);
    expect(sent(sim.ecs, RunTaskCommand)).toEqual([]);
  });

  it("refuses more than five task ARNs before creating anything", async () => {
    const tasks = ["t1", "t2", "t3", "t4", "t5", "t6"];
    const error = await refusal({ tasks });
    expect(error.exitCode).toBe(EXIT.badInput);
    expect(error.message).toMatch(/FIS takes at most 5 task ARNs/);
    expect(sent(sim.fis, StartExperimentCommand)).toEqual([]);
  });
});

describe("fislat run against AWS, bad input", () => {
  /** Every AWS call fislat made, by command name. */
  const callsMade = () =>
    [sim.ecs, sim.fis, sim.logs, sim.sts].flatMap((stub) =>
      stub.calls().map((c) => (c.args[0] as object).constructor.name),
    );

  it.each<[string, Partial<RunCommandFlags>, RegExp]>([
    [
      "--launch with a --duration under FIS's minimum",
      { launch: true, taskDefinition: "td", duration: "30s" },
      /outside what FIS runs/,
    ],
    ["--launch with a bad --sources", { launch: true, taskDefinition: "td", sources: "DYNAMODB S3" }, /--sources/],
    [
      "--launch with a --sources keyword FIS does not have",
      { launch: true, taskDefinition: "td", sources: "DYNAMO_DB" },
      /--sources entry "DYNAMO_DB" is not something FIS takes: .*\(did you mean DYNAMODB\?\)/,
    ],
    [
      "--sources over FIS's 1024 characters",
      { sources: Array.from({ length: 80 }, (_, i) => `10.${i}.0.0/16`).join(",") },
      /--sources is 10\d\d characters: FIS takes 1 to 1024/,
    ],
    [
      "--launch without --role-arn",
      { launch: true, taskDefinition: "td", roleArn: undefined },
      /--role-arn is required/,
    ],
    [
      "--launch with an interval the probe refuses",
      { launch: true, taskDefinition: "td", interval: "2h" },
      /--interval "2h" is out of range/,
    ],
    ["a --duration beyond a timer", { duration: "30d" }, /--duration "30d" is out of range/],
    ["a malformed threshold", { threshold: ["injection.rtt:p(99)<<200"] }, /--threshold/],
    [
      "--local with --cluster",
      { local: true },
      /--local runs everything on this machine: --cluster, --service, --role-arn apply only/,
    ],
    ["a report in /proc", { json: "/proc/r.json" }, /--json "\/proc\/r.json"/],
    ["two reports to one file", { junit: "report.json", json: "report.json" }, /name the same file/],
    ["a config file's scenario off the prototype", { scenario: "toString" }, /--scenario "toString" is not a scenario/],
  ])("%s: exits 2 and makes no AWS call at all", async (_name, over, message) => {
    sim = new SimulatedAws({});
    const error = await runCommand(setup.ctx, flags(over)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FislatError);
    expect((error as FislatError).exitCode).toBe(EXIT.badInput);
    expect((error as Error).message).toMatch(message);
    expect(callsMade()).toEqual([]);
  });

  it("a preflight problem exits 6 after read-only calls only", async () => {
    sim = new SimulatedAws({ tasks: [] });
    const error = await drive(runCommand(setup.ctx, flags()).catch((e: unknown) => e));
    expect((error as FislatError).exitCode).toBe(EXIT.environment);
    const changing = callsMade().filter((name) => !/^(Get|Describe|List|Filter)/.test(name));
    expect(changing).toEqual([]);
  });
});
