// The real @fislat/probe as a child process: its stdout is the experiment's line source. It
// listens on loopback only, and ends when its stdin pipe ends, so it never outlives fislat
// (even after `kill -9`, which no handler of ours can see); it is spared signals sent to
// fislat's process group, so only fislat stops it.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import readline from "node:readline";
import { LOCAL_AWS_ENV } from "@fislat/dynamo-local";
import { LOCAL_PROBE_ENV } from "@fislat/probe/contract";
import { probeNodeArgs } from "@fislat/probe/launch";
import { parseProbeLine } from "@fislat/probe/record";
import type { Host } from "../context.js";
import type { RoundTripSource } from "../engine/ports.js";
import { EXIT, FislatError } from "../errors.js";

const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 3_000;

export interface ProbeProcess extends RoundTripSource {
  readonly pid: number;
  readonly port: number;
  /** Stops the probe (SIGTERM, then SIGKILL) and waits for it to exit. Idempotent. */
  terminate(): Promise<void>;
}

/** `env` is all the probe's environment sees besides its local settings: pass PATH in it if it needs one. */
export async function startProbeProcess(
  env: Record<string, string>,
  host: Pick<Host, "execPath">,
): Promise<ProbeProcess> {
  const child: ChildProcess = spawn(host.execPath, probeNodeArgs(), {
    env: { ...LOCAL_AWS_ENV, PORT: "0", ...env, ...LOCAL_PROBE_ENV },
    // We never write to stdin: the pipe exists so that our death (any death) closes it.
    stdio: ["pipe", "pipe", "pipe"],
    // Its own process group: Ctrl-C in a terminal signals fislat's group, and fislat, not the
    // terminal, decides when the probe stops (after the fault is removed and its lines are read).
    detached: true,
  });
  child.stdin?.on("error", () => {}); // EPIPE once the probe has gone: its exit is reported below
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (d: string) => {
    stderr = (stderr + d).slice(-4000);
  });
  const exited = once(child, "exit");
  const lines = readline.createInterface({ input: child.stdout as NonNullable<ChildProcess["stdout"]> });
  const early: string[] = [];
  let deliver: ((raw: string) => void) | undefined;
  lines.on("line", (raw) => (deliver ? deliver(raw) : early.push(raw)));
  const closed = once(lines, "close");

  const terminate = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(killer);
    }
    await closed;
  };

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => fail(`did not start within ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS);
    function fail(why: string) {
      clearTimeout(timer);
      reject(new FislatError(`the local probe ${why}${stderr ? `:\n${stderr.trim()}` : ""}`, EXIT.environment));
    }
    child.once("exit", (code) => fail(`exited with code ${code} before it started`));
    lines.on("line", (raw) => {
      if (!raw.includes('"Probe started"')) return;
      clearTimeout(timer);
      resolve(Number(JSON.parse(raw).port));
    });
  }).catch(async (error) => {
    await terminate();
    throw error;
  });

  let stopping = false;
  return {
    pid: child.pid as number,
    port,
    terminate,
    async start(onLine, onError) {
      deliver = (raw) => onLine(parseProbeLine(raw), raw);
      for (const raw of early.splice(0)) deliver(raw);
      child.once("exit", (code, signal) => {
        if (!stopping) onError(new Error(`the probe exited unexpectedly (${signal ?? `code ${code}`})`));
      });
    },
    async stop() {
      // Every line the probe wrote is read before the source reports itself stopped.
      stopping = true;
      await terminate();
    },
  };
}
