// A fault that cannot be watched is not injected: before FIS starts, the baseline must have shown
// round-trip lines from every target task. Lines take seconds to reach CloudWatch Logs, so the gate
// waits for them up to a bound, then refuses (exit 6) naming the log group and the silent streams.
import type { Clock, FaultInjector } from "../engine/ports.js";
import { EXIT, FislatError } from "../errors.js";

export interface GateOptions {
  /** Streams from which at least one round-trip line has been read so far. */
  streamsWithLines: () => Set<string>;
  /** The target tasks' streams. */
  streams: string[];
  logGroup: string;
  clock: Clock;
  /** How long past the baseline to wait for late first lines. */
  boundMs: number;
  say?: (message: string) => void;
}

/** awslogs batches lines for 5 s and ingestion adds seconds more; a minute covers a slow start. */
export const FIRST_LINES_BOUND_MS = 60_000;

export function gatedInjector<I extends FaultInjector>(inner: I, gate: GateOptions): I {
  const silent = () => {
    const seen = gate.streamsWithLines();
    return gate.streams.filter((s) => !seen.has(s));
  };
  const start: FaultInjector["start"] = async (fault, signal) => {
    const began = gate.clock.now();
    if (silent().length > 0) gate.say?.(`waiting for the first lines of ${silent().length} task(s) before injecting`);
    while (silent().length > 0 && gate.clock.now() - began < gate.boundMs && !signal?.aborted) {
      await gate.clock.sleep(1000, signal);
    }
    // Ctrl-C while waiting: nothing was injected, and nothing will be.
    if (signal?.aborted) throw new Error("interrupted before the fault was injected");
    const missing = silent();
    if (missing.length > 0) {
      const read = gate.streams.filter((s) => !missing.includes(s));
      throw new FislatError(
        `the baseline showed no round-trip line from ${missing.length} of ${gate.streams.length} target task(s), so no fault was injected (a fault that cannot be watched cannot be judged). Read log group ${gate.logGroup}; silent stream(s): ${missing.join(", ")}${
          read.length > 0 ? `; lines came from: ${read.join(", ")}` : ""
        }. Check the log group and stream prefix in the task definition, and that the probe is running`,
        EXIT.environment,
      );
    }
    return inner.start(fault, signal);
  };
  return { ...inner, start };
}
