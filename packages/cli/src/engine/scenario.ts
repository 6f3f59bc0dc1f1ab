// The built-in scenarios are experiment files shipped with the CLI (experiments/*.json), judged by
// the same machinery as a user's file. Adding one is adding a file and its name here.
import { createRequire } from "node:module";
import type { ExperimentFile } from "./experiment-file.js";

const require = createRequire(import.meta.url);

export const SCENARIO_NAMES = ["timeout", "succeed", "edge", "lossy", "unreachable", "throttled"] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

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
