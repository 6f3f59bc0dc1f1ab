// The experiment driver against scripted ports: a clock whose sleeps emit the phase's recorded
// lines, an injector that records what it was asked, a source fed by the test.
import type { ProbeLine } from "@fislat/probe/record";
import { describe, expect, it, vi } from "vitest";
import { runExperiment } from "../src/engine/experiment.js";
import { exitCodeFor, outcomeOf } from "../src/engine/outcome.js";
import type { ExperimentPlan } from "../src/engine/plan.js";
import type { Clock, FaultEnded, FaultInjector, RoundTripSource } from "../src/engine/ports.js";
import { EXIT } from "../src/errors.js";
import { planOf } from "./support/plan.js";
import { fastTrip, line, stream, T0, timeoutTrip } from "./support/recorded.js";

const plan: ExperimentPlan = planOf("timeout", {}, { lateLineGraceMs: 1234 });

const records = stream({
  intervalMs: 1000,
  fault: [10_000, 50_000],
  endMs: 60_000,
  during: (_t, phase) => (phase === "injection" ? timeoutTrip : fastTrip),
});
const at = (offset: number) => new Date(T0 + offset);
const healthLine = (offset: number, healthy: boolean) =>
  line({ ts: at(offset).toISOString(), msg: "Health changed", healthy, failingForMs: 0 });

function world(
  options: { injectorEnds?: boolean; stopFails?: boolean; startFails?: boolean; ending?: FaultEnded } = {},
) {
  let onLine: ((l: ProbeLine, raw: string) => void) | undefined;
  let onError: ((e: Error) => void) | undefined;
  const emit = (from: number, to: number) => {
    for (const r of records.filter((x) => Date.parse(x.ts) >= T0 + from && Date.parse(x.ts) < T0 + to)) {
      onLine?.(line(r), JSON.stringify(r));
    }
  };
  const calls: string[] = [];
  let endFault: ((e: FaultEnded) => void) | undefined;
  const injector: FaultInjector = {
    description: "scripted fault",
    start: vi.fn(async () => {
      calls.push("start");
      if (options.startFails) throw new Error("FIS said no");
      const ended = new Promise<FaultEnded>((resolve) => {
        endFault = resolve;
      });
      if (options.injectorEnds ?? true) {
        queueMicrotask(() => {
          emit(10_000, 50_000);
          onLine?.(healthLine(40_000, false), "");
          endFault?.(options.ending ?? { endedAt: at(50_000), reason: "completed" });
        });
      }
      return { startedAt: at(10_000), ended };
    }),
    stop: vi.fn(async () => {
      calls.push("stop");
      if (options.stopFails) throw new Error("could not confirm");
      return { endedAt: at(20_000), reason: "stopped" as const };
    }),
  };
  const source: RoundTripSource & { graces: number[] } = {
    graces: [],
    async start(l, e) {
      onLine = l;
      onError = e;
    },
    async stop(grace) {
      source.graces.push(grace);
    },
  };
  let sleeps = 0;
  const clock: Clock = {
    now: () => 0,
    wallNow: () => at(sleeps === 0 ? 0 : 60_000),
    async sleep(ms) {
      sleeps += 1;
      if (sleeps === 1) emit(0, 10_000);
      else {
        emit(50_000, 60_000);
        onLine?.(healthLine(50_010, true), "");
      }
      void ms;
    },
  };
  const targets = { resolve: async () => [{ id: "task-1", description: "scripted probe" }] };
  return { ports: { targets, injector, source, clock }, calls, source, fail: (e: Error) => onError?.(e), emit };
}

