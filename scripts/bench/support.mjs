// Shared pieces of the benchmarks: start the built probe, read its lines, percentiles, printing.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";
import { LOCAL_AWS_ENV } from "@fislat/dynamo-local";
import { probeNodeArgs } from "@fislat/probe/launch";
import { parseProbeLine } from "@fislat/probe/record";

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Starts the probe; `onRoundTrip` sees every round-trip record. Resolves once it is listening. */
export async function startProbe(env, onRoundTrip = () => {}) {
  const child = spawn(process.execPath, probeNodeArgs(), {
    env: { PATH: process.env.PATH, ...LOCAL_AWS_ENV, PORT: "0", ...env },
    stdio: ["ignore", "pipe", "ignore"],
  });
  const records = [];
  await new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`probe exited with ${code}`)));
    readline.createInterface({ input: child.stdout }).on("line", (line) => {
      if (line.includes('"Probe started"')) resolve();
      const parsed = parseProbeLine(line);
      if (parsed.type === "round-trip") {
        records.push(parsed.record);
        onRoundTrip(parsed.record, records);
      }
    });
  });
  child.removeAllListeners("exit");
  return {
    child,
    records,
    rssMb: () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1]) / 1024,
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", resolve);
        child.kill("SIGTERM");
      }),
  };
}

export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export const median = (values) => percentile(values, 50);

const results = [];
/** Records one figure: `ok` says whether the goal was met (printed, never asserted). */
export function report(name, figure, goal, ok) {
  results.push({ name, figure, goal, verdict: ok ? "meets goal" : "MISSES goal" });
  process.stdout.write(`  ${name}: ${figure} (goal ${goal}) ${ok ? "ok" : "MISSED"}\n`);
}
export const allResults = () => results;
