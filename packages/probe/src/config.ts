// Probe configuration: read once from the environment and validated before anything starts,
// so a bad value stops the probe with one line naming the variable, the value and what is allowed.

export const OPERATIONS = ["GetItem", "Query", "Scan", "DescribeTable"] as const;
export type Operation = (typeof OPERATIONS)[number];

export interface ProbeConfig {
  tableName: string;
  connectionTimeoutMs: number;
  readTimeoutMs: number;
  intervalMs: number;
  port: number;
  healthFailureMs: number;
  operation: Operation;
  key: string;
  keyAttribute: string;
  maxAttempts: number;
  testMaxConcurrent: number;
}

/** Exit code for invalid configuration, as for any bad input in fislat. */
export const CONFIG_EXIT_CODE = 2;

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

type Env = Record<string, string | undefined>;

interface NumberRule {
  min: number;
  max: number;
  integer: boolean;
  unit: string;
}

function readNumber(env: Env, name: string, fallback: number, rule: NumberRule): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw.trim());
  const wanted = `${rule.integer ? "a whole number" : "a number"} of ${rule.unit} from ${rule.min} to ${rule.max}`;
  if (!Number.isFinite(value) || (rule.integer && !Number.isInteger(value))) {
    throw new ConfigError(`${name}=${JSON.stringify(raw)} is not valid: expected ${wanted}`);
  }
  if (value < rule.min || value > rule.max) {
    throw new ConfigError(`${name}=${JSON.stringify(raw)} is out of range: expected ${wanted}`);
  }
  return value;
}

function readString(env: Env, name: string, fallback: string, pattern?: RegExp, what?: string): string {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (pattern && !pattern.test(raw)) {
    throw new ConfigError(`${name}=${JSON.stringify(raw)} is not valid: expected ${what}`);
  }
  return raw;
}

// DynamoDB's own rule for table names.
const TABLE_NAME = /^[a-zA-Z0-9_.-]{3,255}$/;
const MS = { min: 1, max: 600_000, integer: true, unit: "milliseconds" };

export function loadConfig(env: Env = process.env): ProbeConfig {
  const operation = readString(env, "PROBE_OPERATION", "GetItem");
  if (!(OPERATIONS as readonly string[]).includes(operation)) {
    throw new ConfigError(
      `PROBE_OPERATION=${JSON.stringify(operation)} is not valid: expected one of ${OPERATIONS.join(", ")}`,
    );
  }
  return {
    tableName: readString(
      env,
      "TABLE_NAME",
      "MyTestTable",
      TABLE_NAME,
      "3 to 255 characters of a-z, A-Z, 0-9, '_', '-' or '.'",
    ),
    connectionTimeoutMs: readNumber(env, "CONNECTION_TIMEOUT_MS", 5000, MS),
    readTimeoutMs: readNumber(env, "READ_TIMEOUT_MS", 5000, MS),
    intervalMs: Math.round(
      readNumber(env, "TEST_INTERVAL_SECONDS", 5, { min: 0.01, max: 3600, integer: false, unit: "seconds" }) * 1000,
    ),
    port: readNumber(env, "PORT", 80, { min: 0, max: 65535, integer: true, unit: "port" }),
    healthFailureMs: Math.round(
      readNumber(env, "HEALTH_FAILURE_SECONDS", 30, { min: 0, max: 86_400, integer: false, unit: "seconds" }) * 1000,
    ),
    operation: operation as Operation,
    key: readString(env, "PROBE_KEY", "test1"),
    keyAttribute: readString(env, "PROBE_KEY_ATTRIBUTE", "id"),
    maxAttempts: readNumber(env, "MAX_ATTEMPTS", 1, { min: 1, max: 10, integer: true, unit: "attempts" }),
    testMaxConcurrent: readNumber(env, "TEST_MAX_CONCURRENT", 2, {
      min: 1,
      max: 64,
      integer: true,
      unit: "requests",
    }),
  };
}
