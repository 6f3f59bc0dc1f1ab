// fislat sweep against AWS: each level is a whole `fislat run` flow (preflight, its own FIS
// template and experiment, logs, judgement), against ECS, FIS and CloudWatch Logs answered by the
// simulated AWS on vitest's fake clock. The simulated probe times out at 450 ms of delay and more.
import { readFileSync } from "node:fs";
import path from "node:path";
import {
  CreateExperimentTemplateCommand,
  DeleteExperimentTemplateCommand,
  StartExperimentCommand,
  StopExperimentCommand,
} from "@aws-sdk/client-fis";
import { describe, expect, it, vi } from "vitest";
import { type SweepCommandFlags, sweepCommand } from "../src/commands/sweep.js";
import type { SweepReport } from "../src/engine/sweep-report.js";
import { EXIT } from "../src/errors.js";
import { useAwsRunSetup } from "./support/aws-run-setup.js";
import {
  advanceUntil,
  drive,
  expectOneAfterAnother,
  ROLE_ARN,
  SimulatedAws,
  sent,
  settledFlag,
} from "./support/simulated-aws.js";

let sim: SimulatedAws;
const setup = useAwsRunSetup(() => sim?.reset());

const flags = (over: Partial<SweepCommandFlags> = {}): SweepCommandFlags => ({
  threshold: ["injection.failed:rate<0.05"],
  cluster: "FIS",
  service: "dynamodb-test-service",
  task: [],
  tag: [],
  stopAlarm: [],
  label: [],
  roleArn: ROLE_ARN,
  sources: "DYNAMODB",
  targetBy: "arns",
  connectionTimeout: "500",
  readTimeout: "500",
  jitter: "50",
  healthFailure: "30s",
  baseline: "20s",
  duration: "1m",
  recovery: "20s",
  delay: "200ms,400ms,800ms",
  bisect: "50ms",
  json: path.join(setup.dir, "sweep.json"),
  ...over,
});

const report = () => JSON.parse(readFileSync(path.join(setup.dir, "sweep.json"), "utf8")) as SweepReport;
const breaksAt450 = (delayMs: number) =>
  delayMs >= 450 ? { ok: false, rttMs: 503, errorKind: "timeout" } : { ok: true, rttMs: delayMs + 8 };
const delaysSent = () =>
  sent(sim.fis, CreateExperimentTemplateCommand).map(
    (t) =>
      Object.values((t as { actions: Record<string, { parameters: Record<string, string> }> }).actions)[0]?.parameters
        .delayMilliseconds,
  );

describe("fislat sweep against AWS", () => {
  it("runs one FIS experiment per level, each template deleted, and narrows the break down to the precision", async () => {
    sim = new SimulatedAws({ underFaultAt: breaksAt450 });
    expect(await drive(sweepCommand(setup.ctx, flags()))).toBe(EXIT.passed);
    // 200, 400 and 800 listed; 600, 500 and 450 by the bisection; one template and one start each.
    expect(delaysSent()).toEqual(["200", "400", "800", "600", "500", "450"]);
    expect(sent(sim.fis, StartExperimentCommand)).toHaveLength(6);
    expect(sent(sim.fis, DeleteExperimentTemplateCommand)).toEqual(
      ["EXT1", "EXT2", "EXT3", "EXT4", "EXT5", "EXT6"].map((id) => ({ id })),
    );
    expect(sent(sim.fis, StopExperimentCommand)).toEqual([]);
    // A level starts only after the previous level's fault ended.
    expectOneAfterAnother(sim);
    const r = report();
    expect(r.environment).toBe("aws");
    expect(r.breakPoint).toEqual({ held: 400, broke: 450 });
    expect(r.levels.map((l) => [l.level, l.outcome])).toEqual([
      [200, "passed"],
      [400, "passed"],
      [800, "failed"],
      [600, "failed"],
      [500, "failed"],
      [450, "failed"],
    ]);
    expect(r.levels.every((l) => l.report?.environment.kind === "aws")).toBe(true);
    expect(r.verdict).toMatch(/^holds up to 400 ms .*; breaks at 450 ms \(injection.failed: rate<0.05 observed 100.0%/);
  });

  it("draws each measured level as a dot in the HTML chart, a one-level sweep too, and the break band only when there is one", async () => {
    sim = new SimulatedAws({ underFaultAt: breaksAt450 });
    const html = path.join(setup.dir, "sweep.html");
    expect(await drive(sweepCommand(setup.ctx, flags({ delay: "200ms", bisect: undefined, html })))).toBe(EXIT.passed);
    const one = readFileSync(html, "utf8");
    // Four series (p50, p90, p99, failed share), one level: four dots, and no band to speak of.
    expect(one.match(/<circle /g)).toHaveLength(4);
    expect(report().notes).toContain(
      "one level, 200 ms: it holds or breaks there, but where it breaks lies between levels; give several (a list or a range)",
    );
    expect(one).not.toMatch(/shaded band|<rect /);
    sim = new SimulatedAws({ underFaultAt: breaksAt450 });
    expect(await drive(sweepCommand(setup.ctx, flags({ delay: "200ms,800ms", bisect: undefined, html })))).toBe(
      EXIT.passed,
    );
    const two = readFileSync(html, "utf8");
    expect(two.match(/<circle /g)).toHaveLength(8);
    expect(two).toMatch(/the shaded band is where the break lies/);
    expect(two).toMatch(/<rect /);
  });

  it("on Ctrl-C during a level stops that experiment, runs no further level, writes the report interrupted, exits 4", async () => {
    sim = new SimulatedAws({ underFaultAt: breaksAt450 });
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
    const r = report();
    expect(r).toMatchObject({ end: "interrupted", exitCode: EXIT.interrupted, skipped: [800] });
    expect(r.levels.map((l) => [l.level, l.outcome])).toEqual([
      [200, "passed"],
      [400, "interrupted"],
    ]);
    expect(r.levels[1]?.report?.fault.removal).toBe("confirmed");
  });

  it("exits 5 when a level's fault cannot be confirmed removed, starts no further level, and a second Ctrl-C says what it waits for", async () => {
    sim = new SimulatedAws({ underFaultAt: breaksAt450, neverStops: true });
    const work = sweepCommand(setup.ctx, flags());
    const settled = settledFlag(work);
    await advanceUntil(
      () =>
        [...sim.experiments.values()].some((e) => e.id === "EXP2" && Date.now() > e.actionStartAt + 5000) || settled(),
    );
    process.emit("SIGINT", "SIGINT");
    await vi.advanceTimersByTimeAsync(5000);
    process.emit("SIGINT", "SIGINT");
    expect(await drive(work)).toBe(EXIT.faultNotRemoved);
    expect(setup.stderr()).toMatch(/still stopping, waiting for: FIS experiment EXP2/);
    expect(sent(sim.fis, StartExperimentCommand)).toHaveLength(2);
    const r = report();
    expect(r).toMatchObject({ end: "interrupted", exitCode: EXIT.faultNotRemoved });
    expect(r.levels[1]?.report?.fault.removalError).toMatch(/run: fislat stop EXP2/);
  });
});
