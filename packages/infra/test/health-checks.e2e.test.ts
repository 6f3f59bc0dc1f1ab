// The deployed health checks against the real probe while DynamoDB is slow: the template's target
// group path is requested over HTTP and its container health check command is run as ECS runs it
// (node -e, the exit code decides), against the probe process reading dynalite through the
// latency proxy. With the defaults both stay healthy through the fault, so ECS keeps the task
// under test; with the original setup's deep check (HealthCheckPath=/health) both fail, which is
// what makes ECS replace the task halfway through an experiment.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { type LocalDynamo, startLocalDynamo } from "@fislat/dynamo-local";
import { LatencyProxy } from "@fislat/latency-proxy";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { killStrayProbes, type ProbeProcess, startProbeProcess } from "../../probe/test/support/probe-process.js";
import { PROBE_CONTAINER } from "../src/stack.js";
import { synthesizeTemplate } from "../src/synth.js";
import { evaluator } from "./support/evaluate.js";

type Template = Parameters<typeof evaluator>[0] & {
  Resources: Record<string, { Properties: Record<string, unknown> }>;
};

/** The target group's path and the probe container's health check command, as deployed with `values`. */
let synthesized: Template | undefined;
function healthChecks(values: Record<string, string>) {
  synthesized ??= synthesizeTemplate() as unknown as Template;
  const template = synthesized;
  const { value } = evaluator(template, values);
  const targetGroup = value(template.Resources.TargetGroup?.Properties) as { HealthCheckPath: string };
  const task = value(template.Resources.TaskDefinition?.Properties) as {
    ContainerDefinitions: { Name: string; HealthCheck: { Command: string[] } }[];
  };
  const command = task.ContainerDefinitions.find((c) => c.Name === PROBE_CONTAINER)?.HealthCheck.Command ?? [];
  return { path: targetGroup.HealthCheckPath, command };
}

/** Runs a CMD-form container health check command the way the agent does; resolves with its exit code. */
async function runHealthCheck(command: string[], port: number): Promise<number | null> {
  expect(command[0]).toBe("CMD");
  const [program, ...args] = command.slice(1) as [string, ...string[]];
  const child = spawn(program === "node" ? process.execPath : program, args, {
    env: { PATH: process.env.PATH ?? "", PORT: String(port) },
    stdio: "ignore",
  });
  const [code] = (await once(child, "exit")) as [number | null];
  return code;
}

let db: LocalDynamo;
let proxy: LatencyProxy;
let probe: ProbeProcess;

beforeAll(async () => {
  db = await startLocalDynamo();
  proxy = await LatencyProxy.start({ target: { host: "127.0.0.1", port: db.port } });
  // The scenario's timeouts, a short failure window so /health turns 503 soon.
  probe = await startProbeProcess(`http://127.0.0.1:${proxy.port}`, {
    CONNECTION_TIMEOUT_MS: "500",
    READ_TIMEOUT_MS: "500",
    TEST_INTERVAL_SECONDS: "0.2",
    HEALTH_FAILURE_SECONDS: "1",
  });
  await probe.log.waitFor((l) => l.json?.msg === "Round trip" && l.json.ok === true);
  // DynamoDB slow: 800 ms +/- 50 ms, as the default fault; the probe's /health turns 503.
  proxy.startFault({ delayMs: 800, jitterMs: 50, maxDurationMs: 60_000 });
  await probe.log.waitFor((l) => l.json?.msg === "Health changed" && l.json.healthy === false);
});

afterAll(async () => {
  await probe?.stop("SIGKILL");
  killStrayProbes();
  await proxy?.close();
  await db?.close();
});

describe("the deployed health checks while DynamoDB is slow (the real probe)", () => {
  it("stay healthy by default: the target group's /live answers 200 and the container check exits 0", async () => {
    const checks = healthChecks({});
    expect(checks.path).toBe("/live");
    expect((await fetch(probe.url(checks.path))).status).toBe(200);
    expect(await runHealthCheck(checks.command, probe.port)).toBe(0);
    // ...while the deep /health, which the experiment observes, says DynamoDB is failing.
    expect((await fetch(probe.url("/health"))).status).toBe(503);
  });

  it("fail with --deep-health-check (HealthCheckPath=/health), as the original setup's did", async () => {
    const checks = healthChecks({ HealthCheckPath: "/health" });
    expect(checks.path).toBe("/health");
    expect((await fetch(probe.url(checks.path))).status).toBe(503);
    expect(await runHealthCheck(checks.command, probe.port)).toBe(1);
  });
});
