// Judges a run over one task or many: each task's timeline against the hypothesis on its own (its
// own fault onset, health and recovery), then the run by how many tasks held. Tasks FIS did not
// select, or that the fault never reached, are not judged here: the evidence names them. What the
// evidence says cannot be told (a task stopped mid-run, a fault that never showed) makes the run
// inconclusive, never failed.
import { taskKey } from "./evidence.js";
import type { ExperimentPlan } from "./plan.js";
import type { FaultWindow, Timeline } from "./timeline.js";
import { evaluate, type Verdict } from "./verdict.js";

export function judgeRun(timeline: Timeline, plan: ExperimentPlan, window: FaultWindow): Verdict {
  const verdict = timeline.tasks ? judgeFleet(timeline, plan, window) : evaluate(timeline, plan, window);
  const cannotTell = timeline.evidence?.inconclusive ?? [];
  if (cannotTell.length === 0) return verdict;
  return {
    ...verdict,
    status: "inconclusive",
    reasons: [...cannotTell, ...(verdict.status === "inconclusive" ? verdict.reasons : [])],
  };
}

function judgeFleet(timeline: Timeline, plan: ExperimentPlan, window: FaultWindow): Verdict {
  // The run-wide figures (and the thresholds' report) from every targeted task's round trips.
  const overall = evaluate(timeline, plan, window);
  const judged: { task: string; verdict: Verdict }[] = [];
  for (const [id, task] of Object.entries(timeline.tasks ?? {})) {
    const ev = task.evidence?.tasks[0];
    if (ev && (!ev.targeted || ev.faultNeverShowed || ev.stopped)) continue;
    judged.push({ task: id, verdict: evaluate(task, plan, window) });
  }
  const held = judged.filter((j) => j.verdict.status === "passed");
  const failed = judged.filter((j) => j.verdict.status === "failed");
  const unsure = judged.filter((j) => j.verdict.status === "inconclusive");
  const count = `${held.length} of ${judged.length} task(s) held the hypothesis`;
  const about = (list: typeof judged) =>
    list.slice(0, 10).map((j) => `task ${taskKey(j.task)}: ${j.verdict.reasons.join("; ")}`);
  if (judged.length === 0)
    return { ...overall, status: "inconclusive", reasons: ["the fault reached no task that could be judged"] };
  if (failed.length > 0) return { ...overall, status: "failed", reasons: [count, ...about(failed)] };
  if (unsure.length > 0) return { ...overall, status: "inconclusive", reasons: [count, ...about(unsure)] };
  return { ...overall, status: "passed", reasons: [count] };
}
