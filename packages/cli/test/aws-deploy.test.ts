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
  ExecuteChangeSetCommand,
} from "@aws-sdk/client-cloudformation";
import { CreateTableCommand, DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { DescribeTasksCommand, ECSClient, ListTasksCommand } from "@aws-sdk/client-ecs";
import {
  LOCAL_AWS_ENV,
  SEED_ITEMS as LOCAL_SEED_ITEMS,
  type LocalDynamo,
  startLocalDynamo,
} from "@fislat/dynamo-local";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AwsClients } from "../src/aws/clients.js";
import { SEED_ITEMS } from "../src/aws/seed.js";
import { checkCidr, type DeployFlags, deployCommand, destroyCommand, MIN_CIDR_PREFIX } from "../src/commands/deploy.js";
import { readEnvironmentTemplate } from "../src/commands/synth.js";
import type { CommandContext } from "../src/context.js";
import { EXIT, FislatError } from "../src/errors.js";
import { clientsOf, memoryOutput, testContext } from "./support/context.js";
import { FakeCloudFormation } from "./support/fake-cloudformation.js";
import { drive, on, sent } from "./support/simulated-aws.js";

let cfn: FakeCloudFormation;
let dir: string;
let said: string[];
// What deploy and destroy say, one entry per line they write.
/** The command's context: what it says is kept in `said`; its AWS clients are `aws`. */
const io = (over: Partial<CommandContext> = {}, aws: Partial<AwsClients> = clients()) =>
  testContext({
    stdout: memoryOutput((line) => said.push(line.replace(/\n$/, ""))),
    cwd: dir,
    aws: clientsOf(aws),
    ...over,
  });
const client = () => new CloudFormationClient({ region: "us-east-1" });
/** The table lives in a real DynamoDB (dynalite): seeding is checked by reading it back. */
let dynamo: LocalDynamo;
const dynamodb = () =>
  new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: LOCAL_AWS_ENV.AWS_REGION,
    credentials: { accessKeyId: LOCAL_AWS_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: LOCAL_AWS_ENV.AWS_SECRET_ACCESS_KEY },
  });
const clients = (): Partial<AwsClients> => ({
  cloudformation: client(),
  get dynamodb() {
    return dynamodb();
  },
});
const IMAGE = "000000000000.dkr.ecr.us-east-1.amazonaws.com/probe";
const NEW = {
  vpc: "vpc-f1a7f1a7",
  subnets: "subnet-aaaa0001,subnet-aaaa0002",
  allowCidr: ["203.0.113.7/32"],
  image: `${IMAGE}:1`,
};

/** What the stack's Table resource makes: the table, empty (before the fake clock starts). */
async function createTable(name = "MyTestTable") {
  const client = dynamodb();
  await client.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
      BillingMode: "PAY_PER_REQUEST",
    }),
  );
  client.destroy();
}

