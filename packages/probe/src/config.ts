// Probe configuration: read once from the environment and validated before anything starts,
// by the shared contract (contract.ts), so a bad value stops the probe with one line naming the
// variable, the value and what is allowed.
import { PROBE_CONFIG_EXIT_CODE, ProbeEnvError, type ProbeSettings, parseProbeEnv } from "./contract.js";

export { OPERATIONS, type Operation } from "./contract.js";

export type ProbeConfig = ProbeSettings;

/** Exit code for invalid configuration, as for any bad input in fislat. */
export const CONFIG_EXIT_CODE = PROBE_CONFIG_EXIT_CODE;

export { ProbeEnvError as ConfigError };

export function loadConfig(env: Record<string, string | undefined> = process.env): ProbeConfig {
  return parseProbeEnv(env);
}
