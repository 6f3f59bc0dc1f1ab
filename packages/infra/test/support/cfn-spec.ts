// Checks a CloudFormation template against CloudFormation's own resource specification (the
// `@aws-cdk/aws-service-spec` database that CDK generates its L1 classes from): every resource
// type known, every property name known (case-sensitive), required ones present, and values of
// the right type, including inside both branches of Fn::If, where CDK translates nothing.
import { loadAwsServiceSpecSync } from "@aws-cdk/aws-service-spec";

type SpecDatabase = ReturnType<typeof loadAwsServiceSpecSync>;

/** The shape of the spec's property types (@aws-cdk/service-spec-types), as far as we read it. */
type PropertyType =
  | { type: "string"; allowedValues?: string[] }
  | { type: "number" }
  | { type: "integer"; allowedValues?: number[] }
  | { type: "boolean" }
  | { type: "json" }
  | { type: "date-time" }
  | { type: "null" }
  | { type: "tag" }
  | { type: "ref"; reference: { $ref: string } }
  | { type: "array"; element: PropertyType }
  | { type: "map"; element: PropertyType }
  | { type: "union"; types: PropertyType[] };

interface SpecProperty {
  type: PropertyType;
  required?: boolean;
}

const RESOURCE_KEYS = new Set([
  "Type",
  "Properties",
  "Condition",
  "DependsOn",
  "Metadata",
  "DeletionPolicy",
  "UpdateReplacePolicy",
  "CreationPolicy",
  "UpdatePolicy",
]);

/** Intrinsics whose value is a scalar (or a list, for the list-valued ones) known only at deploy time. */
const SCALAR_INTRINSICS = new Set([
  "Ref",
  "Fn::GetAtt",
  "Fn::Sub",
  "Fn::Join",
  "Fn::Select",
  "Fn::ImportValue",
  "Fn::FindInMap",
  "Fn::Base64",
  "Fn::GetAZs",
  "Fn::Split",
  "Fn::Cidr",
  "Fn::Length",
  "Fn::ToJsonString",
]);
const LIST_INTRINSICS = new Set(["Ref", "Fn::GetAZs", "Fn::Split", "Fn::Cidr", "Fn::GetAtt", "Fn::FindInMap"]);

let db: SpecDatabase | undefined;
function spec(): SpecDatabase {
  db ??= loadAwsServiceSpecSync();
  return db;
}

interface Template {
  Parameters?: Record<string, { Type: string }>;
  Conditions?: Record<string, unknown>;
  Resources: Record<string, Record<string, unknown>>;
}

/** Every problem found, each as `Resource.Path: what`; empty when the template conforms. */
export function specProblems(template: Template): string[] {
  const problems: string[] = [];
  const conditions = new Set(Object.keys(template.Conditions ?? {}));
  const parameters = template.Parameters ?? {};
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    for (const key of Object.keys(resource)) {
      if (!RESOURCE_KEYS.has(key)) problems.push(`${logicalId}: unknown resource attribute ${key}`);
    }
    const type = resource.Type as string;
    if (typeof resource.Condition === "string" && !conditions.has(resource.Condition))
      problems.push(`${logicalId}: unknown condition ${resource.Condition}`);
    const found = spec().lookup("resource", "cloudFormationType", "equals", type);
    if (found.length !== 1) {
      problems.push(`${logicalId}: resource type ${type} is not in the CloudFormation specification`);
      continue;
    }
    const properties = (resource.Properties ?? {}) as Record<string, unknown>;
    checkObject(
      properties,
      found[0]?.properties as Record<string, SpecProperty>,
      logicalId,
      problems,
      conditions,
      parameters,
    );
  }
  return problems;
}

function isIntrinsic(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === "Ref" || (keys[0]?.startsWith("Fn::") ?? false));
}

const isNoValue = (value: unknown) => isIntrinsic(value) && (value as { Ref?: unknown }).Ref === "AWS::NoValue";

function checkObject(
  value: Record<string, unknown>,
  properties: Record<string, SpecProperty>,
  where: string,
  problems: string[],
  conditions: Set<string>,
  parameters: Record<string, { Type: string }>,
): void {
  for (const [name, property] of Object.entries(properties)) {
    if (property.required && !(name in value)) problems.push(`${where}: required property ${name} is missing`);
  }
  for (const [name, v] of Object.entries(value)) {
    const property = properties[name];
    if (!property) {
      const near = Object.keys(properties).find((p) => p.toLowerCase() === name.toLowerCase());
      problems.push(`${where}: unknown property ${name}${near ? ` (the specification spells it ${near})` : ""}`);
      continue;
    }
    checkValue(v, property.type, `${where}.${name}`, problems, conditions, parameters);
  }
}