beforeEach(async () => {
  dynamo = await startLocalDynamo({ seed: false });
  await createTable();
  vi.useFakeTimers({
    now: new Date("2026-11-25T10:00:00.000Z"),
    toFake: ["setTimeout", "clearTimeout", "Date", "performance"],
  });
  cfn = new FakeCloudFormation();
  dir = mkdtempSync(path.join(os.tmpdir(), "fislat-deploy-"));
  said = [];
});
afterEach(async () => {
  cfn.restore();
  vi.useRealTimers();
  await dynamo.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("fislat deploy", () => {
  it("creates the stack through a change set of the shipped template, shows events, writes the outputs to fislat.config.json", async () => {
    expect(await drive(deployCommand(io(), { ...NEW, region: "us-east-1" }))).toBe(EXIT.passed);
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
        { ParameterKey: "VpcId", ParameterValue: NEW.vpc },
        { ParameterKey: "SubnetIds", ParameterValue: NEW.subnets },
        { ParameterKey: "AllowedCidr", ParameterValue: "203.0.113.7/32" },
        { ParameterKey: "AllowedCidr2", ParameterValue: "" },
        { ParameterKey: "ImageUri", ParameterValue: NEW.image },
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
    expect(await drive(deployCommand(io(), withoutImage))).toBe(EXIT.passed);
    const parameters = (sent(cfn.stub, CreateChangeSetCommand)[0]?.Parameters ?? []) as { ParameterKey: string }[];
    const names = parameters.map((p) => p.ParameterKey);
    expect(names).toContain("VpcId");
    expect(names).not.toContain("ImageUri");
  });

  it("updates an existing stack, keeping every value no flag names, and keeps other keys of the config file", async () => {
    cfn.stacks.set("fislat-probe", {
      status: "CREATE_COMPLETE",
      parameters: { VpcId: NEW.vpc, ImageUri: NEW.image, ReadTimeoutMs: "500" },
      outputs: {},
      events: [],
    });
    writeFileSync(path.join(dir, "fislat.config.json"), JSON.stringify({ scenario: "edge" }));
    expect(await drive(deployCommand(io(), { image: `${IMAGE}:2` }))).toBe(EXIT.passed);
    const [changeSet] = sent(cfn.stub, CreateChangeSetCommand);
    expect(changeSet).toMatchObject({ ChangeSetType: "UPDATE" });
    expect(changeSet?.Parameters).toEqual([
      { ParameterKey: "VpcId", UsePreviousValue: true },
      { ParameterKey: "ImageUri", ParameterValue: `${IMAGE}:2` },
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
    expect(await drive(deployCommand(io(), {}))).toBe(EXIT.passed);
    expect(sent(cfn.stub, DeleteChangeSetCommand)).toHaveLength(1);
    expect(sent(cfn.stub, ExecuteChangeSetCommand)).toEqual([]);
    expect(said).toContain("stack fislat-probe is up to date: no changes");
  });

  it("exits 6 naming the first resource that failed and its reason", async () => {
    cfn.outcome = {
      final: "ROLLBACK_COMPLETE",
      failed: {
        resource: "Service",
        type: "AWS::ECS::Service",
        reason: "Invalid request provided: subnet-a not found",
      },
    };
    const error = await drive(deployCommand(io(), NEW).catch((e: unknown) => e));
    expect(error).toBeInstanceOf(FislatError);
    expect((error as FislatError).exitCode).toBe(EXIT.environment);
    expect((error as Error).message).toBe(
      "creating stack fislat-probe failed; first failure: Service (AWS::ECS::Service): Invalid request provided: subnet-a not found",
    );
  });

  it("on Ctrl-C during the deployment says CloudFormation goes on, and how to follow it (exit 4)", async () => {
    const abort = new AbortController();
    const work = deployCommand(io({ signal: abort.signal }), NEW);
    await vi.advanceTimersByTimeAsync(0);
    for (let i = 0; sent(cfn.stub, ExecuteChangeSetCommand).length === 0 && i < 50; i++)
      await vi.advanceTimersByTimeAsync(1000);
    abort.abort();
    expect(await drive(work)).toBe(EXIT.interrupted);
    expect(said.at(-1)).toMatch(
      /CloudFormation goes on with stack fislat-probe .* aws cloudformation describe-stack-events --stack-name fislat-probe/,
    );
  });

  it("refuses a rolled-back stack before creating anything", async () => {
    cfn.stacks.set("fislat-probe", { status: "ROLLBACK_COMPLETE", parameters: {}, outputs: {}, events: [] });
    await expect(drive(deployCommand(io(), NEW))).rejects.toThrow(
      /ROLLBACK_COMPLETE .* fislat destroy --stack-name fislat-probe/,
    );
    expect(sent(cfn.stub, CreateChangeSetCommand)).toEqual([]);
  });

  it("refuses a new environment without its network settings once it knows the stack is new", async () => {
    const error = await drive(deployCommand(io(), { image: NEW.image }).catch((e: unknown) => e));
    expect(error).toMatchObject({
      exitCode: EXIT.badInput,
      message: expect.stringMatching(
        /a new environment needs --vpc <vpc-id>, --subnets <subnet-a,subnet-b>, --allow-cidr/,
      ),
    });
    expect(sent(cfn.stub, CreateChangeSetCommand)).toEqual([]);
  });

  it("refuses bad input with exit 2 before any AWS call, naming the flag and what is allowed", async () => {
    const huge = `${"9".repeat(100_000)}/32`;
    for (const [flags, message] of [
      [{ allowCidr: ["0.0.0.0/0"] }, /--allow-cidr 0\.0\.0\.0\/0 is broader than \/8/],
      [{ allowCidr: ["0.0.0.0/00"] }, /--allow-cidr "0\.0\.0\.0\/00" is not an IPv4 CIDR/],
      [{ allowCidr: ["0.0.0.0/1"] }, /is broader than \/8/],
      [{ allowCidr: ["10.0.0.0/7"] }, /is broader than \/8/],
      [{ allowCidr: ["010.0.0.1/32"] }, /is not an IPv4 CIDR: four numbers 0 to 255 without leading zeros/],
      [{ allowCidr: ["300.1.1.1/32"] }, /is not an IPv4 CIDR/],
      [{ allowCidr: ["1.2.3.4/33"] }, /is not an IPv4 CIDR/],
      [{ allowCidr: ["10.1.2.3/8"] }, /has host bits set: the network is 10\.0\.0\.0\/8/],
      [{ allowCidr: [huge] }, /^--allow-cidr "9{77}\.\.\." is not an IPv4 CIDR/],
      [{ allowCidr: ["10.0.0.1/32", "10.0.0.2/32", "10.0.0.3/32", "10.0.0.4/32"] }, /at most 3/],
      [{ subnets: "subnet-aaaa0001" }, /two or more subnets/],
      [{ subnets: "subnet-a,subnet-b" }, /--subnets: "subnet-a" is not a subnet id/],
      [{ vpc: "vpc-a; rm -rf /" }, /--vpc "vpc-a; rm -rf \/": expected a VPC id/],
      [{ image: "x;touch /tmp/PWNED $(id)" }, /--image "x;touch \/tmp\/PWNED \$\(id\)": expected an image reference/],
      [{ stackName: "1bad" }, /--stack-name "1bad"/],
      [{ desiredCount: "6" }, /--desired-count "6": expected 0 to 5/],
      [{ readTimeout: "0x10" }, /--read-timeout/],
      [
        { readTimeout: "700000" },
        /--read-timeout: 700000 ms is outside the probe's READ_TIMEOUT_MS limits, 1 to 600000 ms/,
      ],
      [{ connectionTimeout: "0.5" }, /--connection-timeout: 0\.5 ms is outside/],
      [{ interval: "2h" }, /--interval: 7200 s is outside the probe's TEST_INTERVAL_SECONDS limits, 0\.01 to 3600 s/],
    ] as [DeployFlags, RegExp][]) {
      const error = await drive(deployCommand(io(), { ...NEW, ...flags }).catch((e: unknown) => e));
      expect(error, JSON.stringify(flags).slice(0, 80)).toMatchObject({
        exitCode: EXIT.badInput,
        message: expect.stringMatching(message),
      });
      expect((error as Error).message.length).toBeLessThan(400);
    }
    expect(cfn.stub.calls()).toEqual([]);
  });

  it("checks --allow-cidr as the template's AllowedPattern does, and host bits besides", () => {
    const template = JSON.parse(readEnvironmentTemplate()) as {
      Parameters: Record<string, { AllowedPattern: string }>;
    };
    const pattern = new RegExp(template.Parameters.AllowedCidr?.AllowedPattern as string);
    for (const cidr of [
      "203.0.113.7/32",
      "10.0.0.0/8",
      "0.0.0.0/0",
      "0.0.0.0/00",
      "0.0.0.0/1",
      "1.2.3.4/7",
      "01.2.3.4/32",
      "255.255.255.255/32",
      "1.2.3.4/33",
    ]) {
      const code = (() => {
        try {
          return checkCidr(cidr) === cidr;
        } catch {
          return false;
        }
      })();
      expect(code, cidr).toBe(pattern.test(cidr));
    }
    expect(MIN_CIDR_PREFIX).toBe(8);
  });

  it("seeds the table it created with the original setup's two items, without overwriting, and says so", async () => {
    expect(await drive(deployCommand(io(), NEW))).toBe(EXIT.passed);
    expect(said).toContain("table MyTestTable: seeded 2 of the original setup's items (test1, test2)");
    const reader = dynamodb();
    const item = await reader.send(new GetItemCommand({ TableName: "MyTestTable", Key: { id: { S: "test1" } } }));
    expect(item.Item).toEqual({ id: { S: "test1" }, data: { S: "Sample data 1" } });
    expect(SEED_ITEMS).toEqual(LOCAL_SEED_ITEMS);
    // A later deploy finds them there and leaves them (and any change someone made) alone.
    cfn.noChanges = true;
    said = [];
    expect(await drive(deployCommand(io(), {}))).toBe(EXIT.passed);
    expect(said).toContain("table MyTestTable: already holds the seed items");
    reader.destroy();
  });

  it("leaves an existing table alone, and only warns when seeding fails", async () => {
    expect(await drive(deployCommand(io(), { ...NEW, existingTable: true, tableName: "Orders" }))).toBe(EXIT.passed);
    expect(said.join("\n")).not.toMatch(/seed/);
    cfn.stacks.clear();
    said = [];
    // The stack's table is not there (say, no dynamodb:PutItem, or another region): a warning, exit 0.
    expect(await drive(deployCommand(io(), { ...NEW, tableName: "Missing" }))).toBe(EXIT.passed);
    expect(said.join("\n")).toMatch(/warning: could not seed table Missing \(ResourceNotFoundException/);
  });

  it("deploys the shallow /live health check by default and the deep /health with --deep-health-check", async () => {
    expect(await drive(deployCommand(io(), NEW))).toBe(EXIT.passed);
    expect(cfn.stacks.get("fislat-probe")?.parameters.HealthCheckPath).toBe("/live");
    expect(await drive(deployCommand(io(), { deepHealthCheck: true }))).toBe(EXIT.passed);
    expect(sent(cfn.stub, CreateChangeSetCommand)[1]?.Parameters).toContainEqual({
      ParameterKey: "HealthCheckPath",
      ParameterValue: "/health",
    });
    expect(cfn.stacks.get("fislat-probe")?.parameters.HealthCheckPath).toBe("/health");
  });

  it("recovers from a failed first change set: the REVIEW_IN_PROGRESS stack gets a new CREATE change set", async () => {
    cfn.changeSetFails = "Parameter 'VpcId' must be one of AllowedValues";
    const error = await drive(deployCommand(io(), NEW).catch((e: unknown) => e));
    expect(error).toMatchObject({
      exitCode: EXIT.environment,
      message: expect.stringMatching(
        /change set failed: .*stays REVIEW_IN_PROGRESS with no resources until the next fislat deploy/,
      ),
    });
    expect(cfn.stacks.get("fislat-probe")?.status).toBe("REVIEW_IN_PROGRESS");
    said = [];
    expect(await drive(deployCommand(io(), NEW))).toBe(EXIT.passed);
    expect(sent(cfn.stub, CreateChangeSetCommand).map((c) => c.ChangeSetType)).toEqual(["CREATE", "CREATE"]);
    expect(said.join("\n")).not.toMatch(/busy/);
    expect(cfn.stacks.get("fislat-probe")?.status).toBe("CREATE_COMPLETE");
  });
});

describe("fislat deploy when the service's tasks never start", () => {
  const PULL_ERROR =
    "CannotPullContainerError: pull image manifest has been retried 7 time(s): failed to resolve ref 000000000000.dkr.ecr.us-east-1.amazonaws.com/probe:9: not found";
  let ecs: ReturnType<typeof mockEcs>;
  const mockEcs = () => {
    const stub = mockClient(ECSClient as never) as unknown as Parameters<typeof on>[0];
    on(stub, ListTasksCommand).resolves({ taskArns: ["arn:aws:ecs:us-east-1:000000000000:task/c/t1"] });
    on(stub, DescribeTasksCommand).resolves({
      tasks: [
        {
          taskArn: "arn:aws:ecs:us-east-1:000000000000:task/c/t1",
          lastStatus: "STOPPED",
          stopCode: "TaskFailedToStart",
          stoppedReason: PULL_ERROR,
        },
      ],
    });
    return stub;
  };
  beforeEach(() => {
    ecs = mockEcs();
  });
  afterEach(() => ecs.restore());
  const withEcs = () => ({ ...clients(), ecs: new ECSClient({ region: "us-east-1" }) });

  it("stops waiting at the bound (30 min by default), exits 6, and says why the tasks stop", async () => {
    cfn.hangs = true;
    const began = Date.now();
    const error = await drive(deployCommand(io({}, withEcs()), NEW).catch((e: unknown) => e));
    expect(error).toMatchObject({ exitCode: EXIT.environment });
    expect((error as Error).message).toMatch(
      /^stack fislat-probe is still CREATE_IN_PROGRESS after 30 min; fislat stops waiting and CloudFormation goes on; the service's tasks stopped: CannotPullContainerError: pull image manifest/,
    );
    expect(Date.now() - began).toBeGreaterThanOrEqual(30 * 60_000);
    expect(Date.now() - began).toBeLessThan(31 * 60_000);
    // Said as soon as it is seen, once, not only at the end.
    expect(said.filter((l) => l.startsWith("the service's tasks stopped: CannotPullContainerError"))).toHaveLength(1);
    // The stopped tasks of the stack's own service, in its cluster.
    expect(sent(ecs, ListTasksCommand)[0]).toMatchObject({
      cluster: "fislat-probe-Cluster-AbC",
      serviceName: "probe-svc",
      desiredStatus: "STOPPED",
    });
  });

  it("takes --wait, and refuses one outside 1m to 3h before any call", async () => {
    cfn.hangs = true;
    const began = Date.now();
    const error = await drive(deployCommand(io({}, withEcs()), { ...NEW, wait: "5m" }).catch((e: unknown) => e));
    expect((error as Error).message).toMatch(/still CREATE_IN_PROGRESS after 5 min/);
    expect(Date.now() - began).toBeLessThan(6 * 60_000);
    cfn.stub.resetHistory();
    for (const wait of ["30s", "4h", "soon"]) {
      const bad = await drive(deployCommand(io({}, withEcs()), { ...NEW, wait }).catch((e: unknown) => e));
      expect(bad, wait).toMatchObject({ exitCode: EXIT.badInput, message: expect.stringMatching(/--wait/) });
    }
    expect(cfn.stub.calls()).toEqual([]);
  });

  it("names the stopped tasks' reason beside the failed resource when the circuit breaker fails the stack", async () => {
    cfn.outcome = {
      final: "ROLLBACK_COMPLETE",
      failed: {
        resource: "Service",
        type: "AWS::ECS::Service",
        reason: "Error occurred during operation 'ECS Deployment Circuit Breaker was triggered'.",
      },
    };
    const error = await drive(deployCommand(io({}, withEcs()), NEW).catch((e: unknown) => e));
    expect((error as Error).message).toBe(
      `creating stack fislat-probe failed; first failure: Service (AWS::ECS::Service): Error occurred during operation 'ECS Deployment Circuit Breaker was triggered'.; the service's tasks stopped: ${PULL_ERROR}`,
    );
  });
});

describe("fislat deploy following the stack", () => {
  it("reads every page of stack events at each poll, so a burst of events is shown whole", async () => {
    cfn.eventsBurst = 250;
    expect(await drive(deployCommand(io(), NEW))).toBe(EXIT.passed);
    const shown = said.filter((l) => / Resource\d+ \(AWS::IAM::Role\)/.test(l));
    expect(shown).toHaveLength(250);
    expect(shown[0]).toMatch(/ Resource0 /);
    expect(shown.at(-1)).toMatch(/ Resource249 /);
  });

  it("refuses a region without ECR Public unless --sidecar-image names the sidecar's image", async () => {
    const error = await drive(deployCommand(io(), { ...NEW, region: "cn-north-1" }).catch((e: unknown) => e));
    expect(error).toMatchObject({
      exitCode: EXIT.badInput,
      message: expect.stringMatching(/region cn-north-1 is in a partition without ECR Public.*--sidecar-image/),
    });
    expect(cfn.stub.calls()).toEqual([]);
    const image = "000000000000.dkr.ecr.cn-north-1.amazonaws.com.cn/ssm-agent:1";
    expect(await drive(deployCommand(io(), { ...NEW, region: "cn-north-1", sidecarImage: image }))).toBe(EXIT.passed);
    expect(sent(cfn.stub, CreateChangeSetCommand)[0]?.Parameters).toContainEqual({
      ParameterKey: "SsmAgentImage",
      ParameterValue: image,
    });
  });

  it("says the load balancer is internal when the tasks get no public IPs", async () => {
    expect(await drive(deployCommand(io(), { ...NEW, assignPublicIp: false }))).toBe(EXIT.passed);
    expect(cfn.stacks.get("fislat-probe")?.parameters.AssignPublicIp).toBe("DISABLED");
    expect(said.join("\n")).toMatch(/the load balancer is internal .*answers only inside the VPC/);
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
    expect(await drive(destroyCommand(io(), { yes: true }))).toBe(EXIT.passed);
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
    expect(await drive(destroyCommand(io({ confirm }), {}))).toBe(EXIT.passed);
    expect(asked).toEqual(["Delete stack fislat-probe and everything it created? [y/N] "]);
    // A stack that made its table names it, and its data, before anything is deleted.
    cfn.stacks.set("fislat-probe", {
      status: "CREATE_COMPLETE",
      parameters: { CreateTable: "true", TableName: "MyTestTable" },
      outputs: {},
      events: [],
    });
    expect(await drive(destroyCommand(io({ confirm }), {}))).toBe(EXIT.passed);
    expect(asked[1]).toBe(
      "Delete stack fislat-probe and everything it created, including the DynamoDB table MyTestTable and its data? [y/N] ",
    );
    await expect(drive(destroyCommand(io(), {}))).rejects.toMatchObject({ exitCode: EXIT.badInput });
    expect(sent(cfn.stub, DeleteStackCommand)).toEqual([]);
  });
});
