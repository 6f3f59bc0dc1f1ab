// Plans for engine tests, made by the real planner from a built-in scenario (or a file's data) with
// local defaults: what a run would follow, without a run.
import type { ExperimentFile } from "../../src/engine/experiment-file.js";
import type { ExperimentPlan } from "../../src/engine/plan.js";
import { planExperiment, type RunFlags } from "../../src/engine/planner.js";
import { type ScenarioName, scenarioFile } from "../../src/engine/scenario.js";

export const LONG_PHASES: RunFlags = {
  local: true,
  baseline: "10s",
  duration: "40s",
  recovery: "10s",
  interval: "1s",
  healthFailure: "30s",
};

export function planOf(
  source: ScenarioName | ExperimentFile,
  flags: RunFlags = {},
  over: Partial<Omit<ExperimentPlan, "request">> = {},
): ExperimentPlan {
  const request = planExperiment(
    { ...LONG_PHASES, ...flags },
    typeof source === "string"
      ? { kind: "scenario", name: source, data: scenarioFile(source) }
      : { kind: "file", name: "test.yaml", data: source },
  );
  return {
    request,
    probe: request.probe,
    healthPollMs: 1000,
    lateLineGraceMs: 0,
    traits: { waitsOnNewConnection: 1, connectDelayed: false },
    ...over,
  };
}
