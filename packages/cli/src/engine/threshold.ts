// Thresholds in k6's syntax, `AGGREGATION OPERATOR BOUND` ("p(99)<450", "rate==0", "value<3000"),
// parsed once into data and compared here. The bound is a number, or a sum of plan figures
// ("health_failure+health_poll+1000", "0.05*delay"), so a built-in scenario's tolerance is data too.

export const AGGREGATIONS = ["p(N)", "med", "avg", "min", "max", "rate", "count", "value"] as const;
export type Aggregation =
  | { kind: "p"; percentile: number }
  | { kind: "med" | "avg" | "min" | "max" | "rate" | "count" | "value" };
export type AggregationKind = Aggregation["kind"];

/** `~=` "agrees with": the observed rate's 95% Wilson interval meets the bound (a number or a range). */
export const OPERATORS = ["<", "<=", ">", ">=", "==", "!=", "~="] as const;
export type Operator = (typeof OPERATORS)[number];

/**
 * Figures of the plan and the run a bound may name. `predicted` is the predicted timeout fraction
 * (with `~=`, its range over the baseline's spread).
 */
export const REFERENCES = {
  delay: "the injected delay, ms",
  jitter: "the injected jitter, ms",
  interval: "the probe's interval, ms",
  connection_timeout: "the probe's connection timeout, ms",
  read_timeout: "the probe's read timeout, ms",
  health_failure: "the probe's /health failure window, ms",
  health_poll: "how often /health is polled, ms",
  baseline_med: "the baseline's median round trip, ms",
  predicted: "the predicted timeout fraction (0..1); with ~= its range",
  predicted_median: "the predicted median of successful round trips under the fault, ms",
  predicted_failed: "the predicted share of round trips that fail under the fault (0..1), from the fault's kind",
} as const;
export type Reference = keyof typeof REFERENCES;

export interface Term {
  coefficient: number;
  reference?: Reference;
}

export interface Threshold {
  expression: string;
  aggregation: Aggregation;
  operator: Operator;
  /** The bound is the sum of these terms. */
  bound: Term[];
}

export class ThresholdError extends Error {
  override readonly name = "ThresholdError";
}

const NUMBER = String.raw`\d+(?:\.\d+)?`;
const SHAPE = new RegExp(String.raw`^\s*(p\(\s*(${NUMBER})\s*\)|[a-z]+)\s*(<=|>=|==|!=|~=|<|>)\s*(.*?)\s*$`);
const TERM = new RegExp(String.raw`^(?:(${NUMBER})\s*\*\s*([a-z_]+)|(${NUMBER})|([a-z_]+))`);
const SIMPLE = ["med", "avg", "min", "max", "rate", "count", "value"] as const;

const allowedForm = `AGGREGATION OPERATOR BOUND, e.g. "p(99)<450", "rate==0", "value<3000" (aggregations ${AGGREGATIONS.join(", ")}; operators ${OPERATORS.join(" ")})`;

export function parseThreshold(expression: string): Threshold {
  const match = SHAPE.exec(expression);
  if (!match) throw new ThresholdError(`"${expression}" is not a threshold: expected ${allowedForm}`);
  const [, head = "", percentile, operator = "", boundText = ""] = match;
  let aggregation: Aggregation;
  if (percentile !== undefined) {
    const n = Number(percentile);
    if (n <= 0 || n > 100) throw new ThresholdError(`"${expression}": p(N) takes N from above 0 to 100`);
    aggregation = { kind: "p", percentile: n };
  } else if ((SIMPLE as readonly string[]).includes(head)) {
    aggregation = { kind: head as (typeof SIMPLE)[number] };
  } else {
    throw new ThresholdError(`"${expression}": unknown aggregation "${head}"; allowed: ${AGGREGATIONS.join(", ")}`);
  }
  return {
    expression: expression.trim(),
    aggregation,
    operator: operator as Operator,
    bound: parseBound(expression, boundText),
  };
}

function parseBound(expression: string, text: string): Term[] {
  const allowed = `a number, or figures joined by + and - (${Object.keys(REFERENCES).join(", ")}), e.g. 1200 or health_failure+1000`;
  if (text === "") throw new ThresholdError(`"${expression}": nothing after the operator; expected ${allowed}`);
  const terms: Term[] = [];
  let rest = text;
  let sign = 1;
  if (rest.startsWith("-")) {
    sign = -1;
    rest = rest.slice(1).trimStart();
  }
  for (;;) {
    const m = TERM.exec(rest);
    if (!m) throw new ThresholdError(`"${expression}": "${text}" is not a bound; expected ${allowed}`);
    const [whole, factor, name, plain, bare] = m;
    const reference = name ?? bare;
    if (reference !== undefined && !Object.hasOwn(REFERENCES, reference)) {
      throw new ThresholdError(
        `"${expression}": unknown figure "${reference}"; allowed: ${Object.keys(REFERENCES).join(", ")}`,
      );
    }
    const coefficient = sign * Number(factor ?? plain ?? 1);
    terms.push(reference === undefined ? { coefficient } : { coefficient, reference: reference as Reference });
    rest = rest.slice(whole.length).trimStart();
    if (rest === "") return terms;
    const op = rest[0];
    if (op !== "+" && op !== "-")
      throw new ThresholdError(`"${expression}": "${text}" is not a bound; expected ${allowed}`);
    sign = op === "+" ? 1 : -1;
    rest = rest.slice(1).trimStart();
  }
}

/** The figures a bound may name, as known for this run; `undefined` when not (yet) known. */
export type ReferenceValues = Partial<Record<Reference, number>> & { predictedRange?: [number, number] };

/** The bound's number, or the name of the figure that is not known. */
export function boundValue(threshold: Threshold, values: ReferenceValues): number | { missing: Reference } {
  let total = 0;
  for (const term of threshold.bound) {
    if (term.reference === undefined) {
      total += term.coefficient;
      continue;
    }
    const v = values[term.reference];
    if (v === undefined || !Number.isFinite(v)) return { missing: term.reference };
    total += term.coefficient * v;
  }
  return total;
}

export function compare(observed: number, operator: Exclude<Operator, "~=">, bound: number): boolean {
  switch (operator) {
    case "<":
      return observed < bound;
    case "<=":
      return observed <= bound;
    case ">":
      return observed > bound;
    case ">=":
      return observed >= bound;
    case "==":
      return observed === bound;
    case "!=":
      return observed !== bound;
  }
}

/** `~=`: the observed interval meets the bound's range. */
export function agrees(interval: [number, number], range: [number, number]): boolean {
  return interval[1] >= range[0] && interval[0] <= range[1];
}

export function aggregationName(a: Aggregation): string {
  return a.kind === "p" ? `p(${a.percentile})` : a.kind;
}
