// fislat sweep benchmark (issue 21): how close the bisection gets to the break the timeout model
// predicts for the local probe (500 ms timeouts, ±50 ms of jitter, `injection.failed: rate<0.05`),
// and in how many levels. Runs the real CLI as a user would and reads its JSON sweep report.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { repo, report } from "./support.mjs";

const CLI = path.join(repo, "packages/cli/dist/cli.js");
const run = promisify(execFile);

export async function sweepBisection({ precisionMs = 10, seeds = [1, 2] } = {}) {
  for (const seed of seeds) {
    const dir = mkdtempSync(path.join(os.tmpdir(), "fislat-bench-"));
    const file = path.join(dir, "sweep.json");
    const started = performance.now();
    await run(
      process.execPath,
      [
        CLI,
        "sweep",
        "--local",
        "--read-timeout",
        "500",
        "--connection-timeout",
        "500",
        "--jitter",
        "50",
        "--threshold",
        "injection.failed:rate<0.05",
        "--delay",
        "200ms..1600ms",
        "--bisect",
        `${precisionMs}ms`,
        "--baseline",
        "2s",
        "--duration",
        "10s",
        "--recovery",
        "1s",
        "--interval",
        "100ms",
        "--seed",
        String(seed),
        "--json",
        file,
      ],
      { env: { ...process.env, NO_COLOR: "1", CI: "true" }, maxBuffer: 1 << 26 },
    );
    const seconds = (performance.now() - started) / 1000;
    const r = JSON.parse(readFileSync(file, "utf8"));
    rmSync(dir, { recursive: true, force: true });
    const { held, broke } = r.breakPoint;
    const predicted = r.predicted?.level;
    const listed = r.levels.filter((l) => l.purpose === "listed").length;
    const bisection = r.levels.filter((l) => l.purpose === "bisection").length;
    const reruns = r.levels.filter((l) => l.attempt === 2).length;
    const middle = held === null || broke === null ? Number.NaN : (held + broke) / 2;
    const off = Math.abs(middle - predicted);
    // The bisection's own uncertainty is half its interval; the sampling adds some levels' worth.
    const ok = held !== null && broke !== null && predicted > held - precisionMs && predicted <= broke + precisionMs;
    report(
      `sweep bisection (seed ${seed})`,
      `observed break in (${held}, ${broke}] ms, predicted ${predicted} ms (${r.predicted?.range?.join(" to ")} ms): middle off by ${off.toFixed(1)} ms = ${((off / predicted) * 100).toFixed(1)}%; ${listed} listed + ${bisection} bisection levels (${reruns} re-runs) in ${seconds.toFixed(0)} s, planned at most ${r.plannedMax.levels}`,
      `predicted break within the observed interval ± ${precisionMs} ms`,
      ok,
    );
  }
}
