// The user's app's keeper: a tiny process between fislat and the app, so that nothing of a run
// outlives fislat, even a `kill -9` no handler can see. It starts the app (`sh -c COMMAND`) in its
// own process group with its output going to a file, reports the app's pid and exit as JSON lines
// on stdout, and stops the app's whole group (SIGTERM, then SIGKILL after the grace period) when
// fislat asks ("stop" on stdin) or when its stdin closes: that pipe's only writer is fislat, so
// the kernel closes it whenever fislat ends, however it ends.
import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";

interface SupervisorConfig {
  command: string;
  cwd: string;
  env: Record<string, string>;
  outputFile: string;
  graceMs: number;
}

// fislat gone: writes fail with EPIPE, which must not end the keeper before it has stopped the app.
process.stdout.on("error", () => {});
const config = JSON.parse(process.argv[2] ?? "{}") as SupervisorConfig;
const say = (event: Record<string, unknown>) => {
  try {
    process.stdout.write(`${JSON.stringify(event)}\n`);
  } catch {
    // fislat is gone: nobody to tell.
  }
};

const output = openSync(config.outputFile, "a");
const app = spawn("/bin/sh", ["-c", config.command], {
  cwd: config.cwd,
  env: config.env,
  stdio: ["ignore", output, output],
  // Its own group: Ctrl-C in fislat's terminal does not reach it, and one kill reaches all of it.
  detached: true,
});
closeSync(output);
const group = app.pid as number;

function killGroup(signal: NodeJS.Signals): void {
  try {
    process.kill(-group, signal);
  } catch {
    // ESRCH: the whole group is gone already.
  }
}

let exited = false;
let stopping = false;
app.on("error", (error) => {
  say({ event: "error", message: error.message });
  process.exit(1);
});
app.on("exit", (code, signal) => {
  exited = true;
  // Whatever the app left behind in its group (background children) goes with it.
  killGroup("SIGKILL");
  say({ event: "exited", code, signal, requested: stopping });
  process.exit(0);
});
say({ event: "started", pid: group });

function stop(): void {
  if (stopping || exited) return;
  stopping = true;
  killGroup("SIGTERM");
  setTimeout(() => killGroup("SIGKILL"), config.graceMs).unref();
}

process.stdin.on("data", (d: Buffer) => {
  if (d.toString().includes("stop")) stop();
});
process.stdin.on("end", stop);
process.stdin.on("close", stop);
process.stdin.on("error", stop);
// Signals aimed at the keeper (its own group, so not a terminal's) stop the app too.
for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) process.on(signal, stop);
