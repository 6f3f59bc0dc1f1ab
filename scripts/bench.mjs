#!/usr/bin/env node
// pnpm bench: every benchmark, printed as figures and ratios against their goals. Nothing here is
// asserted; a missed goal is reported, and the process still exits 0 unless a benchmark crashed.
// Pick some with their names: node scripts/bench.mjs overhead precision
import { injectionFidelity, startup, timeToDetect } from "./bench/cli.mjs";
import { fleet } from "./bench/fleet.mjs";
import { footprint, probeOverhead, timeoutPrecision } from "./bench/probe.mjs";
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
