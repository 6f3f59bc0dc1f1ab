// The local probe launcher (src/local/probe-process.ts) with the real probe: it listens on
// loopback only, and it dies with fislat even when fislat is killed with SIGKILL (issue 9).
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

const parentScript = path.join(path.dirname(fileURLToPath(import.meta.url)), "../support/probe-parent.mjs");

let parent: ChildProcess | undefined;
let probePid: number | undefined;

afterEach(() => {
  parent?.kill("SIGKILL");
  if (probePid !== undefined && isRunning(probePid)) process.kill(probePid, "SIGKILL");
  parent = undefined;
  probePid = undefined;
});

/** True while the process exists and is not a zombie waiting to be reaped by whoever adopted it. */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/** Polls until the process has gone; resolves with how long that took, or fails at the bound. */
async function goneWithin(pid: number, boundMs: number): Promise<number> {
  const started = performance.now();
  while (isRunning(pid)) {
    if (performance.now() - started > boundMs) throw new Error(`process ${pid} still runs after ${boundMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return performance.now() - started;
}

async function startParent(): Promise<{ pid: number; port: number; lines: readline.Interface }> {
  // A process group of its own, as a shell gives the command it runs in a terminal.
  parent = spawn(process.execPath, [parentScript], { stdio: ["ignore", "pipe", "pipe"], detached: true });
  let stderr = "";
  parent.stderr?.on("data", (d) => {
    stderr += d;
  });
  const lines = readline.createInterface({ input: parent.stdout as NonNullable<ChildProcess["stdout"]> });
  const exited = once(parent, "exit").then(([code]) => {
    throw new Error(`the parent exited (${code}) before the probe started: ${stderr}`);
  });
  const [line] = (await Promise.race([once(lines, "line"), exited])) as [string];
  const started = JSON.parse(line) as { pid: number; port: number };
  probePid = started.pid;
  return { ...started, lines };
}

/** Local addresses (hex, as /proc/net shows them) listening on `port`. */
function listeners(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  return ["/proc/net/tcp", "/proc/net/tcp6"].flatMap((file) =>
    readFileSync(file, "utf8")
      .split("\n")
      .slice(1)
      .map((row) => row.trim().split(/\s+/))
      .filter((cols) => cols[1]?.endsWith(`:${hexPort}`) && cols[3] === "0A")
      .map((cols) => (cols[1] as string).split(":")[0] as string),
  );
}

describe("the local probe", () => {
  it("listens on 127.0.0.1 only", async () => {
    const { port } = await startParent();
    expect(listeners(port)).toEqual(["0100007F"]);
    expect((await fetch(`http://127.0.0.1:${port}/live`)).status).toBe(200);
  });

  it("exits promptly when fislat is killed with SIGKILL", async () => {
    const { pid, port } = await startParent();
    expect(isRunning(pid)).toBe(true);
    expect((await fetch(`http://127.0.0.1:${port}/live`)).status).toBe(200);
    parent?.kill("SIGKILL");
    // Its interval is an hour: before, it lived until its next write failed.
    const tookMs = await goneWithin(pid, 5000);
    expect(tookMs).toBeLessThan(5000);
  });

  it("is spared a Ctrl-C sent to fislat's process group, and stops when fislat stops it", async () => {
    const { pid, lines } = await startParent();
    // What a terminal does on Ctrl-C: SIGINT to every process of the foreground group.
    process.kill(-(parent?.pid as number), "SIGINT");
    const [line] = (await once(lines, "line")) as [string];
    expect(JSON.parse(line)).toEqual({ stoppedOn: "SIGTERM" });
    await goneWithin(pid, 5000);
  });
});
