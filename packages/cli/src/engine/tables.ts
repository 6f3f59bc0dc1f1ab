// The tables a local app run creates in dynalite (`--tables FILE` or the experiment file's
// `tables`): a list of DynamoDB CreateTable inputs, each with optional `Items` in DynamoDB JSON.
// Checked here, before anything starts, so a mistake is named with its place and what is allowed
// rather than surfacing as a DynamoDB error from inside the run. Pure: the caller reads the file.

/** a DynamoDB CreateTable input, with optional Items in DynamoDB JSON */
export interface TableDefinition extends Record<string, unknown> {
  /** @pattern ^[a-zA-Z0-9_.-]{3,255}$ */
  TableName: string;
  /** @minItems 1 @maxItems 2 */
  KeySchema: { AttributeName: string; KeyType: "HASH" | "RANGE" }[];
  /** @minItems 1 */
  AttributeDefinitions: { AttributeName: string; AttributeType: "S" | "N" | "B" }[];
  /** items in DynamoDB JSON, e.g. {"id": {"S": "42"}} */
  Items?: Record<string, DynamoValue>[];
}

/** One attribute in DynamoDB JSON: its type and value, {"S": "42"}. @minProperties 1 @maxProperties 1 */
type DynamoValue = Record<string, unknown>;

export class TablesError extends Error {
  override readonly name = "TablesError";
}

/** The CreateTable fields fislat passes on to dynalite, besides `Items`. */
const TABLE_FIELDS = [
  "TableName",
  "KeySchema",
  "AttributeDefinitions",
  "GlobalSecondaryIndexes",
  "LocalSecondaryIndexes",
  "BillingMode",
  "ProvisionedThroughput",
  "StreamSpecification",
  "SSESpecification",
  "TableClass",
  "DeletionProtectionEnabled",
  "Tags",
  "Items",
];
const ATTRIBUTE_TYPES = ["S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL"];
const TABLE_NAME = /^[a-zA-Z0-9_.-]{3,255}$/;
/** A test fixture, not a data load: enough for any local run, and bounded. */
export const MAX_ITEMS = 10_000;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Checks `data` (already parsed from JSON or YAML) and returns it typed. `where` names the source
 * in messages ("tables.json", "experiment.yaml: tables").
 */
export function checkTables(data: unknown, where: string): TableDefinition[] {
  const fail = (place: string, what: string): never => {
    throw new TablesError(`${where}: ${place}: ${what}`);
  };
  const list = isObject(data) && Array.isArray(data.tables) ? data.tables : data;
  if (!Array.isArray(list) || list.length === 0) {
    fail(
      "(the file)",
      'expected a list of tables, each a DynamoDB CreateTable input (TableName, KeySchema, AttributeDefinitions) with optional Items in DynamoDB JSON, e.g. [{"TableName": "Orders", "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}], "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}], "Items": [{"id": {"S": "42"}}]}]',
    );
  }
  const names = new Set<string>();
  let itemCount = 0;
  (list as unknown[]).forEach((table, t) => {
    const at = `[${t}]`;
    if (!isObject(table)) fail(at, "expected a table object (a CreateTable input)");
    const t0 = table as Record<string, unknown>;
    for (const key of Object.keys(t0)) {
      if (!TABLE_FIELDS.includes(key)) fail(`${at}.${key}`, `unknown field; allowed: ${TABLE_FIELDS.join(", ")}`);
    }
    const name = t0.TableName;
    if (typeof name !== "string" || !TABLE_NAME.test(name)) {
      fail(`${at}.TableName`, "expected 3 to 255 characters of a-z, A-Z, 0-9, '_', '-' and '.'");
    }
    if (names.has(name as string)) fail(`${at}.TableName`, `"${name}" is defined twice`);
    names.add(name as string);
    const defs = t0.AttributeDefinitions;
    if (!Array.isArray(defs) || defs.length === 0) {
      fail(`${at}.AttributeDefinitions`, 'expected a list of {"AttributeName": ..., "AttributeType": "S" | "N" | "B"}');
    }
    const types = new Map<string, string>();
    (defs as unknown[]).forEach((d, i) => {
      const place = `${at}.AttributeDefinitions[${i}]`;
      if (!isObject(d) || typeof d.AttributeName !== "string" || d.AttributeName === "") {
        fail(place, 'expected {"AttributeName": ..., "AttributeType": "S" | "N" | "B"}');
      }
      const def = d as Record<string, unknown>;
      if (!["S", "N", "B"].includes(def.AttributeType as string)) fail(`${place}.AttributeType`, "must be S, N or B");
      types.set(def.AttributeName as string, def.AttributeType as string);
    });
    const keys = checkKeySchema(t0.KeySchema, `${at}.KeySchema`, types, fail);
    for (const kind of ["GlobalSecondaryIndexes", "LocalSecondaryIndexes"] as const) {
      const indexes = t0[kind];
      if (indexes === undefined) continue;
      if (!Array.isArray(indexes)) fail(`${at}.${kind}`, "expected a list of indexes");
      (indexes as unknown[]).forEach((index, i) => {
        const place = `${at}.${kind}[${i}]`;
        if (!isObject(index) || typeof index.IndexName !== "string")
          fail(place, "expected an index with IndexName, KeySchema and Projection");
        checkKeySchema((index as Record<string, unknown>).KeySchema, `${place}.KeySchema`, types, fail);
      });
    }
    const items = t0.Items;
    if (items === undefined) return;
    if (!Array.isArray(items)) fail(`${at}.Items`, "expected a list of items in DynamoDB JSON");
    (items as unknown[]).forEach((item, i) => {
      const place = `${at}.Items[${i}]`;
      if (!isObject(item))
        fail(place, 'expected an item in DynamoDB JSON, e.g. {"id": {"S": "42"}, "total": {"N": "9.5"}}');
      for (const [attr, value] of Object.entries(item as Record<string, unknown>)) {
        checkAttributeValue(value, `${place}.${attr}`, fail);
      }
      for (const key of keys) {
        const value = (item as Record<string, unknown>)[key];
        if (value === undefined) fail(place, `has no ${key}, a key attribute of the table`);
        const type = Object.keys(value as object)[0];
        if (type !== types.get(key))
          fail(`${place}.${key}`, `must be of type ${types.get(key)}, as AttributeDefinitions says`);
      }
    });
    itemCount += (items as unknown[]).length;
    if (itemCount > MAX_ITEMS)
      fail(`${at}.Items`, `more than ${MAX_ITEMS} items in all: a local run loads a fixture, not a data set`);
  });
  return list as TableDefinition[];
}

