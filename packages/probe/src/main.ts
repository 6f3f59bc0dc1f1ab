#!/usr/bin/env node
// Entry point of the probe process: configuration from the environment (exit 2 when invalid),
// start, and a clean exit 0 within 2 s on SIGTERM (what ECS sends) or SIGINT.
import { CONFIG_EXIT_CODE, ConfigError, loadConfig } from "./config.js";
import { resolveTaskIdentity } from "./identity.js";
import { jsonLineWriter } from "./log.js";
import { startProbe } from "./probe.js";

const SHUTDOWN_BUDGET_MS = 1800;

async function main(): Promise<void> {
  const log = jsonLineWriter();
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`fislat-probe: ${error.message}\n`);
      process.exit(CONFIG_EXIT_CODE);
    }
    throw error;
  }

  const task = await resolveTaskIdentity();
  const probe = await startProbe(config, { log, task });
  log({
    msg: "Probe started",
    task,
    port: probe.port,
    table: config.tableName,
    op: config.operation,
    connectionTimeoutMs: config.connectionTimeoutMs,
    readTimeoutMs: config.readTimeoutMs,
    intervalMs: config.intervalMs,
    healthFailureMs: config.healthFailureMs,
    maxAttempts: config.maxAttempts,
    pid: process.pid,
  });

  const shutdown = (signal: NodeJS.Signals) => {
    // A hard deadline in case something refuses to close; ECS kills at 30 s, we promise 2 s.
    setTimeout(() => process.exit(0), SHUTDOWN_BUDGET_MS).unref();
    probe.stop().then(
      () => {
        log({ msg: "Probe stopped", signal, task });
        process.exit(0);
      },
      () => process.exit(0),
    );
  };
  process.once("SIGTERM", shutdown);
  process.once("SIGINT", shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`fislat-probe: could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
