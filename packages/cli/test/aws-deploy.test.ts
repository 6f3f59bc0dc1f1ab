// fislat deploy / destroy against a small stateful CloudFormation fake behind aws-sdk-client-mock:
// change sets that create or update, report no changes, or fail; stacks whose events arrive over
// time and that complete, roll back, or delete. Assertions are on what fislat sent and said.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  type StackEvent,
} from "@aws-sdk/client-cloudformation";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type DeployFlags, deployCommand, destroyCommand } from "../src/commands/deploy.js";
import { readEnvironmentTemplate } from "../src/commands/synth.js";
import { systemClock } from "../src/engine/ports.js";
import { EXIT, FislatError } from "../src/errors.js";
import { drive, on, sent } from "./support/simulated-aws.js";

type Stub = Parameters<typeof on>[0];

interface FakeStack {
  status: string;
  parameters: Record<string, string>;
  outputs: Record<string, string>;
  events: StackEvent[];
}

class FakeCloudFormation {
  readonly stub: Stub = mockClient(CloudFormationClient as never) as unknown as Stub;
  stacks = new Map<string, FakeStack>();
  /** What executing a change set does: the events it produces and the final status. */
  outcome: { final: string; failed?: { resource: string; type: string; reason: string } } = { final: "" };
  noChanges = false;
  private pending: { stack: string; type: string; parameters: Record<string, string> } | undefined;
  private finishAt = 0;

