// The user's app's keeper: a tiny process between fislat and the app, so that nothing of a run
// outlives fislat, even a `kill -9` no handler can see. It starts the app (`sh -c COMMAND`) in its
// own process group with its output going to a file, reports the app's pid and exit as JSON lines
// on stdout, and stops the app's whole group (SIGTERM, then SIGKILL after the grace period) when
// fislat asks ("stop" on stdin) or when its stdin closes: that pipe's only writer is fislat, so
// the kernel closes it whenever fislat ends, however it ends.
import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";

const KEEPER_VAR = "FISLAT_APP_KEEPER";

interface SupervisorConfig {
  command: string;
  cwd: string;
  env: Record<string, string>;
  outputFile: string;
  graceMs: number;
}

// fislat gone: writes fail with EPIPE, which must not end the keeper before it has stopped the app.
process.stdout.on("error", () => {});
// The settings come in a variable, not argv: the app's environment may hold secrets, and a
// command line is readable by every user of the machine (ps), a process's environment is not.
const { [KEEPER_VAR]: settings, ...appEnv } = process.env;
const config = {
  ...(JSON.parse(settings ?? "{}") as Omit<SupervisorConfig, "env">),
  env: appEnv as Record<string, string>,
};
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

/** How long the keeper waits for the killed group to be reaped before it reports. */
const GONE_WAIT_MS = 3000;
let exited = false;
let stopping = false;
/** When a requested stop's grace period ends: the group's SIGKILL, and the latest the app may take. */
let graceEndsAt = 0;
app.on("error", (error) => {
  say({ event: "error", message: error.message });
  process.exit(1);
});
app.on("exit", (code, signal) => {
  exited = true;
  // The app ended by itself: whatever it left behind in its group (background children) goes with
  // it. Stopping: only the shell has ended, which a shell that does not hand over to the app
  // (dash with `sh -c "node server.js"`) does at the group's SIGTERM while the app is still
  // closing: the app keeps its grace period, and the SIGKILL comes when that ends (stop's timer).
  if (!stopping) killGroup("SIGKILL");
  // The keeper reports only once the group is really gone (killed processes take a moment to be reaped).
  const until = Math.max(Date.now(), graceEndsAt) + GONE_WAIT_MS;
  const check = () => {
    if (groupExists() && Date.now() < until) {
      setTimeout(check, 10);
      return;
    }
    say({ event: "exited", code, signal, requested: stopping });
    process.exit(0);
  };
  check();
});

function groupExists(): boolean {
  try {
    process.kill(-group, 0);
    return true;
  } catch {
    return false;
  }
}
say({ event: "started", pid: group });

function stop(): void {
  if (stopping || exited) return;
  stopping = true;
  graceEndsAt = Date.now() + config.graceMs;
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
