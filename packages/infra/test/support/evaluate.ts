// Evaluates the parts of a CloudFormation template that depend only on its parameters (Ref to a
// parameter, Fn::Sub over parameters, conditions, Fn::If), as CloudFormation would for the given
// parameter values or the defaults: what a deploy with those values actually gets.
type Json = unknown;
interface Template {
  Parameters?: Record<string, { Default?: string | number }>;
  Conditions?: Record<string, Json>;
}

export function evaluator(template: Template, values: Record<string, string> = {}) {
  const param = (name: string) => {
    if (name in values) return values[name];
    const p = template.Parameters?.[name];
    if (!p) return undefined;
    return p.Default === undefined ? undefined : String(p.Default);
  };
  const condition = (name: string): boolean => {
    const expr = template.Conditions?.[name];
    if (expr === undefined) throw new Error(`no condition ${name}`);
    return truth(expr);
  };
  const truth = (expr: Json): boolean => {
    const [fn, args] = Object.entries(expr as object)[0] as [string, Json[]];
    switch (fn) {
      case "Fn::Equals":
        return value(args[0]) === value(args[1]);
      case "Fn::Not":
        return !truth(args[0]);
      case "Fn::And":
        return args.every(truth);
      case "Fn::Or":
        return args.some(truth);
      case "Condition":
        return condition(args as unknown as string);
      default:
        throw new Error(`cannot evaluate condition ${fn}`);
    }
  };
  const value = (v: Json): Json => {
    if (Array.isArray(v)) return v.map(value);
    if (typeof v !== "object" || v === null) return v;
    const entries = Object.entries(v);
    if (entries.length === 1) {
      const [fn, args] = entries[0] as [string, Json];
      if (fn === "Ref" && typeof args === "string" && param(args) !== undefined) return param(args);
      if (fn === "Fn::Sub" && typeof args === "string")
        return args.replace(/\$\{([A-Za-z0-9]+)\}/g, (whole, name: string) => param(name) ?? whole);
      if (fn === "Fn::If") {
        const [c, yes, no] = args as [string, Json, Json];
        return value(condition(c) ? yes : no);
      }
    }
    return Object.fromEntries(entries.map(([k, x]) => [k, value(x)]));
  };
  return { value, condition };
}
