// The errors fault: DynamoDB answers a share of the app's requests with an error (throttling or a
// server error), as the app's SDK meets it in production. FIS cannot do this (its API-error
// actions support only EC2), so it runs only locally: the proxy answers those requests itself,
// byte for byte as DynamoDB does (latency-proxy behaviours/errors.ts).
import type { FaultKind } from "../fault.js";
import { readChoice, readNumber } from "./field.js";

export const ERROR_NAMES = [
  "ThrottlingException",
  "ProvisionedThroughputExceededException",
  "InternalServerError",
  "ServiceUnavailable",
] as const;

export interface ErrorsFault {
  kind: "errors";
  error: (typeof ERROR_NAMES)[number];
  rate: number;
}

const RATE_RULE = { min: 0, max: 1, aboveMin: true, what: "a share" };

const DEFAULTS: ErrorsFault = { kind: "errors", error: "ThrottlingException", rate: 0.5 };

export const errors: FaultKind<ErrorsFault> = {
  kind: "errors",
  summary: "DynamoDB answers a share of requests with an error (throttling, 500, 503); local only",
  fields: {
    error: {
      flag: "--error <name>",
      help: `the DynamoDB error: ${ERROR_NAMES.join(", ")} (default ThrottlingException)`,
      schema: { enum: [...ERROR_NAMES], description: "the error DynamoDB answers with" },
    },
    rate: {
      // Not --rate: that is the load's requests per second in a run against your own app.
      flag: "--error-rate <share>",
      help: "share of DynamoDB requests answered with the error, more than 0 and at most 1 (default 0.5)",
      schema: {
        type: "number",
        exclusiveMinimum: 0,
        maximum: 1,
        description: "share of DynamoDB requests answered with the error: more than 0, at most 1",
      },
      // A sweep's levels ("0.05"), each then read by the planner as --error-rate is; 0.001 apart at least.
      sweep: {
        unit: "share",
        parse: (where, text) => readNumber({ text, where }, 0, RATE_RULE),
        flagValue: String,
        step: 0.001,
      },
    },
  },
  defaults: DEFAULTS,

  plan: (read) => ({
    kind: "errors",
    error: readChoice(read("error"), DEFAULTS.error, ERROR_NAMES),
    rate: readNumber(read("rate"), DEFAULTS.rate, RATE_RULE),
  }),

  validate: (f) =>
    f.rate > 0 && f.rate <= 1
      ? []
      : [{ field: "rate", shown: String(f.rate), message: "a share more than 0 and at most 1" }],

  // Three significant digits: 50%, 33.3%, 0.01% (a small share is never shown as 0%).
  describe: (f) => `${f.error} on ${Number((f.rate * 100).toPrecision(3))}% of DynamoDB requests`,
  shownFields: (f) => ({ error: f.error, rate: String(f.rate) }),
  reportFields: (f) => ({ error: f.error, rate: f.rate }),
  reportSchema: {
    error: { enum: [...ERROR_NAMES], description: "the error DynamoDB answers with" },
    rate: { type: "number", exclusiveMinimum: 0, maximum: 1, description: "share of requests answered with the error" },
  },
  // With the probe's MAX_ATTEMPTS at 1 (its default) each round trip is one request.
  references: (f) => ({ predicted_failed: f.rate }),

  predict: (f, _probe, baseline) =>
    baseline
      ? {
          timeoutFraction: 0,
          timeoutFractionRange: [0, 0],
          successMedianMs: baseline.p50,
          reusedTimeoutProbability: 0,
          newTimeoutProbability: 0,
          failedFraction: f.rate,
        }
      : undefined,

  // A round trip shows the fault by failing (with the SDK's retries, by failing or waiting its backoff).
  degradedThreshold: () => (baseline) => (baseline?.p99 ?? 0) + 25,
  shownCheck: () => "count>=1",

  proxyFault: (f, durationMs) => ({ kind: "errors", error: f.error, rate: f.rate, maxDurationMs: durationMs }),
  localTraits: () => ({ waitsOnNewConnection: 1, connectDelayed: false }),

  fidelity:
    "the proxy answers the drawn share of the app's DynamoDB requests itself as DynamoDB does (status, x-amz-json-1.0 body with __type and message, x-amzn-RequestId, x-amz-crc32), so the SDK classifies and retries them as in production. Not reproduced: DynamoDB's own throttling (per partition and key, with its ThrottlingReasons), errors that take time to arrive, and requests over TLS (the proxy frames plain HTTP/1.1 only).",

  aws: {
    refused:
      "--fault errors runs only with --local: FIS cannot make DynamoDB return errors to an application (its aws:fis:inject-api-* actions support only EC2). Closest on AWS: --fault packet-loss (requests slowed by retransmissions) or --fault unreachable (DynamoDB cut off); for real throttling, lower the table's provisioned capacity.",
  },
};
