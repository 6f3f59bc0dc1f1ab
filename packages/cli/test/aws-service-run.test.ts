// `fislat run --cluster C --service S --url U --rate N` against the simulated AWS: the plan (what is
// refused, exit 2), the preflight on the user's service (exit 6 with the change, nothing created),
// and whole --launch runs: FIS aimed at the service's tasks, the load from a probe task in HTTP
// mode whose lines come through CloudWatch Logs, and the evidence the fault reached the service.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { RunTaskCommand, StopTaskCommand } from "@aws-sdk/client-ecs";
import {
  CreateExperimentTemplateCommand,
  DeleteExperimentTemplateCommand,
  StopExperimentCommand,
} from "@aws-sdk/client-fis";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { type RunCommandFlags, runCommand } from "../src/commands/run.js";
import { planRun } from "../src/commands/run-options.js";
import type { Report } from "../src/engine/report.js";
import { EXIT, FislatError } from "../src/errors.js";
import { useAwsRunSetup } from "./support/aws-run-setup.js";
import { readyServiceDefinition, simulateService, useTaskRoleAllowed } from "./support/service-simulation.js";
import {
  advanceUntil,
  drive,
  ROLE_ARN,
  type SimulatedAws,
  type SimulationOptions,
  sent,
  settledFlag,
  taskArn,
} from "./support/simulated-aws.js";

let sim: SimulatedAws;
const setup = useAwsRunSetup(() => sim?.reset());

const URL = "https://orders.example.com/orders/42";

const flags = (over: Partial<RunCommandFlags> = {}): RunCommandFlags => ({
  cluster: "FIS",
  service: "orders",
  url: [URL],
  rate: "1",
  task: [],
  tag: [],
  stopAlarm: [],
  roleArn: ROLE_ARN,
  baseline: "20s",
  duration: "2m",
  recovery: "20s",
  json: path.join(setup.dir, "report.json"),
  ...over,
});

/** The user's service's task definition, ready for the fault (the simulated probe container stays, as its app). */
const ready = () =>
  readyServiceDefinition([
    { name: "CONNECTION_TIMEOUT_MS", value: "500" },
    { name: "READ_TIMEOUT_MS", value: "500" },
    { name: "TEST_INTERVAL_SECONDS", value: "1" },
  ]);

function simulate(options: SimulationOptions) {
  sim = simulateService({ definition: ready(), ...options });
}

useTaskRoleAllowed();

const validReport = new Ajv({ strict: false, validateFormats: false, allErrors: true }).compile(
  createRequire(import.meta.url)("../schemas/report.schema.json"),
);

const report = () => JSON.parse(readFileSync(path.join(setup.dir, "report.json"), "utf8")) as Report;

