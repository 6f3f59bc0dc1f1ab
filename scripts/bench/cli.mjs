// fislat CLI benchmarks (issue 4): injection fidelity, time to detect, start-up time. Each runs the
// real CLI as a user would and reads its JSON report.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { median, percentile, repo, report } from "./support.mjs";

const CLI = path.join(repo, "packages/cli/dist/cli.js");
const run = promisify(execFile);

async function runLocal(args) {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), "fislat-bench-")), "report.json");
  // Exit 1 (a hypothesis judged on phases too short for it) still leaves a full report.
  await run(process.execPath, [CLI, "run", "--local", ...args, "--json", file], {
    env: { ...process.env, NO_COLOR: "1", CI: "true" },
    maxBuffer: 1 << 24,
  }).catch((error) => {
    if (error.code !== 1) throw error;
  });
  return JSON.parse(readFileSync(file, "utf8"));
}

export async function injectionFidelity({ delayMs = 800, jitterMs = 50 } = {}) {
  const r = await runLocal([
    "--scenario",
    "succeed",
    "--baseline",
    "10s",
    "--duration",
    "60s",
    "--recovery",
    "3s",
    "--interval",
    "250ms",
    "--delay",
    String(delayMs),
    "--jitter",
    String(jitterMs),
  ]);
  const base = r.phases.baseline.latency.p50;
  const start = Date.parse(r.fault.startedAt);
  const end = Date.parse(r.fault.endedAt);
  const shifts = r.roundTrips
    .filter((t) => t.src === "loop" && t.ok && Date.parse(t.ts) >= start && Date.parse(t.ts) + t.rttMs <= end)
    .map((t) => t.rttMs - base);
  const ratio = median(shifts) / delayMs;
  report(
    "injection fidelity",
    `median shift ${median(shifts).toFixed(1)} ms for ${delayMs} ms configured over ${shifts.length} round trips = ${ratio.toFixed(3)}x`,
    "0.98x to 1.02x",
    ratio >= 0.98 && ratio <= 1.02,
  );
  // Uniform over [delay - jitter, delay + jitter): the 5th to 95th percentile spans 90% of 2 * jitter.
  const spread = (percentile(shifts, 95) - percentile(shifts, 5)) / 0.9;
  const sd = Math.sqrt(shifts.reduce((a, s) => a + (s - median(shifts)) ** 2, 0) / shifts.length);
  report(
    "jitter spread",
    `observed range ~${spread.toFixed(1)} ms (p5-p95 / 0.9) for ${2 * jitterMs} ms configured = ${(spread / (2 * jitterMs)).toFixed(2)}x; sd ${sd.toFixed(1)} ms vs ${((2 * jitterMs) / Math.sqrt(12)).toFixed(1)} ms for a uniform`,
    "about 1x",
    Math.abs(spread / (2 * jitterMs) - 1) <= 0.2,
  );
}

export async function timeToDetect({ runs = 5, intervalMs = 1000, timeoutMs = 500 } = {}) {
  const ratios = [];
  for (let i = 0; i < runs; i++) {
    const r = await runLocal([
      "--scenario",
      "timeout",
      // The shortest phases the planner accepts at this interval: 5 round trips to judge each, and
      // an injection longer than the /health window (2 s) plus a poll and a second.
      "--baseline",
      `${6 * intervalMs}ms`,
      "--duration",
      `${Math.max(6 * intervalMs, 4000)}ms`,
      "--recovery",
      `${6 * intervalMs}ms`,
      "--health-failure",
      "2s",
      "--interval",
      `${intervalMs}ms`,
    ]);
    ratios.push(r.times.timeToDetectMs / (intervalMs + timeoutMs));
  }
  const worst = Math.max(...ratios);
  report(
    "time to detect",
    `fault start to first degraded round trip over ${runs} runs, / (interval ${intervalMs} + timeout ${timeoutMs} ms): median ${median(ratios).toFixed(3)}x, worst ${worst.toFixed(3)}x`,
    "<= 1.05x",
    worst <= 1.05,
  );
}

async function wallTimes(args, n) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await run(process.execPath, args);
    times.push(performance.now() - started);
  }
  return times;
}

export async function startup({ n = 15 } = {}) {
  await wallTimes([CLI, "--help"], 2); // warm the file cache
  const node = median(await wallTimes(["-e", "0"], n));
  const help = median(await wallTimes([CLI, "--help"], n));
  const runHelp = median(await wallTimes([CLI, "run", "--help"], n));
  const ratio = help / node;
  report(
    "start-up",
    `fislat --help ${help.toFixed(0)} ms (run --help ${runHelp.toFixed(0)} ms) vs node -e 0 ${node.toFixed(0)} ms = ${ratio.toFixed(2)}x`,
    "<= 2.5x",
    ratio <= 2.5,
  );
}
