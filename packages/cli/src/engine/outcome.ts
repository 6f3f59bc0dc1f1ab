// How a run ends, and the one place that turns that into an exit code.
import { EXIT, type ExitCode } from "../errors.js";
import type { ExperimentResult } from "./experiment.js";

export type Outcome = "passed" | "failed" | "inconclusive" | "interrupted" | "error";

/** A run's exit code: every code but bad input (2), which is refused before anything runs. */
export type RunExitCode = Exclude<ExitCode, typeof EXIT.badInput>;

export const EXIT_FOR: Record<Outcome, RunExitCode> = {
  passed: EXIT.passed,
  failed: EXIT.failed,
  inconclusive: EXIT.inconclusive,
  error: EXIT.environment,
  interrupted: EXIT.interrupted,
};

export function outcomeOf(result: ExperimentResult): Outcome {
  if (result.removalError !== undefined || result.interrupted) return "interrupted";
  if (result.failure !== undefined || result.fault.endReason === "failed") return "error";
  return result.verdict?.status ?? "error";
}

/**
 * A fault that could not be confirmed removed outranks every other ending; a passed run whose
 * report could not be written is not a pass CI can see.
 */
export function exitCodeFor(
  outcome: Outcome,
  result?: Pick<ExperimentResult, "removalError">,
  reports: { failed: number } = { failed: 0 },
): RunExitCode {
  if (result?.removalError !== undefined) return EXIT.faultNotRemoved;
  if (outcome === "passed" && reports.failed > 0) return EXIT.environment;
  return EXIT_FOR[outcome];
}
