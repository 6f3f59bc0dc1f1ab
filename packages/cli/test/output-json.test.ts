// --output json means the same on every command: one JSON document on stdout, for a program.
import { CreateExperimentTemplateCommand, FisClient, StartExperimentCommand } from "@aws-sdk/client-fis";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { listCommand, stopCommand } from "../src/commands/stop.js";
import { EXIT } from "../src/errors.js";
import { runCli } from "./support/cli.js";
import { testContext } from "./support/context.js";
import { drive, PAST_RUN_TEMPLATE, SimulatedAws } from "./support/simulated-aws.js";

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

async function startedExperiment() {
  const fis = new FisClient({});
  const template = await fis.send(new CreateExperimentTemplateCommand(PAST_RUN_TEMPLATE));
  const res = await fis.send(
    new StartExperimentCommand({
      experimentTemplateId: template.experimentTemplate?.id as string,
      clientToken: "t",
      tags: { "managed-by": "fislat", "fislat-scenario": "timeout" },
    }),
  );
  await vi.advanceTimersByTimeAsync(5000);
  return res.experiment?.id as string;
}

describe("--output json", () => {
  it("list prints fislat's experiments as one JSON document", async () => {
    const id = await startedExperiment();
    const ctx = testContext();
    await drive(listCommand(ctx, { output: "json" }));
    const doc = JSON.parse(ctx.stdout.text());
    expect(doc.experiments).toEqual([expect.objectContaining({ id, state: "running", scenario: "timeout" })]);
  });

  it("list prints an empty list, not a sentence, when there is nothing", async () => {
    const ctx = testContext();
    await drive(listCommand(ctx, { output: "json" }));
    expect(JSON.parse(ctx.stdout.text())).toEqual({ experiments: [] });
  });

  it("stop prints each experiment's final state as one JSON document", async () => {
    const id = await startedExperiment();
    const ctx = testContext();
    const code = await drive(stopCommand(ctx, { ids: [id], output: "json" }));
    expect(code).toBe(EXIT.passed);
    // stdout is the one document; the running commentary went to stderr.
    expect(JSON.parse(ctx.stdout.text())).toEqual({ experiments: [{ id, state: "stopped", stopped: true }] });
    expect(ctx.stderr.text()).toBe(`${id}: stopped\n`);
  });

  it("config prints every setting with the value run will use and its source", async () => {
    const { code, stdout } = await runCli(["config", "--local", "--baseline", "6s", "--output", "json"]);
    expect(code).toBe(0);
    const { settings } = JSON.parse(stdout) as { settings: { flag: string; value: unknown; source: string }[] };
    const byFlag = Object.fromEntries(settings.map((s) => [s.flag, s]));
    expect(byFlag["--baseline"]).toEqual({ flag: "--baseline", value: "6s", source: "flag" });
    expect(byFlag["--duration"]).toEqual({
      flag: "--duration",
      value: "40 s",
      source: "default (scenario timeout, local)",
    });
    expect(byFlag["--read-timeout"]).toMatchObject({ value: "500 ms", source: "default (scenario timeout, local)" });
    expect(byFlag["--live-tail"]).toEqual({ flag: "--live-tail", value: true, source: "default" });
    expect(byFlag["--no-live-tail"]).toBeUndefined();
    expect(byFlag["--cluster"]).toEqual({ flag: "--cluster", value: null, source: "unset" });
  });

  it("is refused with the allowed values when the format is unknown, exit 2", async () => {
    const { code, stderr } = await runCli(["list", "--output", "yaml"]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--output.*yaml.*text, json/s);
  });
});
