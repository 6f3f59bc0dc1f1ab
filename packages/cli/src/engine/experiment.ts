// Runs one experiment through the ports: baseline, fault injected (its boundaries as the injector
// reports them), recovery, then the timeline and the verdict. An abort (Ctrl-C, SIGTERM) or a
// failing line source at any moment removes the fault first, then ends the run as interrupted.
import type { ProbeLine, RoundTripRecord } from "@fislat/probe/record";
import { faultKind } from "./fault.js";
import type { LiveTally } from "./live-tally.js";
import type { ExperimentPlan } from "./plan.js";
import type {
  Clock,
  EnvironmentFailure,
  EvidenceWatcher,
  FaultEnded,
  FaultInjector,
  HealthObservation,
  HealthWatcher,
  RoundTripSource,
  Target,
  TargetResolver,
  TargetWatcher,
} from "./ports.js";
import { type PhaseName, type Timeline, TimelineBuilder } from "./timeline.js";
import { evaluateRun, type Verdict } from "./verdict.js";

export interface ExperimentPorts {
  targets: TargetResolver;
  injector: FaultInjector;
  source: RoundTripSource;
  health?: HealthWatcher;
  /** AWS: tasks stopped or replaced, load balancer target health. */
  targetWatch?: TargetWatcher;
  /** The environment's own evidence (the user's app's DynamoDB traffic through the proxy). */
  evidence?: EvidenceWatcher;
  /**
   * The probe runs elsewhere (AWS): its clock may be skewed, and the fault's own start is not when
   * it took effect, so both are found in the data.
   */
  remote?: boolean;
  clock: Clock;
}

export interface ExperimentEvents {
  phase?(phase: PhaseName | "judging", plannedMs: number): void;
  /** `tally`: every phase's counts so far, placed as the summary will place them. */
  roundTrip?(record: RoundTripRecord, tally: LiveTally): void;
  health?(observation: HealthObservation): void;
  faultStarted?(at: Date): void;
  faultEnded?(ended: FaultEnded): void;
  stopping?(reason: string): void;
}

export type FaultRemoval = "not-started" | "ended" | "confirmed" | "unconfirmed";

export interface ExperimentResult {
  plan: ExperimentPlan;
  startedAt: Date;
  endedAt: Date;
  /** The probes the fault was aimed at. */
  targets: Target[];
  fault: {
    startedAt?: Date;
    endedAt?: Date;
    endReason?: FaultEnded["reason"];
    detail?: string;
    /** How many times the fault acted, where the injector counts it (the local proxy). */
    effects?: FaultEnded["effects"];
  };
  faultRemoval: FaultRemoval;
  /** Set when the fault could not be confirmed removed: what went wrong. */
  removalError?: string;
  timeline: Timeline;
  /** Absent when the run was interrupted or failed: such a run is not judged. */
  verdict?: Verdict;
  interrupted?: { reason: string };
  /** The environment failed (the fault could not be started, ...): exit 6. */
  failure?: string;
}

