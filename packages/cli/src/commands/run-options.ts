// `fislat run` flags turned into a validated plan. Every refusal names the flag, the value and
// what is allowed, and exits 2 before anything starts.
import { accessSync, constants, statSync } from "node:fs";
import path from "node:path";
import { parseDuration, parseMilliseconds } from "../durations.js";
import { DEFAULT_FAULT, SCENARIO_NAMES, SCENARIOS, type Scenario } from "../engine/scenario.js";
import { badInput } from "../errors.js";

export interface RunFlags {
  local?: boolean;
  scenario?: string;
  baseline?: string;
  duration?: string;
  recovery?: string;
  interval?: string;
  delay?: string;
  jitter?: string;
  connectionTimeout?: string;
  readTimeout?: string;
  healthFailure?: string;
  json?: string;
  junit?: string;
  markdown?: string;
}

export interface RunOptions {
  scenario: Scenario;
  baselineMs: number;
  injectionMs: number;
  recoveryMs: number;
  intervalMs: number;
  delayMs: number;
  jitterMs: number;
  connectionTimeoutMs: number;
  readTimeoutMs: number;
  healthFailureMs: number;
  reports: { json?: string; junit?: string; markdown?: string };
}

/** Local defaults: about a minute, and an injection long enough for the 30 s health rule. */
export const LOCAL_DEFAULTS = {
  baseline: "10s",
  duration: "40s",
  recovery: "10s",
  interval: "1s",
  healthFailure: "30s",
} as const;

/**
 * AWS defaults: the original setup's five-minute fault. The probe's interval and health window
 * are read from its task (set with --launch), so these two only apply to launched tasks.
 */
export const AWS_DEFAULTS = {
  baseline: "1m",
  duration: "5m",
  recovery: "1m",
  interval: "5s",
  healthFailure: "30s",
} as const;

export type PhaseDefaults = typeof LOCAL_DEFAULTS | typeof AWS_DEFAULTS;

const MAX_TIMEOUT_MS = 600_000;

function checkReportPath(flag: string, file: string | undefined): string | undefined {
  if (file === undefined) return undefined;
  const resolved = path.resolve(file);
  const dir = path.dirname(resolved);
  try {
    if (!statSync(dir).isDirectory()) throw new Error();
    accessSync(dir, constants.W_OK);
  } catch {
    throw badInput(`${flag} ${JSON.stringify(file)}: the folder ${dir} does not exist or cannot be written`);
  }
  if (statSync(resolved, { throwIfNoEntry: false })?.isDirectory()) {
    throw badInput(`${flag} ${JSON.stringify(file)} is a folder: give a file name`);
  }
  return resolved;
}

export function resolveRunOptions(flags: RunFlags, defaults: PhaseDefaults = LOCAL_DEFAULTS): RunOptions {
  const name = flags.scenario ?? "timeout";
  const scenario = SCENARIOS[name];
  if (!scenario)
    throw badInput(
      `--scenario ${JSON.stringify(name)} is not a scenario: expected one of ${SCENARIO_NAMES.join(", ")}`,
    );
  const delayMs = parseMilliseconds("--delay", flags.delay ?? String(DEFAULT_FAULT.delayMs));
  const jitterMs = flags.jitter === undefined ? DEFAULT_FAULT.jitterMs : parseMilliseconds("--jitter", flags.jitter);
  if (jitterMs > delayMs)
    throw badInput(`--jitter ${jitterMs} ms exceeds --delay ${delayMs} ms: jitter must be at most the delay`);
  const timeout = (flag: string, value: string | undefined, fallback: number) => {
    const result = value === undefined ? fallback : parseMilliseconds(flag, value);
    if (!Number.isInteger(result) || result < 1 || result > MAX_TIMEOUT_MS) {
      throw badInput(
        `${flag} ${JSON.stringify(value)} is out of range: expected whole milliseconds from 1 to ${MAX_TIMEOUT_MS}`,
      );
    }
    return result;
  };
  const intervalMs = parseDuration("--interval", flags.interval ?? defaults.interval);
  if (intervalMs < 10) throw badInput(`--interval ${JSON.stringify(flags.interval)} is too short: at least 10ms`);
  return {
    scenario,
    baselineMs: parseDuration("--baseline", flags.baseline ?? defaults.baseline),
    injectionMs: parseDuration("--duration", flags.duration ?? defaults.duration),
    recoveryMs: parseDuration("--recovery", flags.recovery ?? defaults.recovery),
    intervalMs,
    delayMs,
    jitterMs,
    connectionTimeoutMs: timeout("--connection-timeout", flags.connectionTimeout, scenario.connectionTimeoutMs),
    readTimeoutMs: timeout("--read-timeout", flags.readTimeout, scenario.readTimeoutMs),
    healthFailureMs: parseDuration("--health-failure", flags.healthFailure ?? defaults.healthFailure),
    reports: {
      json: checkReportPath("--json", flags.json),
      junit: checkReportPath("--junit", flags.junit),
      markdown: checkReportPath("--markdown", flags.markdown),
    },
  };
}
