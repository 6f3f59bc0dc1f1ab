// Judges a run over one task or many: each task's timeline against the hypothesis on its own (its
// own fault onset, health and recovery), then the run by how many tasks held. Tasks FIS did not
// select, or that the fault never reached, are not judged here: the evidence names them.
import { taskKey } from "./evidence.js";
import type { ExperimentPlan } from "./plan.js";
import type { Timeline } from "./timeline.js";
import { type Assertion, judge, type Verdict } from "./verdict.js";

/** `injectionMs`: how long FIS kept the action running; each task is judged from its own onset. */
export function judgeRun(timeline: Timeline, plan: ExperimentPlan, injectionMs: number): Verdict {
  const lagOf = (t: Timeline) => t.evidence?.tasks[0]?.onset?.lagMs ?? 0;
  if (!timeline.tasks) {
    const single = timeline.evidence?.tasks.length === 1 ? lagOf({ ...timeline, evidence: timeline.evidence }) : 0;
    return judge(timeline, plan, Math.max(0, injectionMs - single));
  }
  const judged: { task: string; verdict: Verdict }[] = [];
  for (const [id, task] of Object.entries(timeline.tasks)) {
    const ev = task.evidence?.tasks[0];
    if (ev && (!ev.targeted || ev.faultNeverShowed || ev.stopped)) continue;
    judged.push({ task: id, verdict: judge(task, plan, Math.max(0, injectionMs - lagOf(task))) });
  }
  const held = judged.filter((j) => j.verdict.passed);
  const failed = judged.filter((j) => !j.verdict.passed);
  const assertions: Assertion[] = [
    {
      id: "fleet.held",
      title: "every task the fault reached held the hypothesis",
      passed: judged.length > 0 && failed.length === 0,
      expected: `all of ${judged.length} task(s)`,
      observed: `${held.length} of ${judged.length} task(s) held${
        failed.length > 0
          ? `; failed: ${failed
              .slice(0, 10)
              .map((f) => taskKey(f.task))
              .join(", ")}`
          : ""
      }`,
    },
  ];
  for (const f of failed) {
    for (const a of f.verdict.assertions.filter((x) => !x.passed)) {
      assertions.push({ ...a, id: `${taskKey(f.task)}:${a.id}`, title: `task ${taskKey(f.task)}: ${a.title}` });
    }
  }
  return { passed: assertions.every((a) => a.passed), assertions };
}
