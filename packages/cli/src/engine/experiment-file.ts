// Experiment files (JSON or YAML, version 1), read from their text and validated by the JSON
// Schema that ships with the CLI (schemas/experiment.schema.json), so the published schema and
// what fislat accepts cannot drift apart. Errors name the field and what is allowed.
import { createRequire } from "node:module";
import { Ajv, type ErrorObject } from "ajv";
import { parse as parseYaml } from "yaml";
import type { AppRunFile } from "./app-run.js";
import { FAULT_KINDS, type Fault, type FaultKind } from "./fault.js";

const require = createRequire(import.meta.url);

/**
 * `fault` in an experiment file: a kind, and that kind's own fields (each kind's module gives
 * their schema). The shipped schema's `fault` is this, written by scripts/experiment-schema.mjs;
 * a test keeps the two equal.
 */
export function faultSchema(): Record<string, unknown> {
  const kinds = Object.values(FAULT_KINDS) as FaultKind<Fault>[];
  return {
    type: "object",
    required: ["kind"],
    description: `the fault: a kind (${kinds.map((k) => k.kind).join(", ")}) and that kind's fields`,
    properties: { kind: { enum: kinds.map((k) => k.kind), description: "the fault's kind" } },
    allOf: kinds.map((k) => ({
      if: { properties: { kind: { const: k.kind } } },
      // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then, not a promise
      then: {
        additionalProperties: false,
        properties: {
          kind: { const: k.kind, description: k.summary },
          ...Object.fromEntries(Object.entries(k.fields).map(([name, field]) => [name, field.schema])),
        },
      },
    })),
  };
}

const SHIPPED = require("../../schemas/experiment.schema.json") as { properties: Record<string, unknown> };
export const EXPERIMENT_SCHEMA: Record<string, unknown> = {
  ...SHIPPED,
  properties: { ...SHIPPED.properties, fault: faultSchema() },
};

/** The file as written: durations still text, thresholds still strings. `target`/`load`/`tables`: app-run.ts. */
export interface ExperimentFile extends AppRunFile {
  version?: 1;
  name?: string;
  description?: string;
  /** The fault's kind and its own fields (faults/<kind>.ts), as written. */
  fault?: { kind: string; [field: string]: string | number | undefined };
  phases?: { baseline?: string; injection?: string; recovery?: string };
  probe?: {
    connectionTimeout?: string | number;
    readTimeout?: string | number;
    interval?: string;
    healthFailure?: string;
  };
  evidence?: { minRoundTrips?: number; faultShownShare?: number };
  hypothesis?: Record<string, Record<string, string[]>>;
  labels?: Record<string, string>;
  /** fislat sweep only (run ignores it): which fault field to step, and how. */
  sweep?: {
    field?: string;
    levels?: string | string[];
    steps?: number;
    bisect?: string;
    allLevels?: boolean;
    expectHoldsAt?: string;
    maxDuration?: string;
  };
}

export class ExperimentFileError extends Error {
  override readonly name = "ExperimentFileError";
}

const validate = new Ajv({ allErrors: true, strict: false }).compile<ExperimentFile>(EXPERIMENT_SCHEMA);

function describeError(e: ErrorObject): string {
  const field = e.instancePath.replace(/^\//, "").replace(/\//g, ".") || "(the file)";
  switch (e.keyword) {
    case "additionalProperties": {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      const allowed = allowedKeys(e.schemaPath);
      return `${field === "(the file)" ? "" : `${field}.`}${extra}: unknown field${allowed ? `; allowed: ${allowed}` : ""}`;
    }
    case "enum":
      return `${field}: must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(", ")}`;
    case "const":
      return `${field}: must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`;
    case "oneOf":
    case "anyOf":
      return `${field}: ${describeAt(e.schemaPath) ?? e.message ?? "is not valid"}`;
    case "pattern":
      return `${field}: ${describeAt(e.schemaPath) ?? `must match ${(e.params as { pattern: string }).pattern}`}`;
    default:
      return `${field}: ${e.message ?? "is not valid"}${describeAt(e.schemaPath) ? ` (${describeAt(e.schemaPath)})` : ""}`;
  }
}

/** The schema node an error points at, for its description and allowed keys. */
function schemaAt(schemaPath: string): Record<string, unknown> | undefined {
  let node: unknown = EXPERIMENT_SCHEMA;
  for (const part of schemaPath.replace(/^#\//, "").split("/").slice(0, -1)) {
    node = (node as Record<string, unknown> | undefined)?.[decodeURIComponent(part)];
  }
  return node as Record<string, unknown> | undefined;
}

function describeAt(schemaPath: string): string | undefined {
  const node = schemaAt(schemaPath);
  return typeof node?.description === "string" ? node.description : undefined;
}

function allowedKeys(schemaPath: string): string | undefined {
  const props = schemaAt(schemaPath)?.properties as Record<string, unknown> | undefined;
  return props
    ? Object.keys(props)
        .filter((k) => k !== "$schema" && !k.endsWith("?"))
        .join(", ")
    : undefined;
}

/** Parses JSON or YAML (YAML is a superset of JSON; a `.json` file is read as strict JSON). */
export function parseExperimentText(text: string, fileName: string): ExperimentFile {
  let data: unknown;
  try {
    data = /\.json$/i.test(fileName) ? JSON.parse(text) : parseYaml(text, { uniqueKeys: true, maxAliasCount: 100 });
  } catch (error) {
    const first = (error as Error).message.split("\n")[0] ?? "";
    throw new ExperimentFileError(`${fileName} is not valid ${/\.json$/i.test(fileName) ? "JSON" : "YAML"}: ${first}`);
  }
  if (data === null || data === undefined) data = {};
  if (!validate(data)) {
    const errors = validate.errors ?? [];
    // A oneOf reports each branch's complaint and then itself: its description says what is allowed.
    const best = (path: string) =>
      errors.find((e) => e.instancePath === path && (e.keyword === "oneOf" || e.keyword === "anyOf")) ??
      errors.find((e) => e.instancePath === path);
    const problems = [...new Set(errors.map((e) => e.instancePath))]
      .map((path) => best(path) as ErrorObject)
      .slice(0, 5)
      .map(describeError);
    throw new ExperimentFileError(`${fileName}: ${problems.join("; ")}`);
  }
  return data;
}
