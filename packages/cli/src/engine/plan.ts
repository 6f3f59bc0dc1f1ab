// What one experiment is to do: the scenario, the fault, the phases, the probe's settings, and how
// the environment delays new connections. Commands build it from flags; the engine follows it.
import type { FaultParameters } from "./ports.js";
import type { Scenario } from "./scenario.js";

export interface ExperimentPlan {
  scenario: Scenario;
  fault: FaultParameters;
  baselineMs: number;
  recoveryMs: number;
  connectionTimeoutMs: number;
  readTimeoutMs: number;
  intervalMs: number;
  healthFailureMs: number;
  healthPollMs: number;
  /** How long to wait for lines still on their way after the run (log ingestion). */
  lateLineGraceMs: number;
  /** How the environment's new connections pay the delay (see predict.ts). */
  waitsOnNewConnection: number;
  connectDelayed: boolean;
}
