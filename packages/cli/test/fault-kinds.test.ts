// A fault kind is one module (faults/<kind>.ts) plus one proxy behaviour: the shipped schema, the
// flags and the FIS action all come from the modules, and nothing else in the CLI knows a kind's
// fields by name.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { faultSchema } from "../src/engine/experiment-file.js";
import { FAULT_KINDS, type Fault, type FaultKind, faultKind } from "../src/engine/fault.js";
import { handshakeWaits } from "../src/engine/faults/latency.js";
import { planExperiment } from "../src/engine/planner.js";
import { scenarioFile } from "../src/engine/scenario.js";

const root = fileURLToPath(new URL("../../..", import.meta.url));
const kinds = Object.values(FAULT_KINDS) as FaultKind<Fault>[];

describe("fault kinds", () => {
  it("ship in the experiment schema exactly as their modules describe them", () => {
    const shipped = JSON.parse(readFileSync(`${root}/packages/cli/schemas/experiment.schema.json`, "utf8"));
    // Regenerate with: pnpm schemas
    expect(shipped.properties.fault).toEqual(faultSchema());
  });

  it("keep their fields to their own modules: the latency delay is named only in faults/latency.ts", () => {
    const hits = execFileSync("grep", ["-rln", "delayMs", "packages/cli/src"], { cwd: root, encoding: "utf8" })
      .trim()
      .split("\n");
    expect(hits).toEqual(["packages/cli/src/engine/faults/latency.ts"]);
  });

  it("each say what their local twin does and does not reproduce, and how AWS injects them or why not", () => {
    for (const kind of kinds) {
      expect(kind.fidelity, kind.kind).toMatch(/Not reproduced: /);
      expect("refused" in kind.aws ? kind.aws.refused : kind.aws.iamActions.join(","), kind.kind).not.toBe("");
    }
  });
});

describe("the latency kind's new connections", () => {
  const plan = (readTimeout: string) =>
    planExperiment(
      { local: true, readTimeout, connectionTimeout: readTimeout },
      { kind: "scenario", name: "succeed", data: scenarioFile("succeed") },
    );

  it("are held for the handshake's waits only when the read timeout outlasts them all (same fate, AWS's time)", () => {
    const fault = FAULT_KINDS.latency.defaults;
    // 3 x 850 ms: a 3 s read timeout sees AWS's three waits and the proxy's one silence alike.
    expect(handshakeWaits(fault, plan("3000").probe)).toBe(2);
    expect(FAULT_KINDS.latency.proxyFault(fault, 1000, plan("3000").probe)).toMatchObject({ newConnectionWaits: 2 });
    // A 2 s read timeout: AWS's waits each pass, one 2.4 s silence would not: one wait keeps the fate.
    expect(handshakeWaits(fault, plan("2000").probe)).toBe(0);
    expect(FAULT_KINDS.latency.localTraits(fault, plan("2000").probe).waitsOnNewConnection).toBe(1);
  });
});

describe("--fault KIND and its own flags", () => {
  const plan = (flags: Record<string, unknown>, data: object = {}) =>
    planExperiment(
      { local: true, threshold: ["injection.rtt:p(99)<5000"], ...flags },
      { kind: "file", name: "x.yaml", data },
    );
  const refusal = (flags: Record<string, unknown>, data: object = {}) => {
    try {
      plan(flags, data);
    } catch (error) {
      return (error as Error).message;
    }
    return "accepted";
  };

  it("plans each kind from its flags, else the file's fields of that kind, else its defaults", () => {
    expect(plan({ fault: "packet-loss", loss: "30%" }).fault).toEqual({ kind: "packet-loss", lossPercent: 30 });
    expect(plan({}, { fault: { kind: "packet-loss", loss: 12 } }).fault).toEqual({
      kind: "packet-loss",
      lossPercent: 12,
    });
    expect(
      plan({ fault: "errors", errorRate: "0.2" }, { fault: { kind: "errors", error: "InternalServerError" } }).fault,
    ).toEqual({
      kind: "errors",
      error: "InternalServerError",
      rate: 0.2,
    });
    // --fault over a file of another kind: the file's fault fields belong to that kind and are not read.
    expect(plan({ fault: "unreachable" }, { fault: { kind: "latency", delay: "5ms" } }).fault).toEqual({
      kind: "unreachable",
    });
    expect(plan({ fault: "errors" }).fault).toEqual(FAULT_KINDS.errors.defaults);
  });

  it("describes an error share as it was given, a small one never as 0%", () => {
    const described = (errorRate: string) => {
      const fault = plan({ fault: "errors", errorRate }).fault;
      return faultKind(fault).describe(fault);
    };
    expect(described("0.5")).toBe("ThrottlingException on 50% of DynamoDB requests");
    expect(described("0.333")).toBe("ThrottlingException on 33.3% of DynamoDB requests");
    expect(described("0.0001")).toBe("ThrottlingException on 0.01% of DynamoDB requests");
  });

  it("refuses another kind's flag, and each field's bad values, naming where they came from (exit 2)", () => {
    expect(refusal({ loss: "30" })).toBe(
      "--loss applies to --fault packet-loss, and this run's fault is latency (give --fault packet-loss)",
    );
    expect(refusal({ fault: "errors", delay: "5" })).toBe(
      "--delay applies to --fault latency, and this run's fault is errors",
    );
    expect(refusal({ fault: "packet-loss", loss: "0" })).toBe(
      '--loss "0" is not valid: expected a whole percentage (FIS\'s lossPercent) from 1 to 100',
    );
    expect(refusal({ fault: "errors", errorRate: "1.5" })).toBe(
      '--error-rate "1.5" is not valid: expected a share more than 0 and at most 1',
    );
    expect(refusal({ fault: "errors", error: "Throttling" })).toBe(
      '--error "Throttling" is not valid: expected one of ThrottlingException, ProvisionedThroughputExceededException, InternalServerError, ServiceUnavailable',
    );
    expect(refusal({ fault: "chaos" })).toBe(
      '--fault "chaos" is not a fault kind: expected one of latency, packet-loss, unreachable, errors',
    );
  });
});
