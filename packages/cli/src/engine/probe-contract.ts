// The probe's settings as fislat validates them: the shape of `@fislat/probe/contract` (TEAM
// contract 1) with the limits the probe's config.ts enforces today. Replaced by a re-export of the
// probe's own module once that lands on main, so the CLI can never accept what the probe refuses.

export interface ProbeEnvVariable {
  name: string;
  unit: "ms" | "s";
  min: number;
  max: number;
  default?: number;
  description: string;
}

export const PROBE_ENV = {
  CONNECTION_TIMEOUT_MS: {
    name: "CONNECTION_TIMEOUT_MS",
    unit: "ms",
    min: 1,
    max: 600_000,
    default: 5000,
    description: "the SDK's connection timeout",
  },
  READ_TIMEOUT_MS: {
    name: "READ_TIMEOUT_MS",
    unit: "ms",
    min: 1,
    max: 600_000,
    default: 5000,
    description: "the SDK's read timeout",
  },
  TEST_INTERVAL_SECONDS: {
    name: "TEST_INTERVAL_SECONDS",
    unit: "s",
    min: 0.01,
    max: 3600,
    default: 5,
    description: "time between round trips",
  },
  HEALTH_FAILURE_SECONDS: {
    name: "HEALTH_FAILURE_SECONDS",
    unit: "s",
    min: 0,
    max: 86_400,
    default: 30,
    description: "failing time after which /health answers 503",
  },
} satisfies Record<string, ProbeEnvVariable>;
