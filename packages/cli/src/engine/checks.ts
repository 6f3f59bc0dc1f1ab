// A check is data: a scope (a phase, or the whole run), a metric and a threshold. A hypothesis is a
// list of them; the built-in scenarios and a user's experiment file are written the same way.
import {
  AGGREGATIONS_BY_KIND,
  isMetricName,
  METRICS,
  type MetricName,
  PHASE_METRICS,
  RUN_METRICS,
  type Scope,
} from "./metrics.js";
import { aggregationName, parseThreshold, type Threshold, ThresholdError } from "./threshold.js";
import { PHASES } from "./timeline.js";

/** `evidence` checks decide whether the run can be judged; failing one makes it inconclusive. */
export type CheckRole = "hypothesis" | "evidence";

export interface Check {
  /** "injection.ok_rtt: p(99)<450": how reports name it. */
  id: string;
  scope: Scope;
  metric: MetricName;
  /** Written `metric?`: a figure that never happened passes instead of failing. */
  optional: boolean;
  threshold: Threshold;
  role: CheckRole;
}

export class CheckError extends Error {
  override readonly name = "CheckError";
}

const SCOPES = [...PHASES, "run"] as const;

export function isScope(name: string): name is Scope {
  return (SCOPES as readonly string[]).includes(name);
}

/** Parses one threshold under `scope.metric`; errors name the place and what is allowed. */
export function parseCheck(
  scope: string,
  metricKey: string,
  expression: string,
  role: Check["role"] = "hypothesis",
): Check {
  const where = `${scope}.${metricKey}`;
  if (!isScope(scope)) throw new CheckError(`${where}: unknown scope "${scope}"; allowed: ${SCOPES.join(", ")}`);
  const optional = metricKey.endsWith("?");
  const metric = optional ? metricKey.slice(0, -1) : metricKey;
  const allowed = scope === "run" ? RUN_METRICS : PHASE_METRICS;
  if (!isMetricName(metric) || !allowed.includes(metric)) {
    throw new CheckError(`${where}: unknown metric "${metric}" for ${scope}; allowed: ${allowed.join(", ")}`);
  }
  let threshold: Threshold;
  try {
    threshold = parseThreshold(expression);
  } catch (error) {
    if (error instanceof ThresholdError) throw new CheckError(`${where}: ${error.message}`);
    throw error;
  }
  const def = METRICS[metric];
  const kinds = AGGREGATIONS_BY_KIND[def.kind];
  if (!kinds.includes(threshold.aggregation.kind)) {
    throw new CheckError(
      `${where}: "${expression}": ${aggregationName(threshold.aggregation)} does not apply to ${metric} (${def.description}); use ${kinds.map((k) => (k === "p" ? "p(N)" : k)).join(", ")}`,
    );
  }
  if (threshold.operator === "~=" && threshold.aggregation.kind !== "rate") {
    throw new CheckError(`${where}: "${expression}": ~= compares a rate's 95% interval; use it with rate`);
  }
  // The engine's own evidence checks may be vacuous on purpose (degraded rate>=0 for an app run).
  if (role === "hypothesis") checkRateBound(where, expression, threshold);
  const id = `${scope}.${metricKey}: ${threshold.expression}`;
  return { id, scope, metric, optional, threshold, role };
}

/**
 * A rate is a share from 0 to 1: a plain bound outside it, or one that makes the threshold hold (or
 * fail) whatever happens (`rate<0`, `rate>=0`, `rate>1`, `rate<=1`), judges nothing and is refused.
 * A bound naming a plan figure (predicted_failed) is known only at run time and is left alone.
 */
function checkRateBound(where: string, expression: string, threshold: Threshold): void {
  if (threshold.aggregation.kind !== "rate" || threshold.bound.some((t) => t.reference !== undefined)) return;
  const bound = threshold.bound.reduce((sum, t) => sum + t.coefficient, 0);
  const op = threshold.operator;
  const refuse = (why: string) => {
    throw new CheckError(
      `${where}: "${expression.trim()}": ${why}; a rate is a share from 0 to 1 (0.05 is 5%), e.g. rate<0.05`,
    );
  };
  if (bound < 0 || bound > 1) {
    const always =
      (bound > 1 && (op === "<" || op === "<=" || op === "!=")) ||
      (bound < 0 && (op === ">" || op === ">=" || op === "!="));
    refuse(
      `the bound ${bound} is outside 0..1, so it ${op === "~=" ? "can never agree" : always ? "always holds" : "can never hold"}`,
    );
  }
  if ((bound === 0 && op === "<") || (bound === 1 && op === ">"))
    refuse(`no rate is ${op} ${bound}, so it can never hold`);
  if ((bound === 0 && op === ">=") || (bound === 1 && op === "<="))
    refuse(`every rate is ${op} ${bound}, so it always holds`);
}

/** `--threshold 'injection.rtt:p(99)<1200'`: scope.metric, a colon, the threshold. */
export function parseThresholdFlag(text: string): Check {
  const m = /^\s*([a-z]+)\.([a-z0-9_]+\??)\s*:(.*)$/.exec(text);
  if (!m) {
    throw new CheckError(
      `--threshold ${JSON.stringify(text.slice(0, 80))} is not SCOPE.METRIC:THRESHOLD, e.g. 'injection.rtt:p(99)<1200' (scopes ${SCOPES.join(", ")})`,
    );
  }
  const [, scope = "", metric = "", expression = ""] = m;
  try {
    return parseCheck(scope, metric, expression);
  } catch (error) {
    throw new CheckError(`--threshold: ${(error as Error).message}`);
  }
}

/** The file's `hypothesis` object ({ injection: { rtt: ["p(99)<450"] } }) as checks. */
export function checksOf(hypothesis: Record<string, Record<string, string[]>>): Check[] {
  const checks: Check[] = [];
  for (const [scope, metrics] of Object.entries(hypothesis)) {
    for (const [metric, expressions] of Object.entries(metrics)) {
      for (const expression of expressions) checks.push(parseCheck(scope, metric, expression));
    }
  }
  return checks;
}

/** Flags override the file: thresholds given for a metric replace the file's for that metric. */
export function mergeChecks(fromFile: Check[], fromFlags: Check[]): Check[] {
  const overridden = new Set(fromFlags.map((c) => `${c.scope}.${c.metric}`));
  return [...fromFile.filter((c) => !overridden.has(`${c.scope}.${c.metric}`)), ...fromFlags];
}