describe("runExperiment", () => {
  it("runs baseline, injection and recovery, takes the fault's own times, and judges", async () => {
    const w = world();
    const phases: string[] = [];
    const result = await runExperiment(plan, w.ports, { phase: (p) => phases.push(p) });
    expect(w.ports.injector.start).toHaveBeenCalledWith(
      { fault: { kind: "latency", delayMs: 800, jitterMs: 50 }, durationMs: 40_000, probe: plan.probe },
      expect.any(AbortSignal),
    );
    expect(w.calls).toEqual(["start"]); // the fault ended by itself: nothing to stop
    expect(result.faultRemoval).toBe("ended");
    expect(result.fault).toMatchObject({ startedAt: at(10_000), endedAt: at(50_000), endReason: "completed" });
    expect(phases).toEqual(["baseline", "injection", "recovery", "judging"]);
    expect(w.source.graces).toEqual([1234]);
    expect(result.timeline.phases.injection.count).toBe(40);
    expect(result.verdict?.status).toBe("passed");
    expect(result.targets).toEqual([{ id: "task-1", description: "scripted probe" }]);
    expect(exitCodeFor(outcomeOf(result), result)).toBe(EXIT.passed);
  });

  it("removes the fault when aborted during the injection, and reports the run interrupted", async () => {
    const w = world({ injectorEnds: false });
    const abort = new AbortController();
    const running = runExperiment(plan, w.ports, { faultStarted: () => abort.abort("SIGINT received") }, abort.signal);
    const result = await running;
    expect(w.calls).toEqual(["start", "stop"]);
    expect(result.faultRemoval).toBe("confirmed");
    expect(result.interrupted).toEqual({ reason: "SIGINT received" });
    expect(result.verdict).toBeUndefined();
    expect(w.source.graces).toEqual([0]);
    expect(exitCodeFor(outcomeOf(result), result)).toBe(EXIT.interrupted);
  });

  it("exits 5 when the fault's removal cannot be confirmed", async () => {
    const w = world({ injectorEnds: false, stopFails: true });
    const abort = new AbortController();
    const result = await runExperiment(
      plan,
      w.ports,
      { faultStarted: () => abort.abort("SIGTERM received") },
      abort.signal,
    );
    expect(result.removalError).toBe("could not confirm");
    expect(exitCodeFor(outcomeOf(result), result)).toBe(EXIT.faultNotRemoved);
  });

  it("treats a failing line source as an interruption, and removes the fault", async () => {
    const w = world({ injectorEnds: false });
    const result = await runExperiment(plan, w.ports, {
      faultStarted: () => queueMicrotask(() => w.fail(new Error("log stream closed"))),
    });
    expect(w.calls).toEqual(["start", "stop"]);
    expect(result.interrupted?.reason).toMatch(/line source failed: log stream closed/);
    expect(exitCodeFor(outcomeOf(result), result)).toBe(EXIT.interrupted);
  });

  it("never starts the fault when aborted during the baseline", async () => {
    const w = world();
    const abort = new AbortController();
    abort.abort("SIGINT received");
    const result = await runExperiment(plan, w.ports, {}, abort.signal);
    expect(w.calls).toEqual([]);
    expect(result.faultRemoval).toBe("not-started");
    expect(exitCodeFor(outcomeOf(result), result)).toBe(EXIT.interrupted);
  });

  it("ends as an environment error (exit 6), with its timeline, when the fault cannot be started", async () => {
    const w = world({ startFails: true });
    const result = await runExperiment(plan, w.ports);
    expect(result.failure).toBe("FIS said no");
    expect(result.faultRemoval).toBe("not-started");
    expect(result.verdict).toBeUndefined();
    expect(result.timeline.phases.baseline.count).toBe(10);
    expect(w.calls).toEqual(["start"]);
    expect(exitCodeFor(outcomeOf(result), result)).toBe(EXIT.environment);
  });

  it("exits 6 when the fault itself failed, keeping the injector's reason", async () => {
    const w = world({ ending: { endedAt: at(12_000), reason: "failed", detail: "SSM command failed on the task" } });
    const result = await runExperiment(plan, w.ports);
    expect(result.fault).toMatchObject({ endReason: "failed", detail: "SSM command failed on the task" });
    expect(exitCodeFor(outcomeOf(result), result)).toBe(EXIT.environment);
  });
});

describe("runExperiment, the environment's own failures and evidence", () => {
  it("ends as an environment error, with the fault removed, when the source reports the world broke (the app exited)", async () => {
    const { EnvironmentFailure } = await import("../src/engine/ports.js");
    const w = world({ injectorEnds: false });
    const result = await runExperiment(plan, w.ports, {
      faultStarted: () =>
        queueMicrotask(() => w.fail(new EnvironmentFailure("your app exited with code 7 during the run"))),
    });
    expect(w.calls).toEqual(["start", "stop"]);
    expect(result.failure).toBe("your app exited with code 7 during the run");
    expect(result.interrupted).toBeUndefined();
    expect(result.faultRemoval).toBe("confirmed");
    expect(exitCodeFor(outcomeOf(result), result)).toBe(EXIT.environment);
  });

  it("injects nothing when the world broke during the baseline", async () => {
    const { EnvironmentFailure } = await import("../src/engine/ports.js");
    const w = world();
    const sleep = w.ports.clock.sleep;
    w.ports.clock.sleep = async (ms, signal) => {
      w.fail(new EnvironmentFailure("gone"));
      return sleep(ms, signal);
    };
    const result = await runExperiment(plan, w.ports);
    expect(w.calls).toEqual([]);
    expect(result.failure).toBe("gone");
    expect(result.faultRemoval).toBe("not-started");
  });

  it("adds the environment's evidence to the timeline: its reasons make the run inconclusive, its figures are kept", async () => {
    const w = world();
    const conclude = vi.fn(() => ({
      findings: ["DynamoDB calls through the proxy: injection 0"],
      inconclusive: ["your app sent no DynamoDB traffic through the latency proxy during the injection"],
      details: { dynamodb: { injection: { requests: 0 } } },
    }));
    const result = await runExperiment(plan, { ...w.ports, evidence: { conclude } });
    expect(conclude).toHaveBeenCalledWith(result.timeline, { startedAt: at(10_000), endedAt: at(50_000) });
    expect(result.verdict?.status).toBe("inconclusive");
    expect(result.verdict?.reasons).toEqual([
      "your app sent no DynamoDB traffic through the latency proxy during the injection",
    ]);
    expect((result.timeline.evidence as Record<string, unknown>).dynamodb).toEqual({ injection: { requests: 0 } });
    expect(result.timeline.evidence?.findings).toContain("DynamoDB calls through the proxy: injection 0");
  });
});
