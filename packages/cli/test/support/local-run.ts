// Helpers for end-to-end runs of fislat run --local: short phases, report files, and checks that
// nothing the run started is still alive.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
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

export function probePidOf(report: Report): number {
  return Number(/probe pid (\d+)/.exec(report.environment.target)?.[1]);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function portRefuses(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}