function describe(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function checkValue(
  value: unknown,
  type: PropertyType,
  where: string,
  problems: string[],
  conditions: Set<string>,
  parameters: Record<string, { Type: string }>,
): void {
  if (isIntrinsic(value)) {
    const [fn, args] = Object.entries(value)[0] as [string, unknown];
    if (fn === "Fn::If") {
      const [condition, whenTrue, whenFalse] = args as [string, unknown, unknown];
      if (!conditions.has(condition)) problems.push(`${where}: Fn::If names unknown condition ${condition}`);
      for (const [branch, v] of [
        ["true", whenTrue],
        ["false", whenFalse],
      ] as const) {
        if (!isNoValue(v)) checkValue(v, type, `${where}[if ${condition} ${branch}]`, problems, conditions, parameters);
      }
      return;
    }
    if (fn === "Ref" && value.Ref === "AWS::NoValue") {
      problems.push(`${where}: AWS::NoValue outside Fn::If`);
      return;
    }
    const expectsList = type.type === "array";
    if (expectsList) {
      const listRef =
        fn === "Ref" &&
        typeof value.Ref === "string" &&
        /^(List<|CommaDelimitedList)/.test(parameters[value.Ref]?.Type ?? "");
      if (!LIST_INTRINSICS.has(fn) || (fn === "Ref" && !listRef))
        problems.push(`${where}: ${fn} ${describe(args)} does not give the list the specification expects`);
      return;
    }
    if (type.type === "ref" || type.type === "map" || type.type === "tag") {
      if (type.type === "map" && fn === "Fn::FindInMap") return;
      problems.push(`${where}: ${fn} gives a scalar where the specification expects an object`);
      return;
    }
    if (!SCALAR_INTRINSICS.has(fn)) problems.push(`${where}: ${fn} is not allowed in a property value`);
    if (fn === "Ref" && typeof value.Ref === "string") {
      const paramType = parameters[value.Ref]?.Type;
      if (paramType && /^(List<|CommaDelimitedList)/.test(paramType) && type.type !== "json")
        problems.push(`${where}: Ref ${value.Ref} is a list parameter where the specification expects a ${type.type}`);
    }
    return;
  }
  switch (type.type) {
    case "string":
    case "date-time":
      if (typeof value !== "string") problems.push(`${where}: ${describe(value)} is not a string`);
      else if (type.type === "string" && type.allowedValues && !type.allowedValues.includes(value))
        problems.push(`${where}: ${describe(value)} is not one of ${type.allowedValues.join(", ")}`);
      return;
    case "number":
      if (typeof value !== "number") problems.push(`${where}: ${describe(value)} is not a number`);
      return;
    case "integer":
      if (typeof value !== "number" || !Number.isInteger(value))
        problems.push(`${where}: ${describe(value)} is not an integer`);
      return;
    case "boolean":
      if (typeof value !== "boolean") problems.push(`${where}: ${describe(value)} is not a boolean`);
      return;
    case "json":
      if (typeof value !== "object" && typeof value !== "string")
        problems.push(`${where}: ${describe(value)} is not JSON (an object or a string)`);
      return;
    case "null":
      return;
    case "tag":
      checkObject(
        value as Record<string, unknown>,
        { Key: { type: { type: "string" }, required: true }, Value: { type: { type: "string" }, required: true } },
        where,
        problems,
        conditions,
        parameters,
      );
      return;
    case "array":
      if (!Array.isArray(value)) {
        problems.push(`${where}: ${describe(value)} is not a list`);
        return;
      }
      value.forEach((element, i) => {
        // Fn::If with AWS::NoValue inside a list drops the element.
        checkValue(element, type.element, `${where}[${i}]`, problems, conditions, parameters);
      });
      return;
    case "map":
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        problems.push(`${where}: ${describe(value)} is not a map`);
        return;
      }
      for (const [k, v] of Object.entries(value))
        checkValue(v, type.element, `${where}.${k}`, problems, conditions, parameters);
      return;
    case "union": {
      const attempts = type.types.map((t) => {
        const found: string[] = [];
        checkValue(value, t, where, found, conditions, parameters);
        return found;
      });
      if (!attempts.some((a) => a.length === 0)) {
        const fewest = attempts.reduce((a, b) => (b.length < a.length ? b : a));
        problems.push(...fewest);
      }
      return;
    }
    case "ref": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        problems.push(`${where}: ${describe(value)} is not an object`);
        return;
      }
      const definition = spec().get("typeDefinition", type.reference.$ref) as unknown as {
        properties: Record<string, SpecProperty>;
      };
      checkObject(value as Record<string, unknown>, definition.properties, where, problems, conditions, parameters);
      return;
    }
  }
}
