#!/usr/bin/env node
// pnpm bench: every benchmark, printed as figures and ratios against their goals. Nothing here is
// asserted; a missed goal is reported, and the process still exits 0 unless a benchmark crashed.
// Pick some with their names: node scripts/bench.mjs overhead precision
import { injectionFidelity, startup, timeToDetect } from "./bench/cli.mjs";
import { fleet } from "./bench/fleet.mjs";
import { errorsKind, packetLossKind, unreachableKind } from "./bench/kinds.mjs";
import { loadLateness, loadMaxRate, loadOverhead, loadTruth } from "./bench/load.mjs";
import { footprint, probeOverhead, timeoutPrecision } from "./bench/probe.mjs";
import { probeHttpOverhead } from "./bench/probe-http.mjs";
import { scale } from "./bench/scale.mjs";
import { allResults } from "./bench/support.mjs";
import { sweepBisection } from "./bench/sweep.mjs";

const benches = {
  overhead: probeOverhead,
  precision: timeoutPrecision,
  footprint,
  fidelity: injectionFidelity,
  detect: timeToDetect,
  startup,
  fleet,
  scale,
  "kind-packet-loss": packetLossKind,
  "kind-unreachable": unreachableKind,
  "kind-errors": errorsKind,
  // In this order: the ones that load autocannon (truth, max-rate) last.
  "load-lateness": loadLateness,
  "load-overhead": loadOverhead,
  "load-truth": loadTruth,
  "load-max-rate": loadMaxRate,
  "probe-http": probeHttpOverhead,
  sweep: sweepBisection,
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in benches));
if (unknown.length > 0) {
  process.stderr.write(
    `bench: unknown benchmark ${unknown.join(", ")}; expected any of ${Object.keys(benches).join(", ")}\n`,
  );
  process.exit(2);
}
for (const [name, run] of Object.entries(benches)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  process.stdout.write(`${name}...\n`);
  await run();
}
process.stdout.write("\nsummary\n");
for (const r of allResults()) process.stdout.write(`  ${r.verdict.padEnd(11)} ${r.name}: ${r.figure}\n`);
