// A finished run over recorded lines, for tests of what is made from it (reports, renderers).
import type { RoundTripRecord } from "@fislat/probe/record";
import { type ExperimentEvents, type ExperimentResult, runExperiment } from "../../src/engine/experiment.js";
import type { Clock, FaultEnded } from "../../src/engine/ports.js";
import { planOf } from "./plan.js";
import { fastTrip, line, stream, T0, timeoutTrip } from "./recorded.js";

/** `records`: the lines the probe wrote (default: timeouts under a fault from 10 s to 50 s). */
export async function runExperimentForReport(
  records: RoundTripRecord[] = stream({
    intervalMs: 1000,
    fault: [10_000, 50_000],
    endMs: 60_000,
    during: (_t, phase) => (phase === "injection" ? timeoutTrip : fastTrip),
  }),
  events: ExperimentEvents = {},
): Promise<ExperimentResult> {
  let now = T0;
  let onLine: ((l: ReturnType<typeof line>, raw: string) => void) | undefined;
  const emitUntil = (end: number) => {
    for (const r of records) if (Date.parse(r.ts) >= now - T0 + T0 && Date.parse(r.ts) < end) onLine?.(line(r), "");
  };
  const clock: Clock = {
    now: () => now,
    wallNow: () => new Date(now),
    sleep: async (ms) => {
      emitUntil(now + ms);
      now += ms;
    },
  };
  const ended: FaultEnded = { endedAt: new Date(T0 + 50_000), reason: "completed" };
  return runExperiment(
    planOf("succeed"),
    {
      clock,
      targets: { resolve: async () => [{ id: "t", description: "recorded" }] },
      source: {
        start: async (cb) => {
          onLine = cb;
        },
        stop: async () => {},
      },
      injector: {
        description: "recorded fault",
        start: async () => {
          emitUntil(T0 + 50_000);
          now = T0 + 50_000;
          return { startedAt: new Date(T0 + 10_000), ended: Promise.resolve(ended) };
        },
        stop: async () => ended,
      },
    },
    events,
  );
}
