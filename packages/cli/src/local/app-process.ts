// The user's app as a child of its keeper (app-supervisor.ts): started with the environment the
// run gives it, its output in a file, stopped (SIGTERM, then SIGKILL after a grace period) when
// the run ends, and gone with fislat if fislat is killed outright.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";
import type { Host } from "../context.js";
import { EXIT, FislatError } from "../errors.js";

const SUPERVISOR = path.join(path.dirname(fileURLToPath(import.meta.url)), "app-supervisor.js");

export interface AppExit {
  code: number | null;
  signal: string | null;
  /** fislat asked it to stop. */
  requested: boolean;
}

export interface AppProcess {
  readonly pid: number;
  readonly command: string;
  readonly outputFile: string;
  /** Settles when the app has exited (by itself, or stopped). */
  readonly exited: Promise<AppExit>;
  /** Whether it has exited already. */
  exitedWith(): AppExit | undefined;
  /** The last lines the app wrote (stdout and stderr), for messages. */
  lastLines(count?: number): string;
  /** Stops the app and its whole process group; resolves once they are gone. Idempotent. */
  stop(): Promise<void>;
}

export interface AppOptions {
  command: string;
  cwd: string;
  env: Record<string, string>;
  outputFile: string;
  /** SIGTERM to SIGKILL. */
  graceMs: number;
  /** The keeper runs on fislat's Node.js; the app's group is killed through here if the keeper is gone. */
  host: Host;
}

/** How much of the output file's end `lastLines` reads. */
const TAIL_BYTES = 16 * 1024;

export function tailOf(file: string, count: number): string {
  try {
    const fd = openSync(file, "r");
    try {
      const size = fstatSync(fd).size;
      const length = Math.min(size, TAIL_BYTES);
      const buffer = Buffer.alloc(length);
      readSync(fd, buffer, 0, length, size - length);
      return buffer.toString("utf8").trimEnd().split("\n").slice(-count).join("\n");
    } finally {
      closeSync(fd);
    }
  } catch {
    return "";
  }
}

export async function startApp(options: AppOptions): Promise<AppProcess> {
  const keeper: ChildProcess = spawn(
    options.host.execPath,
    [SUPERVISOR],
    // stdin: the pipe whose closing (fislat's death, any death) stops the app. Its own group and
    // session, so a terminal's Ctrl-C reaches neither it nor the app: fislat stops them in order.
    {
      stdio: ["pipe", "pipe", "pipe"],
      detached: true,
      env: {
        ...options.env,
        // The keeper's settings (see app-supervisor.ts); it passes the rest on to the app.
        FISLAT_APP_KEEPER: JSON.stringify({
          command: options.command,
          cwd: options.cwd,
          outputFile: options.outputFile,
          graceMs: options.graceMs,
        }),
      },
    },
  );
  keeper.stdin?.on("error", () => {});
  let keeperErr = "";
  keeper.stderr?.setEncoding("utf8").on("data", (d: string) => {
    keeperErr = (keeperErr + d).slice(-2000);
  });
  const keeperExit = once(keeper, "exit");
  const lines = readline.createInterface({ input: keeper.stdout as NonNullable<ChildProcess["stdout"]> });
  let exit: AppExit | undefined;
  let pid: number | undefined;
  const started = new Promise<number>((resolve, reject) => {
    lines.on("line", (raw) => {
      let event: {
        event?: string;
        pid?: number;
        code?: number | null;
        signal?: string | null;
        requested?: boolean;
        message?: string;
      };
      try {
        event = JSON.parse(raw);
      } catch {
        return;
      }
      if (event.event === "started") {
        pid = event.pid as number;
        resolve(pid);
      } else if (event.event === "exited") {
        exit = { code: event.code ?? null, signal: event.signal ?? null, requested: event.requested ?? false };
      } else if (event.event === "error") {
        reject(new FislatError(`could not start the app (${options.command}): ${event.message}`, EXIT.environment));
      }
    });
    keeper.once("exit", () =>
      reject(
        new FislatError(
          `the app's keeper process ended before the app started${keeperErr ? `: ${keeperErr.trim()}` : ""}`,
          EXIT.environment,
        ),
      ),
    );
  });
  const appPid = await started;
  const exited: Promise<AppExit> = keeperExit.then(() => {
    // The keeper reports the app's exit before it ends; if it was killed itself, the app's
    // group is killed here, so nothing is left either way.
    if (exit) return exit;
    try {
      options.host.kill(-appPid, "SIGKILL");
    } catch {
      // already gone
    }
    exit = { code: null, signal: "SIGKILL", requested: true };
    return exit;
  });
  let stopping: Promise<void> | undefined;
  return {
    pid: appPid,
    command: options.command,
    outputFile: options.outputFile,
    exited,
    exitedWith: () => exit,
    lastLines: (count = 20) => tailOf(options.outputFile, count),
    stop() {
      stopping ??= (async () => {
        if (keeper.exitCode === null && keeper.signalCode === null) {
          keeper.stdin?.write("stop\n");
          // The keeper gives the app its grace period; past that and a margin, it is killed here.
          const backstop = setTimeout(() => {
            try {
              options.host.kill(-appPid, "SIGKILL");
            } catch {}
            keeper.kill("SIGKILL");
          }, options.graceMs + 3000);
          await exited;
          clearTimeout(backstop);
        }
        await exited;
      })();
      return stopping;
    },
  };
}