  constructor() {
    const s = this.stub;
    on(s, DescribeStacksCommand).callsFake((input: { StackName: string }) => {
      const stack = this.stacks.get(input.StackName);
      if (!stack)
        throw Object.assign(new Error(`Stack with id ${input.StackName} does not exist`), { name: "ValidationError" });
      this.advance(input.StackName);
      return {
        Stacks: [
          {
            StackName: input.StackName,
            StackStatus: stack.status,
            Parameters: Object.entries(stack.parameters).map(([ParameterKey, ParameterValue]) => ({
              ParameterKey,
              ParameterValue,
            })),
            Outputs: Object.entries(stack.outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
          },
        ],
      };
    });
    on(s, CreateChangeSetCommand).callsFake(
      (input: {
        StackName: string;
        ChangeSetType: string;
        Parameters: { ParameterKey: string; ParameterValue?: string; UsePreviousValue?: boolean }[];
      }) => {
        const previous = this.stacks.get(input.StackName)?.parameters ?? {};
        const parameters = Object.fromEntries(
          input.Parameters.map((p) => [
            p.ParameterKey,
            p.UsePreviousValue ? (previous[p.ParameterKey] ?? "") : (p.ParameterValue ?? ""),
          ]),
        );
        this.pending = { stack: input.StackName, type: input.ChangeSetType, parameters };
        return { Id: "cs-1" };
      },
    );
    on(s, DescribeChangeSetCommand).callsFake(() =>
      this.noChanges
        ? {
            Status: "FAILED",
            StatusReason:
              "The submitted information didn't contain changes. Submit different information to create a change set.",
          }
        : {
            Status: "CREATE_COMPLETE",
            Changes: [
              { ResourceChange: { Action: "Add", LogicalResourceId: "Table", ResourceType: "AWS::DynamoDB::Table" } },
            ],
          },
    );
    on(s, DeleteChangeSetCommand).resolves({});
    on(s, ExecuteChangeSetCommand).callsFake(() => {
      const p = this.pending as NonNullable<typeof this.pending>;
      const stack = this.stacks.get(p.stack) ?? { status: "", parameters: {}, outputs: {}, events: [] };
      stack.status = `${p.type}_IN_PROGRESS`;
      stack.parameters = p.parameters;
      this.stacks.set(p.stack, stack);
      this.event(p.stack, p.stack, "AWS::CloudFormation::Stack", `${p.type}_IN_PROGRESS`);
      this.event(p.stack, "Table", "AWS::DynamoDB::Table", "CREATE_IN_PROGRESS");
      this.finishAt = Date.now() + 20_000;
      this.outcome.final ||= `${p.type}_COMPLETE`;
      return {};
    });
    on(s, DescribeStackEventsCommand).callsFake((input: { StackName: string }) => {
      const stack = this.stacks.get(input.StackName);
      if (!stack)
        throw Object.assign(new Error(`Stack ${input.StackName} does not exist`), { name: "ValidationError" });
      return { StackEvents: [...stack.events].reverse() };
    });
    on(s, DeleteStackCommand).callsFake((input: { StackName: string }) => {
      const stack = this.stacks.get(input.StackName) as FakeStack;
      stack.status = "DELETE_IN_PROGRESS";
      this.finishAt = Date.now() + 15_000;
      this.outcome.final = "DELETE_COMPLETE";
      return {};
    });
  }

  private event(stack: string, resource: string, type: string, status: string, reason?: string) {
    const s = this.stacks.get(stack) as FakeStack;
    s.events.push({
      EventId: `e${s.events.length}`,
      StackId: `stack/${stack}`,
      StackName: stack,
      LogicalResourceId: resource,
      ResourceType: type,
      ResourceStatus: status as StackEvent["ResourceStatus"],
      ...(reason ? { ResourceStatusReason: reason } : {}),
      Timestamp: new Date(),
    });
  }

  /** Time passes for the stack: at the finish time it reaches the outcome, with its events. */
  private advance(name: string) {
    const stack = this.stacks.get(name) as FakeStack;
    if (!/_IN_PROGRESS$/.test(stack.status) || Date.now() < this.finishAt) return;
    const { final, failed } = this.outcome;
    if (failed) {
      this.event(name, failed.resource, failed.type, "CREATE_FAILED", failed.reason);
      this.event(name, "Table", "AWS::DynamoDB::Table", "CREATE_FAILED", "Resource creation cancelled");
    } else if (final !== "DELETE_COMPLETE") {
      this.event(name, "Table", "AWS::DynamoDB::Table", "CREATE_COMPLETE");
    }
    stack.status = final;
    this.event(name, name, "AWS::CloudFormation::Stack", final);
    if (final === "DELETE_COMPLETE") this.stacks.delete(name);
    else if (!failed)
      stack.outputs = {
        ClusterName: "fislat-probe-Cluster-AbC",
        ServiceName: "probe-svc",
        TaskDefinitionFamily: "fislat-probe-probe",
        FisRoleArn: "arn:aws:iam::000000000000:role/fis-x",
        LogGroupName: "/ecs/fislat-probe",
        TableName: "MyTestTable",
        LoadBalancerDns: "nlb-123.elb.example",
        RepositoryUri: "000000000000.dkr.ecr.us-east-1.amazonaws.com/probe",
      };
  }
}

let cfn: FakeCloudFormation;
let dir: string;
let said: string[];
const io = (over: object = {}) => ({ clock: systemClock, say: (m: string) => said.push(m), cwd: dir, ...over });
const client = () => new CloudFormationClient({ region: "us-east-1" });
const NEW = { vpc: "vpc-a", subnets: "subnet-a,subnet-b", allowCidr: ["203.0.113.7/32"], image: "repo/probe:1" };

beforeEach(() => {
  vi.useFakeTimers({
    now: new Date("2026-11-25T10:00:00.000Z"),
    toFake: ["setTimeout", "clearTimeout", "Date", "performance"],
  });
  cfn = new FakeCloudFormation();
  dir = mkdtempSync(path.join(os.tmpdir(), "fislat-deploy-"));
  said = [];
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  cfn.stub.restore();
  vi.useRealTimers();
});

describe("fislat deploy", () => {
  it("creates the stack through a change set of the shipped template, shows events, writes the outputs to fislat.config.json", async () => {
    expect(await drive(deployCommand(client(), { ...NEW, region: "us-east-1" }, io()))).toBe(EXIT.passed);
    const [changeSet] = sent(cfn.stub, CreateChangeSetCommand);
    expect(changeSet).toMatchObject({
      StackName: "fislat-probe",
      ChangeSetType: "CREATE",
      TemplateBody: readEnvironmentTemplate(),
      Capabilities: ["CAPABILITY_IAM"],
      Tags: [{ Key: "managed-by", Value: "fislat" }],
    });
    expect(changeSet?.Parameters).toEqual(
      expect.arrayContaining([
        { ParameterKey: "VpcId", ParameterValue: "vpc-a" },
        { ParameterKey: "SubnetIds", ParameterValue: "subnet-a,subnet-b" },
        { ParameterKey: "AllowedCidr", ParameterValue: "203.0.113.7/32" },
        { ParameterKey: "AllowedCidr2", ParameterValue: "" },
        { ParameterKey: "ImageUri", ParameterValue: "repo/probe:1" },
      ]),
    );
    expect(sent(cfn.stub, ExecuteChangeSetCommand)).toHaveLength(1);
    expect(said.some((l) => /CREATE_COMPLETE +Table \(AWS::DynamoDB::Table\)/.test(l))).toBe(true);
    const config = JSON.parse(readFileSync(path.join(dir, "fislat.config.json"), "utf8"));
    expect(config).toEqual({
      region: "us-east-1",
      cluster: "fislat-probe-Cluster-AbC",
      service: "probe-svc",
      taskDefinition: "fislat-probe-probe",
      roleArn: "arn:aws:iam::000000000000:role/fis-x",
      healthUrl: "http://nlb-123.elb.example/health",
      repository: "000000000000.dkr.ecr.us-east-1.amazonaws.com/probe",
      stackName: "fislat-probe",
    });
  });

  it("creates the stack without an image: ImageUri is left to its empty default", async () => {
    const { image: _none, ...withoutImage } = NEW;
    expect(await drive(deployCommand(client(), withoutImage, io()))).toBe(EXIT.passed);
    const parameters = (sent(cfn.stub, CreateChangeSetCommand)[0]?.Parameters ?? []) as { ParameterKey: string }[];
    const names = parameters.map((p) => p.ParameterKey);
    expect(names).toContain("VpcId");
    expect(names).not.toContain("ImageUri");
  });

  it("updates an existing stack, keeping every value no flag names, and keeps other keys of the config file", async () => {
    cfn.stacks.set("fislat-probe", {
      status: "CREATE_COMPLETE",
      parameters: { VpcId: "vpc-a", ImageUri: "repo/probe:1", ReadTimeoutMs: "500" },
      outputs: {},
      events: [],
    });
    writeFileSync(path.join(dir, "fislat.config.json"), JSON.stringify({ scenario: "edge" }));
    expect(await drive(deployCommand(client(), { image: "repo/probe:2" }, io()))).toBe(EXIT.passed);
    const [changeSet] = sent(cfn.stub, CreateChangeSetCommand);
    expect(changeSet).toMatchObject({ ChangeSetType: "UPDATE" });
    expect(changeSet?.Parameters).toEqual([
      { ParameterKey: "VpcId", UsePreviousValue: true },
      { ParameterKey: "ImageUri", ParameterValue: "repo/probe:2" },
      { ParameterKey: "ReadTimeoutMs", UsePreviousValue: true },
    ]);
    expect(JSON.parse(readFileSync(path.join(dir, "fislat.config.json"), "utf8"))).toMatchObject({
      scenario: "edge",
      service: "probe-svc",
    });
  });

  it("says there is nothing to change, deletes the empty change set and executes nothing", async () => {
    cfn.stacks.set("fislat-probe", {
      status: "UPDATE_COMPLETE",
      parameters: {},
      outputs: { ServiceName: "probe-svc" },
      events: [],
    });
    cfn.noChanges = true;
    expect(await drive(deployCommand(client(), {}, io()))).toBe(EXIT.passed);
    expect(sent(cfn.stub, DeleteChangeSetCommand)).toHaveLength(1);
    expect(sent(cfn.stub, ExecuteChangeSetCommand)).toEqual([]);
    expect(said).toContain("stack fislat-probe is up to date: no changes");
  });

  it("exits 3 naming the first resource that failed and its reason", async () => {
    cfn.outcome = {
      final: "ROLLBACK_COMPLETE",
      failed: {
        resource: "Service",
        type: "AWS::ECS::Service",
        reason: "Invalid request provided: subnet-a not found",
      },
    };
    const error = await drive(deployCommand(client(), NEW, io()).catch((e: unknown) => e));
    expect(error).toBeInstanceOf(FislatError);
    expect((error as FislatError).exitCode).toBe(EXIT.environment);
    expect((error as Error).message).toBe(
      "creating stack fislat-probe failed; first failure: Service (AWS::ECS::Service): Invalid request provided: subnet-a not found",
    );
  });

  it("on Ctrl-C during the deployment says CloudFormation goes on, and how to follow it (exit 4)", async () => {
    const abort = new AbortController();
    const work = deployCommand(client(), NEW, io({ signal: abort.signal }));
    await vi.advanceTimersByTimeAsync(0);
    for (let i = 0; sent(cfn.stub, ExecuteChangeSetCommand).length === 0 && i < 50; i++)
      await vi.advanceTimersByTimeAsync(1000);
    abort.abort();
    expect(await drive(work)).toBe(EXIT.interrupted);
    expect(said.at(-1)).toMatch(
      /CloudFormation goes on with stack fislat-probe .* aws cloudformation describe-stack-events --stack-name fislat-probe/,
    );
  });

  it("refuses a rolled-back stack, and bad input, before creating anything", async () => {
    cfn.stacks.set("fislat-probe", { status: "ROLLBACK_COMPLETE", parameters: {}, outputs: {}, events: [] });
    await expect(drive(deployCommand(client(), NEW, io()))).rejects.toThrow(
      /ROLLBACK_COMPLETE .* fislat destroy --stack-name fislat-probe/,
    );
    cfn.stacks.clear();
    for (const [flags, message] of [
      [{ image: "x" }, /a new environment needs --vpc <vpc-id>, --subnets <subnet-a,subnet-b>, --allow-cidr/],
      [{ ...NEW, allowCidr: ["0.0.0.0/0"] }, /would open the load balancer to everyone/],
      [{ ...NEW, allowCidr: ["10.0.0.1/32", "10.0.0.2/32", "10.0.0.3/32", "10.0.0.4/32"] }, /at most 3/],
      [{ ...NEW, allowCidr: ["300.1.1.1/32"] }, /is not an IPv4 CIDR/],
      [{ ...NEW, subnets: "subnet-a" }, /two or more subnets/],
    ] as [DeployFlags, RegExp][]) {
      const error = await drive(deployCommand(client(), flags, io()).catch((e: unknown) => e));
      expect(error).toMatchObject({ exitCode: EXIT.badInput, message: expect.stringMatching(message) });
    }
    expect(sent(cfn.stub, CreateChangeSetCommand)).toEqual([]);
  });
});

describe("fislat destroy", () => {
  beforeEach(() => {
    cfn.stacks.set("fislat-probe", {
      status: "CREATE_COMPLETE",
      parameters: { CreateTable: "false", TableName: "Orders" },
      outputs: { RepositoryUri: "000000000000.dkr.ecr.us-east-1.amazonaws.com/fislat-probe-repo" },
      events: [],
    });
  });

  it("with --yes deletes the stack, waits until it is gone, and says what it leaves", async () => {
    expect(await drive(destroyCommand(client(), { yes: true }, io()))).toBe(EXIT.passed);
    expect(sent(cfn.stub, DeleteStackCommand)).toEqual([expect.objectContaining({ StackName: "fislat-probe" })]);
    expect(said).toContain("stack fislat-probe deleted");
    expect(said.join("\n")).toMatch(/left: the ECR repository .*fislat-probe-repo and its images/);
    expect(said.join("\n")).toMatch(/left: the table Orders, which this stack did not create/);
  });

  it("asks first on a terminal and deletes nothing on no; refuses without --yes otherwise", async () => {
    const asked: string[] = [];
    const confirm = async (q: string) => {
      asked.push(q);
      return false;
    };
    expect(await drive(destroyCommand(client(), {}, io({ confirm })))).toBe(EXIT.passed);
    expect(asked).toEqual(["Delete stack fislat-probe and everything it created? [y/N] "]);
    await expect(drive(destroyCommand(client(), {}, io()))).rejects.toMatchObject({ exitCode: EXIT.badInput });
    expect(sent(cfn.stub, DeleteStackCommand)).toEqual([]);
  });
});