describe("planning a run against your ECS service", () => {
  it("aims at the service with the load planned as for your app", () => {
    const request = planRun(flags({ header: ["Authorization: Bearer x"], rate: "20" }), process.cwd());
    expect(request.target).toMatchObject({ kind: "aws-service", cluster: "FIS", service: "orders", launch: false });
    expect(request.load).toMatchObject({ urls: [URL], ratePerSecond: 20, headers: { Authorization: "Bearer x" } });
    // No thresholds given: the documented default hypothesis.
    expect(request.hypothesis.map((c) => c.id)).toContain("injection.failed: rate<0.01");
  });

  it.each<[string, Partial<RunCommandFlags>, RegExp]>([
    ["--tables", { tables: "t.json" }, /--tables applies to a run with --local/],
    ["--task", { task: ["abc"] }, /--task and --tag name fislat's probe tasks/],
    ["no --service", { service: undefined }, /--url on AWS needs --service NAME/],
    ["--launch without --task-definition", { launch: true }, /--launch needs --task-definition/],
    ["--launch with two URLs", { launch: true, taskDefinition: "p", url: [URL, URL] }, /give one --url/],
    ["--launch above 100/s", { launch: true, taskDefinition: "p", rate: "200" }, /more than one probe task sends/],
    [
      "--launch with a header the probe manages",
      { launch: true, taskDefinition: "p", header: ["Content-Length: 5"] },
      /the probe would refuse the load: TARGET_HEADERS=.* sets "Content-Length", which the probe manages itself/,
    ],
    ["no --role-arn", { roleArn: undefined }, /--role-arn is required/],
  ])("refuses %s with exit 2", (_what, over, message) => {
    let error: unknown;
    try {
      planRun(flags(over), process.cwd());
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FislatError);
    expect((error as FislatError).exitCode).toBe(EXIT.badInput);
    expect((error as FislatError).message).toMatch(message);
  });
});

describe("fislat run --cluster --service --url on AWS", () => {
  it("refuses a service that is not ready, with the change to paste, and creates nothing", async () => {
    simulate({ definition: { ...ready(), enableFaultInjection: false } });
    const error = await drive(
      runCommand(setup.ctx, flags({ launch: true, taskDefinition: "fislat-probe" })).catch((e) => e),
    );
    expect(error).toBeInstanceOf(FislatError);
    expect((error as FislatError).exitCode).toBe(EXIT.environment);
    expect((error as FislatError).message).toMatch(/does not have "enableFaultInjection": true/);
    expect((error as FislatError).message).toMatch(/"enableFaultInjection": true/);
    expect(sent(sim.ecs, RunTaskCommand)).toEqual([]);
    expect(sent(sim.fis, CreateExperimentTemplateCommand)).toEqual([]);
  });

  it("--launch: FIS hits the service's tasks, a probe task in HTTP mode sends the load, and the verdict is the service's", async () => {
    simulate({ linesFollowFault: true, underFault: { ok: true, rttMs: 900 } });
    const code = await drive(
      runCommand(
        setup.ctx,
        flags({ launch: true, taskDefinition: "fislat-probe", header: ["X-Run: fislat"], okStatus: "2xx" }),
      ),
    );
    expect(code).toBe(EXIT.passed);
    const [runTask] = sent(sim.ecs, RunTaskCommand);
    expect(runTask).toMatchObject({
      cluster: "FIS",
      taskDefinition: "fislat-probe",
      // In the service's own subnets and security groups, so it reaches what the service's clients reach.
      networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-svc"], securityGroups: ["sg-svc"] } },
    });
    const overrides = runTask?.overrides as {
      containerOverrides: { environment: { name: string; value: string }[] }[];
    };
    const env = overrides.containerOverrides[0]?.environment;
    expect(Object.fromEntries((env ?? []).map((e) => [e.name, e.value]))).toEqual({
      TARGET_URL: URL,
      TARGET_METHOD: "GET",
      TARGET_OK_STATUS: "2xx",
      TARGET_HEADERS: '{"X-Run":"fislat"}',
      TEST_INTERVAL_SECONDS: "1",
      CONNECTION_TIMEOUT_MS: "2000",
      READ_TIMEOUT_MS: "2000",
      MAX_ATTEMPTS: "1",
    });
    // The fault is aimed at the service's task, never at the probe task that sends the load.
    expect(sent(sim.fis, CreateExperimentTemplateCommand)[0]).toMatchObject({
      targets: { probeTasks: { resourceArns: [taskArn("task0001")] } },
    });
    expect(sent(sim.ecs, StopTaskCommand)).toEqual([expect.objectContaining({ task: taskArn("launched1") })]);
    const r = report();
    validReport(r);
    expect(validReport.errors ?? []).toEqual([]);
    expect(r.outcome).toBe("passed");
    expect(r.phases.injection.count).toBeGreaterThan(60);
    // The load is the run's record, as for an app on this machine: its reports count requests.
    expect(r.environment.app).toEqual({ urls: [URL], ratePerSecond: 1 });
    expect(setup.stdout()).toMatch(/│ requests +│/);
    expect(JSON.stringify(r.evidence)).toMatch(/the fault reached service orders's requests: their median rose/);
    expect(JSON.stringify(r.evidence)).toMatch(/"dynamodbCalls":"not observable on AWS"/);
  });

  it("--launch: requests that do not show the fault make the run inconclusive, saying it cannot tell why", async () => {
    simulate({});
    const code = await drive(runCommand(setup.ctx, flags({ launch: true, taskDefinition: "fislat-probe" })));
    expect(code).toBe(EXIT.inconclusive);
    const r = report();
    expect(r.outcome).toBe("inconclusive");
    expect(JSON.stringify(r)).toMatch(
      /neither slowed down .* nor failed more under the fault, and fislat cannot count its DynamoDB calls on AWS/,
    );
  });

  it("--launch, Ctrl-C under the fault: the experiment is stopped, the probe task too, exit 4", async () => {
    simulate({ linesFollowFault: true, underFault: { ok: true, rttMs: 900 } });
    const work = runCommand(setup.ctx, flags({ launch: true, taskDefinition: "fislat-probe" }));
    const settled = settledFlag(work);
    await advanceUntil(
      () => [...sim.experiments.values()].some((e) => Date.now() > e.actionStartAt + 5000) || settled(),
    );
    process.emit("SIGINT", "SIGINT");
    expect(await drive(work)).toBe(EXIT.interrupted);
    expect(sent(sim.fis, StopExperimentCommand)).toEqual([{ id: "EXP1" }]);
    expect(sent(sim.fis, DeleteExperimentTemplateCommand)).toEqual([{ id: "EXT1" }]);
    expect(sent(sim.ecs, StopTaskCommand)).toEqual([expect.objectContaining({ task: taskArn("launched1") })]);
    expect(report()).toMatchObject({ outcome: "interrupted", fault: { removal: "confirmed" } });
  });
});
