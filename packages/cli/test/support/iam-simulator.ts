// IAM's policy evaluation as SimulatePrincipalPolicy documents it, for identity policies of Allow
// statements: an action on a resource is allowed when a statement's Action and Resource match (with
// * and ? wildcards) and its conditions hold; a missing context key fails its condition and is
// reported in MissingContextValues; without ResourceArns the resource is "*"; and one answer per
// action, the most restrictive over all the resources of the call (IAM API reference,
// EvaluationResult). Tests answer SimulatePrincipalPolicy with it and check `fislat policy` with it.

export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface ContextEntry {
  ContextKeyName?: string;
  ContextKeyValues?: string[];
}

const list = <T>(v: T | T[]) => (Array.isArray(v) ? v : [v]);

/** IAM's wildcard match: * any run of characters, ? one; case-sensitive for resources. */
export function wildcard(pattern: string, value: string, ignoreCase = false): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${re}$`, ignoreCase ? "i" : "").test(value);
}

const OPERATORS: Record<string, (pattern: string, value: string) => boolean> = {
  StringEquals: (p, v) => p === v,
  StringLike: (p, v) => wildcard(p, v),
  ArnEquals: (p, v) => wildcard(p, v),
  ArnLike: (p, v) => wildcard(p, v),
};

function conditionHolds(
  condition: PolicyStatement["Condition"],
  context: Map<string, string[]>,
  missing: Set<string>,
): boolean {
  for (const [operator, keys] of Object.entries(condition ?? {})) {
    const test = OPERATORS[operator];
    if (!test) throw new Error(`the simulator does not know condition operator ${operator}`);
    for (const [key, patterns] of Object.entries(keys)) {
      const values = context.get(key.toLowerCase());
      if (!values) {
        missing.add(key);
        return false;
      }
      if (!values.some((v) => list(patterns).some((p) => test(p, v)))) return false;
    }
  }
  return true;
}

/** Whether `action` on `resource` is allowed; `missing` collects context keys a condition wanted. */
export function allows(
  statements: PolicyStatement[],
  action: string,
  resource: string,
  context: ContextEntry[] = [],
  missing = new Set<string>(),
): boolean {
  const ctx = new Map(context.map((c) => [(c.ContextKeyName ?? "").toLowerCase(), c.ContextKeyValues ?? []]));
  let allowed = false;
  for (const s of statements) {
    if (!list(s.Action).some((a) => wildcard(a, action, true))) continue;
    if (!list(s.Resource).some((r) => wildcard(r, resource))) continue;
    if (!conditionHolds(s.Condition, ctx, missing)) continue;
    if (s.Effect === "Deny") return false;
    allowed = true;
  }
  return allowed;
}

/** SimulatePrincipalPolicy's answer for a principal whose policies are `statements`. */
export function simulatePrincipalPolicy(
  statements: PolicyStatement[],
  input: { ActionNames: string[]; ResourceArns?: string[]; ContextEntries?: ContextEntry[] },
) {
  const resources = input.ResourceArns?.length ? input.ResourceArns : ["*"];
  return {
    EvaluationResults: input.ActionNames.map((action) => {
      const missing = new Set<string>();
      const perResource = resources.map((r) => ({
        EvalResourceName: r,
        EvalResourceDecision: allows(statements, action, r, input.ContextEntries, missing) ? "allowed" : "implicitDeny",
      }));
      return {
        EvalActionName: action,
        EvalDecision: perResource.every((r) => r.EvalResourceDecision === "allowed") ? "allowed" : "implicitDeny",
        ResourceSpecificResults: perResource,
        MissingContextValues: [...missing],
      };
    }),
  };
}