export async function runExperiment(
  plan: ExperimentPlan,
  ports: ExperimentPorts,
  events: ExperimentEvents = {},
  signal?: AbortSignal,
): Promise<ExperimentResult> {
  const { clock, injector, source, health, targets } = ports;
  const builder = new TimelineBuilder();
  const stop = new AbortController();
  let interruptReason: string | undefined;
  let failure: string | undefined;
  let faultTargets: string[] | undefined;
  const interrupt = (reason: string) => {
    if (interruptReason !== undefined) return;
    interruptReason = reason;
    stop.abort();
  };
  const fail = (reason: string) => {
    if (interruptReason !== undefined || failure !== undefined) return;
    failure = reason;
    stop.abort();
  };
  const onAbort = () => interrupt(String(signal?.reason ?? "interrupted"));
  if (signal?.aborted) onAbort();
  signal?.addEventListener("abort", onAbort, { once: true });

  const result: Omit<ExperimentResult, "timeline" | "endedAt"> = {
    plan,
    startedAt: clock.wallNow(),
    targets: [],
    fault: {},
    faultRemoval: "not-started",
  };

  try {
    result.targets = await targets.resolve();
    await source.start(
      (line: ProbeLine, _raw, meta) => {
        const record = builder.add(line, meta);
        if (record) events.roundTrip?.(record, builder.live);
      },
      (error) =>
        error.name === "EnvironmentFailure"
          ? fail((error as EnvironmentFailure).message)
          : interrupt(`the probe's line source failed: ${error.message}`),
    );
    ports.targetWatch?.start((event) => builder.addTargetEvent(event));
    health?.start((observation) => {
      builder.addHealthObservation(observation);
      events.health?.(observation);
    });

    const { request } = plan;
    events.phase?.("baseline", request.phases.baselineMs);
    await clock.sleep(request.phases.baselineMs, stop.signal);

    if (interruptReason === undefined && failure === undefined) {
      const started = await injector.start(
        { fault: request.fault, durationMs: request.phases.injectionMs, probe: plan.probe },
        stop.signal,
      );
      result.fault.startedAt = started.startedAt;
      builder.live.setWindow(result.fault.startedAt, undefined);
      if (started.targets) faultTargets = started.targets;
      result.faultRemoval = "unconfirmed";
      events.faultStarted?.(started.startedAt);
      events.phase?.("injection", request.phases.injectionMs);
      const aborted = new Promise<undefined>((resolve) => {
        if (stop.signal.aborted) resolve(undefined);
        stop.signal.addEventListener("abort", () => resolve(undefined), { once: true });
      });
      const ended = await Promise.race([started.ended, aborted]);
      if (ended) {
        recordEnd(result, ended, builder);
        events.faultEnded?.(ended);
      }
    }
    if (interruptReason === undefined && failure === undefined) {
      events.phase?.("recovery", request.phases.recoveryMs);
      await clock.sleep(request.phases.recoveryMs, stop.signal);
    }
  } catch (error) {
    // The world failed us (the fault could not be started, a port broke): the run ends as an
    // environment error, with whatever was measured, and any fault that started is removed.
    // An interruption that ended a wait before the fault (the start gave up) stays an interruption.
    if (interruptReason === undefined && failure === undefined)
      failure = error instanceof Error ? error.message : String(error);
    stop.abort();
  }
  return finish();

  async function finish(): Promise<ExperimentResult> {
    signal?.removeEventListener("abort", onAbort);
    if (result.faultRemoval === "unconfirmed") {
      events.stopping?.(`removing the fault (${injector.description})`);
      try {
        const ended = await injector.stop();
        recordEnd(result, ended, builder);
        result.faultRemoval = "confirmed";
        events.faultEnded?.(ended);
      } catch (error) {
        result.removalError = error instanceof Error ? error.message : String(error);
      }
    }
    health?.stop();
    await ports.targetWatch?.stop();
    const runEndedAt = clock.wallNow();
    events.phase?.("judging", plan.lateLineGraceMs);
    const cutShort = interruptReason !== undefined || failure !== undefined;
    const delivered = await source.stop(cutShort ? 0 : plan.lateLineGraceMs);
    if (delivered) builder.addSourceReport(delivered);
    const window = { startedAt: result.fault.startedAt, endedAt: result.fault.endedAt };
    const timeline = builder.build(
      {
        ...window,
        ...(faultTargets ? { targets: faultTargets } : {}),
        runEndedAt,
        intervalMs: plan.probe.intervalMs,
        findOnset: ports.remote === true,
      },
      faultKind(plan.request.fault).degradedThreshold(plan.request.fault),
    );
    const seen = ports.evidence?.conclude(timeline, window);
    if (seen) {
      timeline.evidence ??= {};
      const evidence = timeline.evidence;
      evidence.findings = [...(evidence.findings ?? []), ...seen.findings];
      evidence.inconclusive = [...(evidence.inconclusive ?? []), ...seen.inconclusive];
      Object.assign(evidence, seen.details);
    }
    const done: ExperimentResult = { ...result, timeline, endedAt: clock.wallNow() };
    if (failure !== undefined) {
      done.failure = failure;
    } else if (interruptReason !== undefined) {
      done.interrupted = { reason: interruptReason };
    } else {
      done.verdict = evaluateRun(timeline, plan, { ...window, effects: result.fault.effects });
    }
    return done;
  }
}

function recordEnd(
  result: Omit<ExperimentResult, "timeline" | "endedAt">,
  ended: FaultEnded,
  builder: TimelineBuilder,
) {
  result.fault.endedAt = ended.endedAt;
  builder.live.setWindow(result.fault.startedAt, ended.endedAt);
  result.fault.endReason = ended.reason;
  if (ended.detail) result.fault.detail = ended.detail;
  if (ended.effects) result.fault.effects = ended.effects;
  // A fault that ended by itself is gone; nothing is left to remove.
  result.faultRemoval = "ended";
}
