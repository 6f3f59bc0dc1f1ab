// Experiment files (JSON or YAML, version 1), read from their text and validated by the JSON
// Schema that ships with the CLI (schemas/experiment.schema.json), so the published schema and
// what fislat accepts cannot drift apart. Errors name the field and what is allowed.
import { createRequire } from "node:module";
import { Ajv, type ErrorObject } from "ajv";
import { parse as parseYaml } from "yaml";
import type { AppRunFile } from "./app-run.js";
import { FAULT_KINDS, type Fault, type FaultKind } from "./fault.js";
import { oneLine } from "./limits.js";
import { PHASE_METRICS, RUN_METRICS } from "./metrics.js";
import { PHASES } from "./timeline.js";

const require = createRequire(import.meta.url);

/**
 * `fault` in an experiment file: a kind, and that kind's own fields (each kind's module gives
 * their schema). The shipped schema's `fault` is this, written by scripts/schemas.mjs;
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

/**
 * `hypothesis` in an experiment file: per scope, each metric the evaluator knows (metrics.ts), and
 * each also as `name?` (optional), holding k6-style thresholds. Filled into the schema by the
 * generator (scripts/schemas.mjs).
 */
export function hypothesisSchema(): Record<string, unknown> {
  const thresholds = {
    type: "array",
    items: {
      type: "string",
      minLength: 1,
      maxLength: 200,
      description: "k6 threshold: AGGREGATION OPERATOR BOUND, e.g. p(99)<450, rate==0, value<3000",
    },
  };
  const scope = (metrics: string[]) => ({
    type: "object",
    additionalProperties: false,
    properties: Object.fromEntries(
      metrics.flatMap((m) => [
        [m, thresholds],
        [`${m}?`, thresholds],
      ]),
    ),
  });
  return {
    type: "object",
    additionalProperties: false,
    properties: {
      ...Object.fromEntries(PHASES.map((phase) => [phase, scope(PHASE_METRICS)])),
      run: scope(RUN_METRICS),
    },
  };
}

/** The shipped schema, generated from ExperimentFile below with faultSchema() and hypothesisSchema() (pnpm schemas). */
export const EXPERIMENT_SCHEMA = require("../../schemas/experiment.schema.json") as Record<string, unknown>;

/** a duration with a unit: 500ms, 45s, 5m, 1h, or ISO 8601 (PT5M) @pattern ^\s*(\d+(\.\d+)?\s*(ms|s|m|h|d)|[Pp][Tt]?[0-9.HMSDhmsd]+)\s*$ */
export type Duration = string;
/** a time with its unit: 300ms, 1.5s (whole milliseconds) @pattern ^\s*\d+(\.\d+)?\s*(ms|s|m)\s*$ */
type Time = string;

// The file as written (durations still text, thresholds still strings). Its JSDoc is the shipped
// schema's: `pnpm schemas` generates schemas/experiment.schema.json from it.
/**
 * One latency experiment: the fault, the phases, the probe's settings and the hypothesis as k6-style thresholds. Every field may be omitted; flags override the file.
 * @title fislat experiment file
 */
export interface ExperimentFile {
  $schema?: string;
  /** the file format's version: 1 */
  version?: 1;
  /** @minLength 1 @maxLength 200 */
  name?: string;
  /** the hypothesis in words @maxLength 2000 */
  description?: string;
  /** The fault's kind and its own fields; its schema is faultSchema(), from the kinds' modules. */
  fault?: { kind: string; [field: string]: string | number | undefined };
  phases?: { baseline?: Duration; injection?: Duration; recovery?: Duration };
  probe?: {
    connectionTimeout?: Time;
    readTimeout?: Time;
    interval?: Duration;
    healthFailure?: Duration;
  };
  /** what must be seen before the hypothesis can be judged; short of it the run is inconclusive */
  evidence?: {
    /** fewest round trips a phase needs (default 5) @asType integer @minimum 1 @maximum 100000 */
    minRoundTrips?: number;
    /** share of the injection's round trips that must show the fault (default 0.8) @minimum 0 @maximum 1 */
    faultShownShare?: number;
  };
  /** Per scope, metric: thresholds; its schema is hypothesisSchema(), from the metric tables. */
  hypothesis?: Record<string, Record<string, string[]>>;
  /**
   * @maxProperties 50
   * @propertyNames {"pattern": "^[A-Za-z0-9_.-]{1,64}$", "description": "a label key: 1 to 64 letters, digits, '_', '.' or '-'"}
   */
  labels?: Record<string, LabelValue>;
  target?: AppRunFile["target"];
  load?: AppRunFile["load"];
  tables?: AppRunFile["tables"];
  /** fislat sweep: the fault field to step, its levels, and how to narrow down the break point (fislat run ignores this section) */
  sweep?: SweepSection;
}

