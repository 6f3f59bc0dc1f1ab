// fislat sweep against the user's own ECS service on AWS (`--cluster C --service S --url U`): each
// level is a whole `fislat run` of the service, FIS aimed at the service's tasks with the level's
// delay, the load from a probe task in HTTP mode (--launch) whose lines come through CloudWatch
// Logs, all answered by the simulated AWS on vitest's fake clock. The simulated service calls
// DynamoDB twice per request, so its requests take twice the delay (and 20 ms) under the fault:
// 'injection.rtt:p(99)<1000' holds up to 450 ms and breaks from 500 ms.
// The load from this machine (no --launch) cannot run on the fake clock (the generator measures
// with node:perf_hooks' real clock); its plan is checked here, its requests in aws-service-operator-load.test.ts.
import { readFileSync } from "node:fs";
import path from "node:path";
import { RunTaskCommand, StopTaskCommand } from "@aws-sdk/client-ecs";
import {
  CreateExperimentTemplateCommand,
  DeleteExperimentTemplateCommand,
  StartExperimentCommand,
  StopExperimentCommand,
} from "@aws-sdk/client-fis";
import { describe, expect, it } from "vitest";
import { type SweepCommandFlags, sweepCommand } from "../src/commands/sweep.js";
import { planSweep } from "../src/engine/sweep-plan.js";
import type { SweepReport } from "../src/engine/sweep-report.js";
import { EXIT, FislatError } from "../src/errors.js";
import { useAwsRunSetup } from "./support/aws-run-setup.js";
import { readyServiceDefinition, simulateService, useTaskRoleAllowed } from "./support/service-simulation.js";
import {
  advanceUntil,
  drive,
  expectOneAfterAnother,
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

const flags = (over: Partial<SweepCommandFlags> = {}): SweepCommandFlags => ({
  cluster: "FIS",
  service: "orders",
  url: [URL],
  rate: "1",
  launch: true,
  taskDefinition: "fislat-probe",
  task: [],
  tag: [],
  stopAlarm: [],
  label: [],
  roleArn: ROLE_ARN,
  threshold: ["injection.rtt:p(99)<1000"],
  baseline: "20s",
  duration: "1m",
  recovery: "20s",
  delay: "200ms,400ms,800ms",
  bisect: "50ms",
  json: path.join(setup.dir, "sweep.json"),
  ...over,
});

/** Two DynamoDB calls per request: twice the delay. */
const twoCalls = (delayMs: number) => ({ ok: true, rttMs: 2 * delayMs + 20 });

function simulate(options: SimulationOptions = {}) {
  sim = simulateService({
    definition: readyServiceDefinition([{ name: "TEST_INTERVAL_SECONDS", value: "1" }]),
    linesFollowFault: true,
    underFaultAt: twoCalls,
    ...options,
  });
}

useTaskRoleAllowed();

const report = () => JSON.parse(readFileSync(path.join(setup.dir, "sweep.json"), "utf8")) as SweepReport;

type Template = {
  targets: Record<string, { resourceArns?: string[] }>;
  actions: Record<string, { actionId: string; parameters: Record<string, string> }>;
};
const templates = () => sent(sim.fis, CreateExperimentTemplateCommand) as unknown as Template[];
const delaysSent = () => templates().map((t) => Object.values(t.actions)[0]?.parameters.delayMilliseconds);

describe("planning a sweep of your ECS service", () => {
  it("plans every level as a run against the service, the load from this machine without --launch", () => {
    const plan = planSweep(flags({ launch: undefined, taskDefinition: undefined, rate: "20" }), {
      kind: "file",
      name: "--url",
      data: { version: 1, name: "orders" },
    });
    expect(plan.settings.levels).toEqual([200, 400, 800]);
    for (const level of plan.settings.levels) {
      const request = plan.requestAt(level);
      expect(request.target).toMatchObject({ kind: "aws-service", cluster: "FIS", service: "orders", launch: false });
      expect(request.load).toMatchObject({ urls: [URL], ratePerSecond: 20 });
      expect(request.fault).toMatchObject({ kind: "latency", delayMs: level });
    }
  });

  it("refuses a service sweep without --rate, with exit 2, before anything starts", async () => {
    simulate();
    const error = await drive(sweepCommand(setup.ctx, flags({ rate: undefined })).catch((e) => e));
    expect(error).toBeInstanceOf(FislatError);
    expect((error as FislatError).exitCode).toBe(EXIT.badInput);
    expect((error as FislatError).message).toMatch(/--rate is required with --url/);
    expect(sent(sim.ecs, RunTaskCommand)).toEqual([]);
    expect(sent(sim.fis, CreateExperimentTemplateCommand)).toEqual([]);
  });
});

describe("fislat sweep --cluster --service --url --launch on AWS", () => {
  it("runs one FIS experiment per level on the service's tasks, each template deleted, and narrows the break down", async () => {
    simulate();
    expect(await drive(sweepCommand(setup.ctx, flags()))).toBe(EXIT.passed);
    // 200, 400 and 800 listed (800 broke); 600, 500 and 450 by the bisection.
    expect(delaysSent()).toEqual(["200", "400", "800", "600", "500", "450"]);
    // Every level's fault is aimed at the service's task, never at the probe task sending the load.
    for (const t of templates()) {
      expect(Object.values(t.targets).map((x) => x.resourceArns)).toEqual([[taskArn("task0001")]]);
      expect(Object.values(t.actions)[0]?.actionId).toBe("aws:ecs:task-network-latency");
    }
    expect(sent(sim.fis, StartExperimentCommand)).toHaveLength(6);
    expect(sent(sim.fis, DeleteExperimentTemplateCommand)).toEqual(
      ["EXT1", "EXT2", "EXT3", "EXT4", "EXT5", "EXT6"].map((id) => ({ id })),
    );
    expect(sent(sim.fis, StopExperimentCommand)).toEqual([]);
    // One probe task per level, in the service's network, in HTTP mode, stopped at the level's end.
    const launched = [1, 2, 3, 4, 5, 6].map((n) => taskArn(`launched${n}`));
    expect(sent(sim.ecs, RunTaskCommand)).toHaveLength(6);
    for (const run of sent(sim.ecs, RunTaskCommand)) {
      expect(run).toMatchObject({
        cluster: "FIS",
        taskDefinition: "fislat-probe",
        networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-svc"], securityGroups: ["sg-svc"] } },
      });
      const env = (run.overrides as { containerOverrides: { environment: { name: string; value: string }[] }[] })
        .containerOverrides[0]?.environment;
      expect(env).toContainEqual({ name: "TARGET_URL", value: URL });
    }
    expect(sent(sim.ecs, StopTaskCommand).map((s) => s.task)).toEqual(launched);
    // A level starts only after the previous level's fault ended.
    expectOneAfterAnother(sim);

    const r = report();
    expect(r.environment).toBe("aws-service");
    expect(r.breakPoint).toEqual({ held: 450, broke: 500 });
    expect(r.predicted).toBeNull(); // the timeout model is the probe's: none for a service
    expect(r.levels.map((l) => [l.level, l.purpose, l.outcome])).toEqual([
      [200, "listed", "passed"],
      [400, "listed", "passed"],
      [800, "listed", "failed"],
      [600, "bisection", "failed"],
      [500, "bisection", "failed"],
      [450, "bisection", "passed"],
    ]);
    // Every level's load was judged: the service's requests counted under the fault, and the fault seen in them.
    for (const l of r.levels) {
      expect(l.report?.environment.target).toMatch(/^service orders in cluster FIS .* from probe task launched\d$/);
      expect(l.report?.phases.baseline.count).toBeGreaterThan(10);
      expect(l.report?.phases.injection.count).toBeGreaterThan(50);
      expect(l.report?.fault.removal).toBe("ended"); // FIS ended the action itself, at its duration
      expect(JSON.stringify(l.report?.evidence)).toMatch(/the fault reached service orders's requests/);
    }
    // The service's p99 at each end: 2 x 450 + 20 and 2 x 500 + 20.
    expect(r.verdict).toBe(
      "holds up to 450 ms (injection.rtt 920 ms); breaks at 500 ms (injection.rtt: p(99)<1000 observed 1020 ms); the break lies above 450 ms and at or below 500 ms (±25 ms)",
    );
    expect(r.exitCode).toBe(EXIT.passed);
  });

  it("stops at the first level that breaks without --bisect: the levels above are skipped", async () => {
    simulate();
    expect(await drive(sweepCommand(setup.ctx, flags({ bisect: undefined, delay: "200ms,600ms,800ms" })))).toBe(
      EXIT.passed,
    );
    expect(delaysSent()).toEqual(["200", "600"]);
    expect(sent(sim.fis, DeleteExperimentTemplateCommand)).toEqual([{ id: "EXT1" }, { id: "EXT2" }]);
    const r = report();
    expect(r).toMatchObject({ environment: "aws-service", breakPoint: { held: 200, broke: 600 }, skipped: [800] });
  });

  it("on Ctrl-C during a level stops that experiment and its probe task, runs no further level, exits 4", async () => {
    simulate();
    const work = sweepCommand(setup.ctx, flags());
    const settled = settledFlag(work);
    // The second level's experiment is running.
    await advanceUntil(
      () =>
        [...sim.experiments.values()].some((e) => e.id === "EXP2" && Date.now() > e.actionStartAt + 5000) || settled(),
    );
    process.emit("SIGINT", "SIGINT");
    expect(await drive(work)).toBe(EXIT.interrupted);
    expect(sent(sim.fis, StopExperimentCommand)).toEqual([expect.objectContaining({ id: "EXP2" })]);
    expect(sent(sim.fis, StartExperimentCommand)).toHaveLength(2);
    expect(sent(sim.fis, DeleteExperimentTemplateCommand)).toEqual([{ id: "EXT1" }, { id: "EXT2" }]);
    expect(sent(sim.ecs, RunTaskCommand)).toHaveLength(2);
    expect(sent(sim.ecs, StopTaskCommand).map((s) => s.task)).toEqual([taskArn("launched1"), taskArn("launched2")]);
    const r = report();
    expect(r).toMatchObject({
      environment: "aws-service",
      end: "interrupted",
      exitCode: EXIT.interrupted,
      skipped: [800],
      interrupted: { reason: expect.stringMatching(/SIGINT/) },
    });
    expect(r.levels.map((l) => [l.level, l.outcome])).toEqual([
      [200, "passed"],
      [400, "interrupted"],
    ]);
    expect(r.levels[1]?.report?.fault.removal).toBe("confirmed");
  });
});
