// The live progress and the summary read the same counts: a run over recorded lines, with round
// trips in flight at the fault's start and end, ends with the live tally equal to the report's
// phases, even when lines arrived before the engine knew where the fault began.
import { describe, expect, it } from "vitest";
import type { LiveTally } from "../src/engine/live-tally.js";
import { buildReport } from "../src/engine/report.js";
import { PHASES } from "../src/engine/timeline.js";
import { fastTrip, rt, stream, timeoutTrip } from "./support/recorded.js";
import { runExperimentForReport } from "./support/report.js";

describe("the live tally", () => {
  it("ends with the summary's counts per phase, and the round trips set aside at the fault's edges", async () => {
    const records = stream({
      intervalMs: 1000,
      fault: [10_000, 50_000],
      endMs: 60_000,
      during: (t, phase) =>
        // In flight when the fault started (9.9 s + 503 ms) and when it ended (49.9 s + 250 ms).
        t === 9000
          ? { ok: true, rttMs: 1500 }
          : t === 49_000
            ? { ok: true, rttMs: 1200 }
            : phase === "injection"
              ? timeoutTrip
              : fastTrip,
    });
    records.push(rt(20_500, { seq: 100, ok: false, errorKind: "network", rttMs: 3 }));
    let tally: LiveTally | undefined;
    const result = await runExperimentForReport(records, {
      roundTrip: (_r, live) => {
        tally = live;
      },
    });
    const report = buildReport(result, { version: "test", environment: { kind: "local", target: "t", injector: "i" } });
    expect(report.lines.straddlingFault).toBe(2);
    expect(tally?.setAside).toBe(2);
    for (const phase of PHASES) {
      const p = report.phases[phase];
      const errors = Object.values(p.errors).reduce((a, b) => a + (b ?? 0), 0);
      expect({ phase, ...tally?.phase(phase) }).toEqual({ phase, ok: p.successes, timeouts: p.timeouts, errors });
    }
    expect(tally?.phase("injection")).toEqual({ ok: 0, timeouts: 39, errors: 1 });
  });
});
