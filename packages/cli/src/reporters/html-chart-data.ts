// What the HTML report's round-trip chart draws, taken from the report: every round trip (time
// since the run started, latency, ok or the error kind), the fault's window from when it took
// effect to when it was removed, /health changes, the phases, and each time threshold drawn over
// the phase it applies to. Kept compact: parallel arrays, times to 1 ms, latencies to 0.1 ms.
import { roundMs } from "../engine/figures.js";
import type { Report } from "../engine/report.js";
import type { PhaseName } from "../engine/timeline.js";
import { hypothesisChecks, kindOf, markOf } from "./threshold-text.js";

export interface ChartData {
  /** Epoch ms that x = 0 stands for: the run's start. */
  t0: number;
  /** Seconds since t0, latency ms, and an index into `kinds` (0 is "ok"). */
  x: number[];
  y: number[];
  k: number[];
  kinds: string[];
  fault: { from: number; to: number; label: string } | null;
  health: { at: number; healthy: boolean }[];
  phases: { name: PhaseName; from: number; to: number }[];
  thresholds: { label: string; from: number; to: number; y: number; mark: string }[];
  /** Seconds since t0 where the run ended. */
  end: number;
}

const seconds = (t0: number, iso: string) => Math.round(Date.parse(iso) - t0) / 1000;

export function chartData(report: Report): ChartData {
  const t0 = Date.parse(report.startedAt);
  const end = seconds(t0, report.endedAt);
  const kinds = ["ok"];
  const x: number[] = [];
  const y: number[] = [];
  const k: number[] = [];
  for (const r of report.roundTrips) {
    if (r.src !== "loop") continue;
    const kind = r.ok ? "ok" : (r.errorKind ?? "error");
    let i = kinds.indexOf(kind);
    if (i < 0) i = kinds.push(kind) - 1;
    x.push(seconds(t0, r.ts));
    y.push(roundMs(r.rttMs));
    k.push(i);
  }
  const faultFrom = report.fault.startedAt ? seconds(t0, report.fault.startedAt) : null;
  const faultTo = report.fault.endedAt ? seconds(t0, report.fault.endedAt) : end;
  const fault =
    faultFrom === null ? null : { from: faultFrom, to: faultTo, label: report.parameters.fault.description };
  const phases: ChartData["phases"] =
    faultFrom === null
      ? [{ name: "baseline", from: 0, to: end }]
      : [
          { name: "baseline", from: 0, to: faultFrom },
          { name: "injection", from: faultFrom, to: faultTo },
          { name: "recovery", from: faultTo, to: end },
        ];
  const thresholds: ChartData["thresholds"] = [];
  for (const t of hypothesisChecks(report)) {
    if (kindOf(t) !== "time" || t.scope === "run" || typeof t.bound !== "number") continue;
    const phase = phases.find((p) => p.name === t.scope);
    if (!phase) continue;
    thresholds.push({
      label: `${t.metric}: ${t.expression}`,
      from: phase.from,
      to: phase.to,
      y: t.bound,
      mark: markOf(t),
    });
  }
  return {
    t0,
    x,
    y,
    k,
    kinds,
    fault,
    health: report.health.map((h) => ({ at: seconds(t0, h.at), healthy: h.healthy })),
    phases,
    thresholds,
    end,
  };
}
