// Experiment files: the shipped schema and the metric table agree, YAML and JSON read alike, and
// refusals name the field.
import { describe, expect, it } from "vitest";
import { STARTING_FILE } from "../src/commands/experiment.js";
import { EXPERIMENT_SCHEMA, ExperimentFileError, parseExperimentText } from "../src/engine/experiment-file.js";
import { FAULT_KINDS } from "../src/engine/fault.js";
import { PHASE_METRICS, RUN_METRICS } from "../src/engine/metrics.js";
import { slugOf } from "../src/engine/planner.js";
import { SCENARIO_NAMES, scenarioFile } from "../src/engine/scenario.js";

type Node = { properties: Record<string, Node> };
const at = (...keys: string[]) => keys.reduce((n, k) => n.properties[k] as Node, EXPERIMENT_SCHEMA as unknown as Node);

describe("the experiment file's schema", () => {
  it("names exactly the metrics the evaluator knows, each also as name? (optional)", () => {
    const names = (scope: string) => Object.keys(at("hypothesis", scope).properties);
    for (const phase of ["baseline", "injection", "recovery"]) {
      expect(names(phase)).toEqual(PHASE_METRICS.flatMap((m) => [m, `${m}?`]));
    }
    expect(names("run")).toEqual(RUN_METRICS.flatMap((m) => [m, `${m}?`]));
  });

  it("names exactly the fault kinds there are modules for", () => {
    expect((at("fault").properties.kind as unknown as { enum: string[] }).enum).toEqual(Object.keys(FAULT_KINDS));
  });

  it("accepts the built-in scenarios and the starting file", () => {
    for (const name of SCENARIO_NAMES) {
      expect(parseExperimentText(JSON.stringify(scenarioFile(name)), `${name}.json`).name).toBe(name);
    }
    expect(parseExperimentText(STARTING_FILE, "start.yaml").fault).toEqual({
      kind: "latency",
      delay: "300ms",
      jitter: "20ms",
    });
  });
});

describe("parseExperimentText", () => {
  it("reads YAML and JSON alike; an empty file is an empty experiment", () => {
    const yaml = parseExperimentText("version: 1\nhypothesis:\n  run:\n    recover: ['value<3000']\n", "x.yml");
    const json = parseExperimentText('{"version":1,"hypothesis":{"run":{"recover":["value<3000"]}}}', "x.json");
    expect(yaml).toEqual(json);
    expect(parseExperimentText("", "empty.yaml")).toEqual({});
  });

  it.each([
    ["x.json", "{", /^x.json is not valid JSON: /],
    ["x.yaml", "a: [", /^x.yaml is not valid YAML: .* at line 1, column 5: "a: \["$/],
    [
      "x.yaml",
      "fault: {kind: latency, delay: 300}",
      /^x.yaml: fault.delay: must be a time with its unit, e.g. 300ms or 1.5s \(delay added to each packet to DynamoDB: 300ms, 1.5s\)$/,
    ],
    ["x.yaml", "phases: {baseline: 30}", /^x.yaml: phases.baseline: a duration with a unit: 500ms, 45s, 5m, 1h/],
    ["x.yaml", "a: 1\na: 2", /^x.yaml is not valid YAML: Map keys must be unique/],
    ["x.yaml", "- 1", /^x.yaml: \(the file\): must be object/],
    ["x.json", '{"__proto__": {"version": 2}}', /^x.json: __proto__: unknown field/],
    ["x.json", '{"labels": {"bad key": "v"}}', /^x.json: labels: a label key: 1 to 64 letters/],
    ["x.json", '{"probe": {"readTimeout": -1}}', /^x.json: probe.readTimeout: .*milliseconds/],
  ])("refuses %s %j, naming the field", (name, text, message) => {
    expect(() => parseExperimentText(text, name)).toThrowError(ExperimentFileError);
    expect(() => parseExperimentText(text, name)).toThrowError(message);
  });
});

describe("slugOf", () => {
  it("keeps a name safe for AWS tags", () => {
    expect(slugOf("slow DynamoDB, 300 ms")).toBe("slow-dynamodb-300-ms");
    expect(slugOf("!!!")).toBe("experiment");
  });
});
