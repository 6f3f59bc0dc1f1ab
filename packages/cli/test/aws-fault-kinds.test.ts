// Each fault kind against AWS: its FIS action checked against FIS's definition of the action
// (fis-action-model.ts), applied by the simulated AWS through a whole `fislat run`, and the IAM
// both sides need: the shipped FIS role and the operator's policy cover every kind's action.
import { readFileSync } from "node:fs";
import path from "node:path";
import { CreateExperimentTemplateCommand } from "@aws-sdk/client-fis";
import { describe, expect, it } from "vitest";
import { buildTemplate } from "../src/aws/fis-template.js";
import { operatorPolicy } from "../src/aws/operator-policy.js";
import { type RunCommandFlags, runCommand } from "../src/commands/run.js";
import { awsNeeds, FAULT_KINDS, type Fault, type FaultKind } from "../src/engine/fault.js";
import type { Report } from "../src/engine/report.js";
import { EXIT } from "../src/errors.js";
import { useAwsRunSetup } from "./support/aws-run-setup.js";
import { actionProblems } from "./support/fis-action-model.js";
import { allows } from "./support/iam-simulator.js";
import { fisRoleStatements } from "./support/shipped-roles.js";
import { drive, ROLE_ARN, SimulatedAws, sent, taskArn } from "./support/simulated-aws.js";

let sim: SimulatedAws;
const setup = useAwsRunSetup(() => sim?.reset());

const flags = (over: Partial<RunCommandFlags>): RunCommandFlags => ({
  cluster: "FIS",
  service: "dynamodb-test-service",
  task: [],
  tag: [],
  stopAlarm: [],
  roleArn: ROLE_ARN,
  sources: "DYNAMODB",
  targetBy: "arns",
  healthFailure: "30s",
  baseline: "20s",
  duration: "2m",
  recovery: "20s",
  acceptTimeouts: true,
  json: path.join(setup.dir, "report.json"),
  ...over,
});
const report = () => JSON.parse(readFileSync(path.join(setup.dir, "report.json"), "utf8")) as Report;
const injectable = (Object.values(FAULT_KINDS) as FaultKind<Fault>[]).filter((k) => !("refused" in k.aws));

const templateOf = (fault: Fault) =>
  buildTemplate({
    runId: "r",
    scenario: "s",
    roleArn: ROLE_ARN,
    fault,
    durationMs: 300_000,
    sources: "DYNAMODB",
    target: { kind: "arns", taskArns: [taskArn("a")] },
    stopAlarmArns: [],
  });

describe("each fault kind's FIS action", () => {
  it("is one FIS takes, at its defaults and at the ends of its limits", () => {
    const faults: Fault[] = [
      ...injectable.map((k) => k.defaults),
      { kind: "latency", delayMs: 0, jitterMs: 0 + 1 } as Fault,
      { kind: "latency", delayMs: 600_000, jitterMs: 600_000 } as Fault,
      { kind: "packet-loss", lossPercent: 1 },
      { kind: "packet-loss", lossPercent: 100 },
    ];
    for (const fault of faults) {
      const action = Object.values(templateOf(fault).actions)[0] as {
        actionId: string;
        parameters: Record<string, string>;
      };
      expect(actionProblems(action), JSON.stringify(fault)).toEqual([]);
    }
    expect(Object.values(templateOf({ kind: "unreachable" }).actions)[0]).toMatchObject({
      actionId: "aws:ecs:task-network-packet-loss",
      parameters: { lossPercent: "100", sources: "DYNAMODB", useEcsFaultInjectionEndpoints: "true" },
    });
  });

  it("would be refused by FIS with a parameter out of its range or unknown to the action", () => {
    const action = {
      actionId: "aws:ecs:task-network-packet-loss",
      parameters: { duration: "PT5M", useEcsFaultInjectionEndpoints: "true" },
    };
    expect(actionProblems({ ...action, parameters: { ...action.parameters, lossPercent: "101" } })).toEqual([
      'lossPercent "101" is not a valid value',
    ]);
    expect(actionProblems({ ...action, parameters: { ...action.parameters, delayMilliseconds: "5" } })).toEqual([
      "delayMilliseconds is not a parameter of aws:ecs:task-network-packet-loss",
    ]);
  });

  it("is allowed to the shipped FIS role (its SSM document and actions) and to the operator's policy", () => {
    const where = { region: "us-east-1", account: "000000000000" };
    const role = fisRoleStatements(where);
    for (const kind of injectable) {
      const aws = kind.aws as Exclude<FaultKind<Fault>["aws"], { refused: string }>;
      expect(allows(role, "ssm:SendCommand", `arn:aws:ssm:us-east-1::document/${aws.ssmDocument}`), kind.kind).toBe(
        true,
      );
      for (const action of aws.iamActions) {
        const resource =
          action === "ssm:SendCommand" ? "arn:aws:ssm:us-east-1:000000000000:managed-instance/mi-1" : "*";
        expect(allows(role, action, resource), `${kind.kind}: ${action}`).toBe(true);
      }
    }
    const policy = operatorPolicy({
      partition: "aws",
      region: "us-east-1",
      account: "000000000000",
      stackName: "fislat",
    } as never);
    for (const id of awsNeeds().actionIds) {
      expect(
        allows(
          policy.Statement as never,
          "fis:CreateExperimentTemplate",
          `arn:aws:fis:us-east-1:000000000000:action/${id}`,
        ),
        id,
      ).toBe(true);
    }
  });
});

describe("the simulated AWS applies each kind", () => {
  it("unreachable: packet loss 100% on the tasks, every round trip of the fault fails", async () => {
    sim = new SimulatedAws({});
    expect(await drive(runCommand(setup.ctx, flags({ scenario: "unreachable" })))).not.toBe(EXIT.badInput);
    const [template] = sent(sim.fis, CreateExperimentTemplateCommand);
    expect(Object.values(template?.actions as object)[0]).toMatchObject({
      actionId: "aws:ecs:task-network-packet-loss",
      parameters: { lossPercent: "100" },
    });
    const injection = report().phases.injection;
    expect(injection.count).toBeGreaterThan(10);
    expect(injection.successes).toBe(0);
  });

  it("packet-loss 30%: the lost share of round trips waits a retransmission, the rest do not", async () => {
    sim = new SimulatedAws({});
    expect(await drive(runCommand(setup.ctx, flags({ scenario: "lossy" }))), setup.stdout()).toBe(EXIT.passed);
    const [template] = sent(sim.fis, CreateExperimentTemplateCommand);
    expect(Object.values(template?.actions as object)[0]).toMatchObject({ parameters: { lossPercent: "30" } });
    const r = report();
    expect(r.phases.injection.latency?.p99).toBeGreaterThanOrEqual(200);
    expect(r.phases.injection.latency?.p50).toBeLessThan(100);
  });

  it("errors: refused before any AWS call (exit 2), FIS cannot make DynamoDB answer with errors", async () => {
    sim = new SimulatedAws({});
    await expect(drive(runCommand(setup.ctx, flags({ scenario: "throttled" })))).rejects.toThrow(
      /FIS cannot make DynamoDB return errors/,
    );
    expect(sent(sim.fis, CreateExperimentTemplateCommand)).toEqual([]);
  });
});