/** fislat sweep: the fault field to step, its levels, and how to narrow down the break point (fislat run ignores this section) */
export interface SweepSection {
  /** the fault's numeric field to step: delay for latency (default: the fault kind's first sweepable field) @minLength 1 @maxLength 64 */
  field?: string;
  /** a range FROM..TO (100ms..1600ms, doubling unless steps is given) or a list of levels ([100ms, 200ms, 400ms]) */
  levels?: SweepRange | SweepLevelList;
  /** with a range: this many evenly spaced levels instead of doubling @asType integer @minimum 2 @maximum 40 */
  steps?: number;
  /** narrow down between the last level that held and the first that broke until they are this close, e.g. 25ms */
  bisect?: SweepLevel;
  /** run every level, also above the first break (default false) */
  allLevels?: boolean;
  /** CI gate: exit 1 when the hypothesis breaks at or below this level, 0 when it holds there, 3 when that cannot be told */
  expectHoldsAt?: SweepLevel;
  /** the longest the whole sweep may take: a duration with a unit (30m, 2h) or ISO 8601 */
  maxDuration?: Duration;
}

/** a range FROM..TO, e.g. 100ms..1600ms (doubling unless steps is given) @pattern ^[^,]+\.\.[^,]+$ */
type SweepRange = string;
/** @minItems 1 @maxItems 40 */
type SweepLevelList = SweepLevel[];
/** one level in the field's unit: 400ms for a delay @pattern ^\s*\d+(\.\d+)?\s*(ms|s|m|%)?\s*$ */
type SweepLevel = string;

/** a label value: at most 256 characters @maxLength 256 */
type LabelValue = string;

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
    case "type": {
      // A time written without its unit (delay: 300) fails the type; one with a wrong unit, the pattern.
      const time = timeForm(schemaAt(e.schemaPath));
      const about = describeAt(e.schemaPath);
      // A type's own description already says what is allowed ("a duration with a unit: 500ms, ...").
      if (time && about && /^a (duration|time)\b/.test(about)) return `${field}: ${about}`;
      if (time) return `${field}: must be ${time}${about ? ` (${about})` : ""}`;
      if (e.keyword === "pattern")
        return `${field}: ${about ?? `must match ${(e.params as { pattern: string }).pattern}`}`;
      return `${field}: ${e.message ?? "is not valid"}${about ? ` (${about})` : ""}`;
    }
    default:
      return `${field}: ${e.message ?? "is not valid"}${describeAt(e.schemaPath) ? ` (${describeAt(e.schemaPath)})` : ""}`;
  }
}

/** What a time field takes, said in words, when the schema node is one (its pattern names the units). */
function timeForm(node: Record<string, unknown> | undefined): string | undefined {
  const pattern = typeof node?.pattern === "string" ? node.pattern : "";
  if (!pattern.includes("(ms|s|m")) return undefined;
  return pattern.includes("[Pp][Tt]")
    ? "a duration with its unit, e.g. 500ms, 45s or 5m (or ISO 8601, PT5M)"
    : "a time with its unit, e.g. 300ms or 1.5s";
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

/**
 * A parser's complaint on one line. The yaml package ends its first line with "at line L, column C:"
 * and puts the source line and a caret below; the line it points at is quoted instead.
 */
export function parseErrorText(error: unknown): string {
  // JSON.parse quotes the text it stopped in, control characters and all: one line, escaped.
  if (error instanceof SyntaxError) return oneLine(error.message);
  const [first = "", ...rest] = (error as Error).message.split("\n");
  if (!first.endsWith(":")) return first;
  const snippet = rest.find((l) => l.trim() !== "" && !/^\s*\^+\s*$/.test(l));
  return snippet === undefined ? first.slice(0, -1) : `${first} ${JSON.stringify(snippet.trim())}`;
}

/** Parses JSON or YAML (YAML is a superset of JSON; a `.json` file is read as strict JSON). */
export function parseExperimentText(text: string, fileName: string): ExperimentFile {
  let data: unknown;
  try {
    data = /\.json$/i.test(fileName) ? JSON.parse(text) : parseYaml(text, { uniqueKeys: true, maxAliasCount: 100 });
  } catch (error) {
    throw new ExperimentFileError(
      `${fileName} is not valid ${/\.json$/i.test(fileName) ? "JSON" : "YAML"}: ${parseErrorText(error)}`,
    );
  }
  if (data === null || data === undefined) data = {};
  if (!validate(data)) {
    const errors = validate.errors ?? [];
    // A oneOf reports each branch's complaint and then itself: its description says what is allowed.
    const best = (path: string) =>
      errors.find((e) => e.instancePath === path && (e.keyword === "oneOf" || e.keyword === "anyOf")) ??
      errors.find((e) => e.instancePath === path);
    // An if/then reports "must match "then" schema" beside the field's own error: schema jargon, dropped.
    const problems = [...new Set(errors.filter((e) => e.keyword !== "if").map((e) => e.instancePath))]
      .map((path) => best(path) as ErrorObject)
      .slice(0, 5)
      .map(describeError);
    throw new ExperimentFileError(`${fileName}: ${problems.join("; ")}`);
  }
  return data;
}
