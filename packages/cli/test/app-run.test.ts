// Planning a run against the user's own app: flags and the experiment file's target/load/tables
// become one request, defaults filled in, and every mistake refused before anything starts
// (exit 2), naming the flag or the file's field and what is allowed.
import { describe, expect, it } from "vitest";
import { loadExperimentSource } from "../src/commands/run-options.js";
import type { ExperimentFile } from "../src/engine/experiment-file.js";
import { parseExperimentText } from "../src/engine/experiment-file.js";
import type { LocalAppTarget } from "../src/engine/plan.js";
import { planExperiment, type RunFlags } from "../src/engine/planner.js";
import { checkTables } from "../src/engine/tables.js";
import { EXIT } from "../src/errors.js";

const APP: RunFlags = { local: true, app: "node server.js", url: ["http://127.0.0.1:3000/orders/42"], rate: "20" };

const plan = (flags: RunFlags, file: ExperimentFile = {}) =>
  planExperiment(
    flags,
    file === undefined ? loadExperimentSource(flags, process.cwd()) : { kind: "file", name: "exp.yaml", data: file },
  );

function refusal(flags: RunFlags, file: ExperimentFile = {}): string {
  try {
    plan(flags, file);
  } catch (error) {
    expect((error as { exitCode?: number }).exitCode).toBe(EXIT.badInput);
    return (error as Error).message;
  }
  throw new Error("was not refused");
}

