import { describe, expect, it } from "vitest";
import { seqGaps } from "../src/engine/evidence.js";
import { estimateSkew } from "../src/engine/skew.js";
import { TimelineBuilder } from "../src/engine/timeline.js";
import { degradedThreshold } from "../src/engine/verdict.js";
import { fastTrip, line, rt, T0, timeoutTrip } from "./support/recorded.js";

/** One task's loop, 1 s apart, timing out in [10 s, 70 s), with its health on every line. */
function loop(task = "arn:aws:ecs:r:1:task/c/t1", skip = new Set<number>()) {
  const lines: object[] = [];
  let healthy = true;
  for (let s = 0, seq = 1; s < 100; s++, seq++) {
    const faulty = s >= 10 && s < 70;
    if (faulty && s >= 40) healthy = false;
    if (!faulty) healthy = true;
    if (!skip.has(seq)) lines.push(rt(s * 1000, { seq, task, ...(faulty ? timeoutTrip : fastTrip), healthy } as never));
  }
  return lines;
}

const window = { startedAt: new Date(T0 + 10_000), endedAt: new Date(T0 + 70_000) };

function build(lines: object[], extra = {}) {
  const b = new TimelineBuilder();
  for (const l of lines) b.add(line(l));
  return b.build({ ...window, ...extra }, degradedThreshold(800));
}

describe("evidence from the lines themselves", () => {
  it("counts lost round trips per phase from seq gaps, and the tail not read by the end of the run", () => {
    const skip = new Set([3, 4, 30, 31, 32, 85, 99, 100]);
    const t = build(loop(undefined, skip), { runEndedAt: new Date(T0 + 100_500), intervalMs: 1000, findOnset: true });
    expect(t.evidence?.missingByPhase).toEqual({ baseline: 2, injection: 3, recovery: 3 });
    expect(t.evidence?.tasks?.[0]).toMatchObject({ missing: 8, firstSeq: 1, lastSeq: 98 });
  });

  it("knows health from every line, so losing the Health changed line does not lose the change", () => {
    const t = build(loop());
    expect(t.health.map((h) => [h.at.getTime() - T0, h.healthy])).toEqual([
      [40_000, false],
      [70_000, true],
    ]);
  });

  it("places a transition at the exact Health changed line when it was read", () => {
    const exact = {
      ts: new Date(T0 + 39_600).toISOString(),
      msg: "Health changed",
      healthy: false,
      failingForMs: 30_000,
      consecutiveFailures: 30,
      task: "arn:aws:ecs:r:1:task/c/t1",
      level: "warn",
    };
    const t = build([...loop(), exact]);
    expect(t.health[0]?.at.getTime()).toBe(T0 + 39_600);
  });

  it("judges each task on its own and names the tasks FIS did not select", () => {
    const t = build([...loop("arn:aws:ecs:r:1:task/c/a"), ...loop("arn:aws:ecs:r:1:task/c/b")], {
      targets: ["arn:aws:ecs:r:1:task/c/a"],
      findOnset: true,
    });
    expect(Object.keys(t.tasks ?? {})).toEqual(["a", "b"]);
    expect(t.evidence?.tasks?.map((e) => [e.task.split("/").at(-1), e.targeted])).toEqual([
      ["a", true],
      ["b", false],
    ]);
    expect(t.phases.injection.count).toBe(60);
  });
});

describe("clock skew", () => {
  it("is at least what negative ingestion delays prove, and corrected by that much", () => {
    const skew = estimateSkew([2500, -1500, 800]);
    expect(skew).toMatchObject({ atLeastMs: 1500, correctionMs: 1500, beyondTolerance: false });
    expect(skew?.note).toMatch(/clock ahead of AWS's by about 1\.5 s/);
  });

  it("says when the skew is beyond the tolerance", () => {
    expect(estimateSkew([-9000])).toMatchObject({ correctionMs: 9000, beyondTolerance: true });
  });

  it("is not corrected for by the fault's own timing alone, unless the task is clearly behind", () => {
    expect(estimateSkew([500], 3500)?.correctionMs).toBe(0);
    expect(estimateSkew([500], -4000)?.correctionMs).toBe(-4000);
  });
});

describe("seqGaps", () => {
  it("does not count a tick the probe missed (it has its own seq and Tick missed line) as lost", () => {
    const records = [rt(0, { seq: 1 }), rt(3000, { seq: 4 })];
    expect(seqGaps(records, () => "baseline", undefined, new Set([2, 3])).missing).toBe(0);
    const b = new TimelineBuilder();
    b.add(line(records[0] as object));
    b.add(
      line({
        ts: new Date(T0 + 1000).toISOString(),
        level: "warn",
        msg: "Tick missed",
        scheduledTs: new Date(T0 + 1000).toISOString(),
        seq: 2,
        totalMissed: 1,
        task: "host-1",
      }),
    );
    b.add(line(records[1] as object));
    // seq 2 was a missed tick; only seq 3 is lost.
    expect(b.build({}, degradedThreshold(800)).evidence?.tasks?.[0]?.missing).toBe(1);
  });

  it("needs no phase to count", () => {
    const records = [rt(0, { seq: 1 }), rt(5000, { seq: 6 })];
    expect(seqGaps(records, () => undefined).missing).toBe(4);
  });
});
