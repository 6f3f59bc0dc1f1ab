#!/usr/bin/env node
// Entry point of the probe process: configuration from the environment (exit 2 when invalid),
// start, and a clean exit 0 within 2 s on SIGTERM (what ECS sends) or SIGINT, or on the end of
// stdin when PROBE_EXIT_ON_STDIN_END is set (the parent died: nothing else would tell us).
import { CONFIG_EXIT_CODE, ConfigError, loadConfig } from "./config.js";
import { loggedUrl } from "./http-target.js";
import { resolveTaskIdentity } from "./identity.js";
import { jsonLineWriter } from "./log.js";
import { ListenError, type RunningProbe, startProbe } from "./probe.js";

const SHUTDOWN_BUDGET_MS = 1800;

type StopReason = NodeJS.Signals | "stdin-end";

async function main(): Promise<void> {
  const log = jsonLineWriter();
  let probe: RunningProbe | undefined;
  let task = "";
  let stopReason: StopReason | undefined;

  const stop = (reason: StopReason) => {
    if (!probe) return; // still starting: it stops as soon as it has started (below)
    // A hard deadline in case something refuses to close; ECS kills at 30 s, we promise 2 s.
    setTimeout(() => process.exit(0), SHUTDOWN_BUDGET_MS).unref();
    probe.stop().then(
      () => {
        log({ msg: "Probe stopped", signal: reason, task });
        process.exit(0);
      },
      () => process.exit(0),
    );
  };
  const requestStop = (reason: StopReason) => {
    if (stopReason) return;
    stopReason = reason;
    stop(reason);
  };
  // Before anything else: a signal that lands while the probe starts (a parent may send one the
  // moment it reads "Probe started") must still end in a clean exit 0, not the default death.
  process.once("SIGTERM", requestStop);
  process.once("SIGINT", requestStop);

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
  if (config.exitOnStdinEnd) watchStdin().then(() => requestStop("stdin-end"));

  task = await resolveTaskIdentity();
  try {
    probe = await startProbe(config, { log, task });
  } catch (error) {
    if (error instanceof ListenError) {
      process.stderr.write(`fislat-probe: ${error.message}\n`);
      process.exit(CONFIG_EXIT_CODE);
    }
    throw error;
  }
  log({
    msg: "Probe started",
    task,
    port: probe.port,
    host: config.host ?? "all interfaces",
    // HTTP mode (TARGET_URL) requests the user's service; the DynamoDB settings then do not apply.
    ...(config.target
      ? { mode: "http", method: config.target.method, url: loggedUrl(config.target.url) }
      : { mode: "dynamodb", table: config.tableName, op: config.operation }),
    connectionTimeoutMs: config.connectionTimeoutMs,
    readTimeoutMs: config.readTimeoutMs,
    intervalMs: config.intervalMs,
    healthFailureMs: config.healthFailureMs,
    maxAttempts: config.maxAttempts,
    pid: process.pid,
  });
  if (stopReason) stop(stopReason);
}

/** Resolves when stdin ends or fails: the parent holding the pipe's other end closed it or died. */
function watchStdin(): Promise<void> {
  return new Promise((resolve) => {
    const done = () => resolve();
    process.stdin.on("end", done);
    process.stdin.on("close", done);
    process.stdin.on("error", done);
    // Whatever the parent writes is not for us; reading keeps the end observable.
    process.stdin.on("data", () => {});
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`fislat-probe: could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
