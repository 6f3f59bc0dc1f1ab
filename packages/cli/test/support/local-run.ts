// Helpers for end-to-end runs of fislat run --local: short phases, report files, and checks that
// nothing the run started is still alive.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import type { Report } from "../../src/engine/report.js";

/** Phases short enough for a test, long enough for every assertion (2 s health window). */
export const SHORT_PHASES = [
  "--baseline",
  "2s",
  "--duration",
  "6s",
  "--recovery",
  "2s",
  "--interval",
  "200ms",
  "--health-failure",
  "2s",
];

export function reportFolder() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "fislat-e2e-"));
  const file = (name: string, ext = "json") => path.join(dir, `${name}.${ext}`);
  return {
    dir,
    file,
    read: (name: string) => JSON.parse(readFileSync(file(name), "utf8")) as Report,
    /** For afterAll: a test leaves no folder behind. */
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** The local probe's pid, from the report's structured `environment.probe`; a report without one fails the test. */
export function probePidOf(report: Report): number {
  const pid = report.environment.probe?.pid;
  if (!Number.isInteger(pid)) throw new Error(`the report names no probe pid: ${JSON.stringify(report.environment)}`);
  return pid as number;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A port from the report (undefined when the report names none, which fails the test). */
export function portRefuses(port: number | undefined): Promise<boolean> {
  if (!Number.isInteger(port)) throw new Error(`not a port: ${port}`);
  return new Promise((resolve) => {
    const socket = net.connect(port as number, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}

/**
 * The processes (Linux: /proc) with `entry` in their PATH. A run started with a fresh folder first
 * in its PATH hands it to every process it spawns (the probe gets fislat's PATH), so this finds
 * what a run left behind even when no report names it.
 */
export function processesWithPathEntry(entry: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    let environ: string;
    try {
      environ = readFileSync(`/proc/${name}/environ`, "utf8");
    } catch {
      continue; // gone meanwhile, or another user's
    }
    const pathVar = environ.split("\0").find((v) => v.startsWith("PATH="));
    if (pathVar?.slice("PATH=".length).split(":").includes(entry)) found.push(Number(name));
  }
  return found;
}
