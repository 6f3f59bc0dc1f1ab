// What a plan predicts before it runs (fislat experiment check): the fault's predicted timeout
// share under the plan's timeouts, and the hypothesis's thresholds that prediction contradicts, so
// a file that cannot pass is caught before a minute (or five) is spent running it.
import type { Check } from "./checks.js";
import { type EnvironmentTraits, faultKind } from "./fault.js";
import { formatRate } from "./figures.js";
import type { ExperimentRequest } from "./plan.js";
import type { Prediction } from "./predict.js";
import { boundValue, compare } from "./threshold.js";

/** A baseline is measured by the run; before it, a typical DynamoDB GetItem median. */
export const ASSUMED_BASELINE_MEDIAN_MS = 10;

/** How new connections pay the delay where the plan runs (as run.ts and aws/environment.ts set it). */
const TRAITS: Record<ExperimentRequest["target"]["kind"], EnvironmentTraits> = {
  local: { waitsOnNewConnection: 1, connectDelayed: false },
  aws: { waitsOnNewConnection: 3, connectDelayed: true },
  "local-app": { waitsOnNewConnection: 1, connectDelayed: false },
  "aws-service": { waitsOnNewConnection: 3, connectDelayed: true },
};

export interface PlanPrediction {
  prediction?: Prediction;
  /** Each names the threshold and why the prediction says it cannot hold. */
  contradictions: string[];
}

function contradiction(check: Check, p: Prediction): string | undefined {
  if (check.role !== "hypothesis" || check.scope !== "injection") return undefined;
  const [lo, hi] = p.timeoutFractionRange;
  const predicted = `${check.id} contradicts the prediction (${formatRate(lo)}${hi !== lo ? ` to ${formatRate(hi)}` : ""} of round trips time out)`;
  const t = check.threshold;
  if (check.metric === "ok_rtt" && !check.optional && lo >= 1) {
    return `${predicted}: no round trip succeeds, so ok_rtt will not occur (write ok_rtt? to make it optional)`;
  }
  if (t.aggregation.kind !== "rate" || t.operator === "~=") return undefined;
  const bound = boundValue(t, { predicted: p.timeoutFraction });
  if (typeof bound !== "number") return undefined;
  const op = t.operator;
  if (check.metric === "timeouts") {
    const holdsSomewhere =
      op === "=="
        ? lo <= bound && bound <= hi
        : op === "!="
          ? !(lo === hi && lo === bound)
          : compare(lo, op, bound) || compare(hi, op, bound);
    return holdsSomewhere ? undefined : `${predicted}: the run would fail`;
  }
  // Every timeout is a failure: a cap on failures below the predicted timeouts cannot hold.
  if (
    check.metric === "failed" &&
    (op === "<" || op === "<=" || op === "==") &&
    !compare(lo, op === "==" ? "<=" : op, bound)
  ) {
    return `${predicted}: each timeout is a failure, so the run would fail`;
  }
  return undefined;
}

export function predictPlan(request: ExperimentRequest): PlanPrediction {
  const m = ASSUMED_BASELINE_MEDIAN_MS;
  const prediction = faultKind(request.fault).predict(
    request.fault,
    request.probe,
    { p50: m, p90: m, p99: m, max: m, mean: m },
    TRAITS[request.target.kind],
  );
  if (!prediction) return { contradictions: [] };
  const contradictions = request.hypothesis
    .map((c) => contradiction(c, prediction))
    .filter((c): c is string => c !== undefined);
  return { prediction, contradictions };
}
