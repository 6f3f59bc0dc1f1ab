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
  /** "every": each point is a round trip; "per-second": each is a second's slowest (a big report). */
  points: "every" | "per-second";
  /** What a point measured, for the axis and messages: "round trip" (the probe) or "request" (your app). */
  noun: string;
}

/** A bounded report past its record limit holds each phase's seconds instead of every round trip. */
interface Aggregated {
  records?: { held?: string };
  perSecond?: Partial<Record<PhaseName, { at: string; max: number; failed?: Record<string, number> }[]>>;
}

const seconds = (t0: number, iso: string) => Math.round(Date.parse(iso) - t0) / 1000;

export function chartData(report: Report): ChartData {
  const t0 = Date.parse(report.startedAt);
  const end = seconds(t0, report.endedAt);
  const kinds = ["ok"];
  const x: number[] = [];
  const y: number[] = [];
  const k: number[] = [];
  const push = (at: number, ms: number, kind: string) => {
    let i = kinds.indexOf(kind);
    if (i < 0) i = kinds.push(kind) - 1;
    x.push(at);
    y.push(roundMs(ms));
    k.push(i);
  };
  const aggregated = report as Aggregated;
  const perSecond = aggregated.records?.held === "aggregates" ? aggregated.perSecond : undefined;
  if (perSecond) {
    // Each second's slowest round trip, marked by the second's most frequent error if any failed.
    for (const phase of Object.values(perSecond)) {
      for (const s of phase ?? []) {
        const worst = Object.entries(s.failed ?? {}).sort((a, b) => b[1] - a[1])[0]?.[0];
        push(seconds(t0, s.at) + 0.5, s.max, worst ?? "ok");
      }
    }
  } else {
    for (const r of report.roundTrips) {
      if (r.src !== "loop") continue;
      push(seconds(t0, r.ts), r.rttMs, r.ok ? "ok" : (r.errorKind ?? "error"));
    }
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
    points: perSecond ? "per-second" : "every",
    noun: report.environment.app ? "request" : "round trip",
  };
}
