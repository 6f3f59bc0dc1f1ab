// What the experiment engine needs from the world. Local adapters (dynalite, the probe process,
// the latency proxy) and AWS adapters (ECS, FIS, CloudWatch Logs) implement these; the engine
// itself imports no SDK, no child_process and no net.
import type { ProbeLine } from "@fislat/probe/record";
import type { LineMeta, SourceReport, TargetEvent } from "./evidence.js";
import type { Fault, ProbeSettings } from "./fault.js";
import type { FaultWindow, Timeline } from "./timeline.js";

/** One probe the fault is aimed at: an ECS task, or the local probe process. */
export interface Target {
  id: string;
  description: string;
}

/** Finds the probes to hit, and refuses (with what is missing) when there are none. */
export interface TargetResolver {
  resolve(): Promise<Target[]>;
}

/**
 * What an injector is asked to do: this fault, for this long. The injector asks the fault's kind
 * (fault.ts) how: `proxyFault` for the local proxy, `fisAction` for FIS.
 */
export interface FaultParameters {
  fault: Fault;
  durationMs: number;
  /** The probe's settings in force (a local fault's model may depend on its timeouts). */
  probe: ProbeSettings;
}

/** When the fault really took effect and ended, by the injector's own account. */
export interface FaultStarted {
  startedAt: Date;
  /** The targets the fault was aimed at, once known (FIS resolves a selection mode at start). */
  targets?: string[];
  /** Settles when the fault has ended by itself (its duration ran out) or was stopped. */
  ended: Promise<FaultEnded>;
}

export interface FaultEnded {
  endedAt: Date;
  reason: "completed" | "stopped" | "failed";
  detail?: string;
  /** How many times the fault acted, and on what, where the injector can count it (the local proxy). */
  effects?: { count: number; name: string };
}

export interface FaultInjector {
  /** Describes the fault for people: "latency proxy 127.0.0.1:4123", "FIS experiment EXP123". */
  readonly description: string;
  /**
   * `signal`: an interruption while the injector is still getting ready (before anything is
   * injected) ends the start at once, rejecting with nothing injected.
   */
  start(fault: FaultParameters, signal?: AbortSignal): Promise<FaultStarted>;
  /** Removes the fault and resolves once it is confirmed gone; rejects if that cannot be confirmed. */
  stop(): Promise<FaultEnded>;
}

/** Where the probe's log lines come from: the child's stdout, or CloudWatch Logs. */
export interface RoundTripSource {
  /** Starts delivering lines; each is parsed with the probe's own parser. */
  start(
    onLine: (line: ProbeLine, raw: string, meta?: LineMeta) => void,
    onError: (error: Error) => void,
  ): Promise<void>;
  /** Waits up to `graceMs` for lines still on their way (log ingestion), then stops; says how it went. */
  // biome-ignore lint/suspicious/noConfusingVoidType: a local source has nothing to report
  stop(graceMs: number): Promise<SourceReport | void>;
}

export interface HealthObservation {
  at: Date;
  /** HTTP status of /health, or "unreachable". */
  status: number | "unreachable";
}

export interface HealthWatcher {
  start(onObservation: (observation: HealthObservation) => void): void;
  stop(): void;
}

/** Watches the targets while the run goes on: tasks stopped or replaced, load balancer health changes. */
export interface TargetWatcher {
  start(onEvent: (event: TargetEvent) => void): void;
  /** Stops watching; resolves once no call is left in flight. */
  stop(): Promise<void>;
}

export interface Clock {
  /** Monotonic milliseconds, for durations. */
  now(): number;
  /** Wall clock, for timestamps in reports. */
  wallNow(): Date;
  /** Resolves after `ms`, or early (without rejecting) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  wallNow: () => new Date(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      }
      signal?.addEventListener("abort", done, { once: true });
    }),
};

/**
 * A source's error that means the world broke (the user's app exited mid-run), not that someone
 * stopped the run: the run ends as an environment error (exit 6), with the fault removed.
 */
export class EnvironmentFailure extends Error {
  override readonly name = "EnvironmentFailure";
}

/** What the environment saw beyond the workload's own records, added to the timeline's evidence. */
export interface EnvironmentEvidence {
  findings: string[];
  /** Reasons the run cannot be judged (e.g. the app sent no DynamoDB traffic under the fault). */
  inconclusive: string[];
  /** Figures for the report's `evidence` (e.g. `dynamodb`: calls per phase). */
  details: Record<string, unknown>;
}

export interface EvidenceWatcher {
  conclude(timeline: Timeline, window: FaultWindow): EnvironmentEvidence;
}