function checkKeySchema(
  schema: unknown,
  place: string,
  types: Map<string, string>,
  fail: (place: string, what: string) => never,
): string[] {
  const form = 'expected [{"AttributeName": ..., "KeyType": "HASH"}] with an optional second {"KeyType": "RANGE"}';
  if (!Array.isArray(schema) || schema.length < 1 || schema.length > 2) fail(place, form);
  return (schema as unknown[]).map((k, i) => {
    if (!isObject(k) || typeof k.AttributeName !== "string") fail(`${place}[${i}]`, form);
    const key = k as Record<string, unknown>;
    const wanted = i === 0 ? "HASH" : "RANGE";
    if (key.KeyType !== wanted)
      fail(`${place}[${i}].KeyType`, `must be ${wanted} (the ${i === 0 ? "first" : "second"} key)`);
    if (!types.has(key.AttributeName as string)) {
      fail(`${place}[${i}].AttributeName`, `"${key.AttributeName}" is not in AttributeDefinitions`);
    }
    return key.AttributeName as string;
  });
}

function checkAttributeValue(value: unknown, place: string, fail: (place: string, what: string) => never): void {
  const form = `expected an attribute value in DynamoDB JSON: one of ${ATTRIBUTE_TYPES.join(", ")} as its only key, e.g. {"S": "text"} or {"N": "42"}`;
  if (!isObject(value)) fail(place, form);
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length !== 1) fail(place, form);
  const [type, v] = entries[0] as [string, unknown];
  const ok =
    type === "S" || type === "B"
      ? typeof v === "string"
      : type === "N"
        ? typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))
        : type === "SS" || type === "BS"
          ? Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === "string")
          : type === "NS"
            ? Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === "string" && Number.isFinite(Number(x)))
            : type === "BOOL"
              ? typeof v === "boolean"
              : type === "NULL"
                ? v === true
                : type === "M"
                  ? isObject(v)
                  : type === "L"
                    ? Array.isArray(v)
                    : false;
  if (!ok) {
    fail(
      place,
      ATTRIBUTE_TYPES.includes(type)
        ? `${type} holds the wrong kind of value (N and NS take numbers as strings, e.g. {"N": "42"}; BOOL true/false; NULL true)`
        : form,
    );
  }
  if (type === "M") for (const [k, x] of Object.entries(v as object)) checkAttributeValue(x, `${place}.${k}`, fail);
  if (type === "L") {
    (v as unknown[]).forEach((x, i) => {
      checkAttributeValue(x, `${place}[${i}]`, fail);
    });
  }
}
