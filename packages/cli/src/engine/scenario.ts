// Scenarios are data: the probe's timeouts and the hypothesis to test under the fault. Adding a
// scenario is adding an entry here; the verdict reads `expect` and nothing else.

export type Expectation =
  /** Round trips time out; /health turns unhealthy after the failure window. */
  | "timeouts"
  /** Round trips succeed at about delay + baseline; /health stays healthy. */
  | "success"
  /** Some time out: the observed fraction agrees with the predicted one. */
  | "predicted-mix";

export interface Scenario {
  name: string;
  summary: string;
  connectionTimeoutMs: number;
  readTimeoutMs: number;
  expect: Expectation;
  hypothesis: string;
}

export const SCENARIOS: Record<string, Scenario> = {
  timeout: {
    name: "timeout",
    summary: "500 ms timeouts under 800 ms of latency: round trips time out, /health turns 503",
    connectionTimeoutMs: 500,
    readTimeoutMs: 500,
    expect: "timeouts",
    hypothesis: "round trips time out; /health turns 503 after the failure window",
  },
  succeed: {
    name: "succeed",
    summary: "2000 ms timeouts under 800 ms of latency: round trips succeed, slower",
    connectionTimeoutMs: 2000,
    readTimeoutMs: 2000,
    expect: "success",
    hypothesis: "round trips succeed at about delay + baseline; /health stays 200",
  },
  edge: {
    name: "edge",
    summary: "850 ms timeouts under 800 +/- 50 ms of latency: a mix, as predicted",
    connectionTimeoutMs: 850,
    readTimeoutMs: 850,
    expect: "predicted-mix",
    hypothesis: "a mix of timeouts and successes; the timeout fraction agrees with the prediction",
  },
};

export const SCENARIO_NAMES = Object.keys(SCENARIOS);

/** The fault of the original setup: 800 ms delay, 50 ms jitter, to DynamoDB. */
export const DEFAULT_FAULT = { delayMs: 800, jitterMs: 50 } as const;
