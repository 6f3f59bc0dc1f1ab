// Starts the real probe (dist/main.js) as a child process with a real environment, and stops it.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { LOCAL_AWS_ENV } from "@fislat/dynamo-local";
import { probeNodeArgs } from "../../dist/launch.js";
import { LineLog } from "./lines.js";

export interface ProbeProcess {
  child: ChildProcess;
  log: LineLog;
  stderr: () => string;
  port: number;
  url(p: string): string;
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running = new Set<ChildProcess>();

/** Kills any probe a failed test left behind; call from afterEach. */
export function killStrayProbes(): void {
  for (const child of running) child.kill("SIGKILL");
  running.clear();
}

/** `args` are node's: the probe's entry point by default, or a script that starts it. */
export function spawnProbe(
  env: Record<string, string>,
  args = probeNodeArgs(),
  options: { uid?: number; gid?: number; stdin?: "ignore" | "pipe"; node?: string } = {},
) {
  const { stdin = "ignore", node = process.execPath, ...ids } = options;
  const child = spawn(node, args, {
    env: { PATH: process.env.PATH ?? "", ...LOCAL_AWS_ENV, PORT: "0", ...env },
    stdio: [stdin, "pipe", "pipe"],
    ...ids,
  });
  running.add(child);
  child.once("exit", () => running.delete(child));
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
  });
  return { child, log: new LineLog(child.stdout as NonNullable<typeof child.stdout>), stderr: () => stderr };
}

export async function startProbeProcess(endpoint: string, env: Record<string, string> = {}, args = probeNodeArgs()) {
  return startProbeWithEnv({ AWS_ENDPOINT_URL_DYNAMODB: endpoint, ...env }, args);
}

/** Starts the probe with exactly this environment (plus PATH, local AWS settings and PORT 0). */
export async function startProbeWithEnv(env: Record<string, string>, args = probeNodeArgs()) {
  const { child, log, stderr } = spawnProbe(env, args);
  const started = await log
    .waitFor((l) => l.json?.msg === "Probe started", 10_000)
    .catch((error: Error) => {
      throw new Error(`${error.message}\nstderr: ${stderr()}`);
    });
  const port = Number(started.json?.port);
  const probe: ProbeProcess = {
    child,
    log,
    stderr,
    port,
    url: (p) => `http://127.0.0.1:${port}${p}`,
    async stop(signal = "SIGTERM") {
      if (child.exitCode !== null || child.signalCode !== null) {
        return { code: child.exitCode, signal: child.signalCode };
      }
      child.kill(signal);
      const [code, sig] = (await once(child, "exit")) as [number | null, NodeJS.Signals | null];
      return { code, signal: sig };
    },
  };
  return probe;
}
