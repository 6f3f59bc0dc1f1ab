// The built-in scenarios are experiment files shipped with the CLI (experiments/*.json), judged by
// the same machinery as a user's file. Adding one is adding a file and its name here.
import { createRequire } from "node:module";
import type { ExperimentFile } from "./experiment-file.js";
import type { FaultKindName } from "./fault.js";

const require = createRequire(import.meta.url);

export const SCENARIO_NAMES = ["timeout", "succeed", "edge", "lossy", "unreachable", "throttled"] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/**
 * The scenario that judges `--fault KIND` when no --scenario or --experiment is given: the kind's
 * own, whose hypothesis expects what that kind does (errors fail a share, packet loss moves the
 * tail), not the latency scenario's timeouts and /health 503.
 */
export const SCENARIO_OF_FAULT: Record<FaultKindName, ScenarioName> = {
  latency: "timeout",
  "packet-loss": "lossy",
  unreachable: "unreachable",
  errors: "throttled",
};

/** The default scenario: `timeout`, or the one of the --fault kind named. */
export function defaultScenario(fault: unknown): ScenarioName {
  return typeof fault === "string" && Object.hasOwn(SCENARIO_OF_FAULT, fault)
    ? SCENARIO_OF_FAULT[fault as FaultKindName]
    : "timeout";
}

/** Only the names above: a config file cannot pick "toString" off an object's prototype. */
export function isScenarioName(name: string): name is ScenarioName {
  return (SCENARIO_NAMES as readonly string[]).includes(name);
}

export function scenarioFile(name: ScenarioName): ExperimentFile {
  return require(`../../experiments/${name}.json`) as ExperimentFile;
}

export const SCENARIO_SUMMARIES: Record<ScenarioName, string> = {
  timeout: "500 ms timeouts under 800 ms of latency: round trips time out, /health turns 503",
  succeed: "2000 ms timeouts under 800 ms of latency: round trips succeed, slower",
  edge: "850 ms timeouts under 800 +/- 50 ms of latency: a mix, as predicted",
  lossy: "30% packet loss: retransmissions move the p99, not the median; nothing times out",
  throttled: "DynamoDB throttles half the requests (MAX_ATTEMPTS 1): the failed share agrees with 0.5",
  unreachable: "DynamoDB unreachable (100% packet loss): every round trip fails, /health turns 503, all recover",
};
