// One benchmark per fault kind (issue 19): what the real probe observes through the local proxy
// against what the kind predicts, as a ratio, on this machine. Each runs the real CLI as a user
// would (fislat run --local --scenario <the kind's>) and reads its JSON report. The latency kind's
// own is `fidelity` (cli.mjs): the median shift against the configured delay.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { repo, report } from "./support.mjs";

const CLI = path.join(repo, "packages/cli/dist/cli.js");
const run = promisify(execFile);
const PHASES = ["--baseline", "5s", "--recovery", "3s", "--interval", "200ms", "--health-failure", "2s"];

async function runScenario(scenario, args) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "fislat-bench-"));
  const file = path.join(dir, "report.json");
  try {
    // A hypothesis that fails (1) or cannot tell (3) still leaves a full report: the figures are what count.
    await run(process.execPath, [CLI, "run", "--local", "--scenario", scenario, ...PHASES, ...args, "--json", file], {
      env: { ...process.env, NO_COLOR: "1", CI: "true" },
      maxBuffer: 1 << 24,
    }).catch((error) => {
      if (error.code !== 1 && error.code !== 3) throw error;
    });
    return JSON.parse(readFileSync(file, "utf8"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The injection's round trips that started and ended inside the fault. */
function underFault(r) {
  const start = Date.parse(r.fault.startedAt);
  const end = Date.parse(r.fault.endedAt);
  return r.roundTrips.filter((t) => t.src === "loop" && Date.parse(t.ts) >= start && Date.parse(t.ts) + t.rttMs <= end);
}

const ratioText = (observed, predicted) => (predicted === 0 ? "n/a" : `${(observed / predicted).toFixed(3)}x`);

export async function packetLossKind({ loss = 30 } = {}) {
  const r = await runScenario("lossy", ["--loss", String(loss), "--duration", "40s"]);
  const base = r.phases.baseline.latency.p50;
  const trips = underFault(r);
  // A round trip whose segment was lost waits 200 ms or more: the share slowed is the loss rate.
  const slowed = trips.filter((t) => !t.ok || t.rttMs - base >= 150).length / trips.length;
  const predicted = loss / 100;
  report(
    "packet-loss kind",
    `${(slowed * 100).toFixed(1)}% of ${trips.length} round trips slowed by a retransmission at ${loss}% loss, predicted ${loss}% = ${ratioText(slowed, predicted)}; median shift ${(r.phases.injection.latency.p50 - base).toFixed(1)} ms, p99 ${r.phases.injection.latency.p99.toFixed(0)} ms`,
    "0.6x to 1.4x (a binomial share of ~100 to 200 round trips)",
    slowed / predicted >= 0.6 && slowed / predicted <= 1.4,
  );
}

export async function unreachableKind() {
  const r = await runScenario("unreachable", ["--duration", "10s"]);
  const trips = underFault(r);
  const failed = trips.filter((t) => !t.ok).length / trips.length;
  const connects = trips.filter((t) => t.errorKind === "connect_timeout");
  const atTimeout = connects.length === 0 ? 0 : connects.reduce((a, t) => a + t.rttMs, 0) / connects.length / 500;
  report(
    "unreachable kind",
    `${(failed * 100).toFixed(1)}% of ${trips.length} round trips failed, predicted 100% = ${ratioText(failed, 1)}; ${connects.length} connect timeouts at ${atTimeout.toFixed(3)}x the 500 ms connect timeout`,
    "1.00x failed",
    failed === 1,
  );
}

export async function errorsKind({ rate = 0.5 } = {}) {
  const r = await runScenario("throttled", ["--error-rate", String(rate), "--duration", "40s"]);
  const trips = underFault(r);
  const failed = trips.filter((t) => !t.ok).length / trips.length;
  const throttled = trips.filter((t) => t.errorKind === "throttled").length;
  report(
    "errors kind",
    `${(failed * 100).toFixed(1)}% of ${trips.length} round trips failed at rate ${rate}, predicted ${rate * 100}% = ${ratioText(failed, rate)}; ${throttled} classified throttled by the SDK`,
    "0.8x to 1.2x",
    failed / rate >= 0.8 && failed / rate <= 1.2,
  );
}