describe("planning a local app run", () => {
  it("fills in the defaults: ready on the first URL within 60 s, GET, 2 s timeout, 2xx/3xx ok, in-flight cap from rate and timeout", () => {
    const request = plan(APP, undefined as unknown as ExperimentFile);
    const target = request.target as LocalAppTarget;
    expect(target).toMatchObject({
      kind: "local-app",
      app: "node server.js",
      readyUrl: APP.url?.[0],
      readyTimeoutMs: 60_000,
    });
    expect(request.load).toEqual({
      urls: APP.url,
      ratePerSecond: 20,
      maxInFlight: 20 * 2 + 2 + 4,
      requestTimeoutMs: 2000,
      method: "GET",
      headers: {},
      okStatus: "2xx,3xx",
    });
    // The probe's scenarios do not apply: the default hypothesis does, and no fault-shown share.
    expect(request.hypothesis.map((c) => c.id)).toEqual([
      "baseline.failed: rate<0.01",
      "injection.failed: rate<0.01",
      "recovery.failed: rate<0.01",
      "run.recover: value<=5000",
    ]);
    expect(request.evidence.faultShownShare).toBe(0);
    expect(request.probe.intervalMs).toBe(50);
  });

  it("takes health thresholds with --health-url", () => {
    const request = plan(
      { ...APP, healthUrl: "http://127.0.0.1:3000/health", threshold: ["run.healthy:value<5000"] },
      {},
    );
    expect((request.target as LocalAppTarget).healthUrl).toBe("http://127.0.0.1:3000/health");
  });

  it("reads target, load and tables from the experiment file, and lets flags override them", () => {
    const file = parseExperimentText(
      `
version: 1
target:
  app: node server.js
  url: [http://127.0.0.1:3000/a, http://127.0.0.1:3000/b]
  env: { TABLE: Orders }
  readyTimeout: 5s
load:
  rate: 50
  method: POST
  headers: { x-api-key: k }
  body: '{"id":"42"}'
  requestTimeout: 800ms
  okStatus: 200-299,404
tables:
  - TableName: Orders
    KeySchema: [{ AttributeName: id, KeyType: HASH }]
    AttributeDefinitions: [{ AttributeName: id, AttributeType: S }]
    Items: [{ id: { S: "42" } }]
hypothesis:
  injection: { rtt: ["p(99)<1500"] }
`,
      "exp.yaml",
    );
    const request = plan({ local: true, rate: "30", header: ["X-Trace: 1"] }, file);
    const target = request.target as LocalAppTarget;
    expect(target.appEnv).toEqual({ TABLE: "Orders" });
    expect(target.readyTimeoutMs).toBe(5000);
    expect(target.tables?.[0]?.TableName).toBe("Orders");
    expect(request.load).toMatchObject({
      urls: ["http://127.0.0.1:3000/a", "http://127.0.0.1:3000/b"],
      ratePerSecond: 30,
      method: "POST",
      headers: { "x-api-key": "k", "X-Trace": "1" },
      body: '{"id":"42"}',
      requestTimeoutMs: 800,
      okStatus: "200-299,404",
    });
    expect(request.hypothesis.map((c) => c.id)).toEqual(["injection.rtt: p(99)<1500"]);
  });

  it.each([
    [{ ...APP, rate: undefined }, /--rate is required/],
    [{ ...APP, rate: "0" }, /--rate "0" is not valid: expected requests per second, more than 0/],
    [{ ...APP, url: ["ftp://x/"] }, /--url "ftp:\/\/x\/" is not valid: expected an http:\/\/ or https:\/\/ URL/],
    [{ ...APP, app: undefined }, /--url needs --app "COMMAND" .* or --proxy-port N/],
    [{ ...APP, proxyPort: "70000" }, /--proxy-port "70000" is not valid: expected a port from 1 to 65535/],
    [{ ...APP, appEnv: ["1X=a"] }, /--app-env "1X=a" is not NAME=VALUE/],
    [{ ...APP, maxInFlight: "0" }, /--max-in-flight "0" is not valid: expected a whole number from 1/],
    [{ ...APP, okStatus: "600" }, /--ok-status "600" is not valid: expected status classes and codes/],
    [{ ...APP, header: ["nocolon"] }, /--header "nocolon" is not "Name: value"/],
    [{ ...APP, interval: "1s" }, /--interval tunes fislat's own probe/],
    [
      { ...APP, dynamodb: "https://x:8000" },
      /--dynamodb "https:\/\/x:8000" is not valid: expected your local DynamoDB's plain-HTTP address/,
    ],
    [{ ...APP, dynamodb: "http://localhost:8000", tables: "t.json" }, /give one of them/],
    [{ ...APP, cluster: "prod" }, /--cluster applies only to a run against AWS/],
    [{ ...APP, requestTimeout: "0" }, /--request-timeout "0" is out of range/],
    [{ ...APP, local: false }, /--app starts your app on this machine: it runs with --local/],
    [
      { ...APP, threshold: ["run.healthy:value<5000"] },
      /run.healthy: value<5000 judges a health URL, and your app has none here: add --health-url/,
    ],
  ] as [RunFlags, RegExp][])("refuses %o", (flags, message) => {
    expect(refusal(flags)).toMatch(message);
  });
});

describe("checkTables", () => {
  const table = {
    TableName: "Orders",
    KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
    AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
  };
  const bad = (data: unknown) => {
    try {
      checkTables(data, "tables.json");
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error("accepted");
  };

  it("accepts CreateTable inputs with items in DynamoDB JSON, as a list or under tables", () => {
    const items = [{ id: { S: "1" }, n: { N: "2.5" }, m: { M: { l: { L: [{ BOOL: true }, { NULL: true }] } } } }];
    expect(checkTables([{ ...table, Items: items }], "t")).toHaveLength(1);
    expect(checkTables({ tables: [table] }, "t")).toHaveLength(1);
  });

  it.each([
    [{}, /tables.json: \(the file\): expected a list of tables/],
    [[{ ...table, TableName: "x" }], /\[0\]\.TableName: expected 3 to 255 characters/],
    [[{ ...table, Foo: 1 }], /\[0\]\.Foo: unknown field; allowed: TableName, KeySchema/],
    [
      [{ ...table, KeySchema: [{ AttributeName: "id", KeyType: "RANGE" }] }],
      /\[0\]\.KeySchema\[0\]\.KeyType: must be HASH/,
    ],
    [[{ ...table, KeySchema: [{ AttributeName: "sk", KeyType: "HASH" }] }], /"sk" is not in AttributeDefinitions/],
    [[{ ...table, Items: [{ id: "1" }] }], /\[0\]\.Items\[0\]\.id: expected an attribute value in DynamoDB JSON/],
    [[{ ...table, Items: [{ id: { S: "1" }, n: { N: 2 } }] }], /\[0\]\.Items\[0\]\.n: N holds the wrong kind of value/],
    [[{ ...table, Items: [{ other: { S: "1" } }] }], /\[0\]\.Items\[0\]: has no id, a key attribute/],
    [[table, table], /\[1\]\.TableName: "Orders" is defined twice/],
  ])("refuses %j with the place and what is allowed", (data, message) => {
    expect(bad(data)).toMatch(message);
  });
});
