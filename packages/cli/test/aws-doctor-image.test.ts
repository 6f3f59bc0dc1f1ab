// fislat doctor against the simulated AWS, and fislat image push with a stand-in docker command
// (a real executable on PATH that records what it was asked) and ECR answered by the mock.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CloudFormationClient, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { ECRClient, GetAuthorizationTokenCommand } from "@aws-sdk/client-ecr";
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { CreateExperimentTemplateCommand, FisClient, StartExperimentCommand } from "@aws-sdk/client-fis";
import { GetRoleCommand, IAMClient, SimulatePrincipalPolicyCommand } from "@aws-sdk/client-iam";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { awsClients } from "../src/aws/clients.js";
import { doctorCommand, FIS_ROLE_ACTIONS, runDoctor } from "../src/commands/doctor.js";
import { checkImagePushFlags, findBuildContext, imagePushCommand, SHIPPED_CONTEXT } from "../src/commands/image.js";
import { systemClock } from "../src/engine/ports.js";
import { EXIT, FislatError } from "../src/errors.js";
import { testContext } from "./support/context.js";
import { simulatePrincipalPolicy } from "./support/iam-simulator.js";
import { fisRoleStatements } from "./support/shipped-roles.js";
import {
  ACCOUNT,
  drive,
  on,
  PAST_RUN_TEMPLATE,
  ROLE_ARN,
  SimulatedAws,
  sent,
  taskArn,
} from "./support/simulated-aws.js";

const CLUSTER = `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/FIS`;
const list = <T>(v: T | T[]) => (Array.isArray(v) ? v : [v]);

type Stub = Parameters<typeof on>[0];
const stub = (client: unknown) => mockClient(client as never) as unknown as Stub;

describe("fislat doctor", () => {
  let sim: SimulatedAws;
  let extra: Stub[];
  /** The simulated IAM denies ssm:SendCommand to the FIS role when set. */
  let denySend = false;
  beforeAll(async () => {
    await import("../src/aws/clients.js");
  });
  beforeEach(() => {
    vi.useFakeTimers({
      now: new Date("2026-11-25T10:00:00.000Z"),
      toFake: ["setTimeout", "clearTimeout", "Date", "performance"],
    });
    vi.stubEnv("AWS_REGION", "us-east-1");
    sim = new SimulatedAws({});
    const cfn = stub(CloudFormationClient);
    on(cfn, DescribeStacksCommand).resolves({
      Stacks: [
        {
          StackName: "fislat-probe",
          StackStatus: "CREATE_COMPLETE",
          Outputs: [
            { OutputKey: "ClusterName", OutputValue: "FIS" },
            { OutputKey: "ServiceName", OutputValue: "dynamodb-test-service" },
            { OutputKey: "FisRoleArn", OutputValue: ROLE_ARN },
            {
              OutputKey: "TargetGroupArn",
              OutputValue: "arn:aws:elasticloadbalancing:local:000000000000:targetgroup/tg/1",
            },
          ],
        },
      ],
    });
    const iam = stub(IAMClient);
    // IAM evaluates the policies of the stack's own FIS role, as the shipped template defines them.
    on(iam, SimulatePrincipalPolicyCommand).callsFake(
      (input: Parameters<typeof simulatePrincipalPolicy>[1] & { PolicySourceArn: string }) =>
        simulatePrincipalPolicy(
          fisRoleStatements({ region: "us-east-1", account: ACCOUNT }).filter(
            (st) => !(denySend && list(st.Action).includes("ssm:SendCommand")),
          ),
          input,
        ),
    );
    const elb = stub(ElasticLoadBalancingV2Client);
    on(elb, DescribeTargetHealthCommand).resolves({
      TargetHealthDescriptions: [{ TargetHealth: { State: "healthy" } }],
    });
    extra = [cfn, iam, elb];
    denySend = false;
  });
  afterEach(() => {
    sim.reset();
    for (const s of extra) s.restore();
    vi.unstubAllEnvs();
    vi.useRealTimers();
  });

  it("passes every check on a healthy environment, simulating exactly the FIS role's actions", async () => {
    await vi.advanceTimersByTimeAsync(60_000); // a minute of the probe's lines
    const checks = await drive(runDoctor(awsClients(), {}, systemClock));
    expect(checks.map((c) => [c.name, c.status])).toEqual([
      ["credentials", "PASS"],
      ["stack", "PASS"],
      ["tasks", "PASS"],
      ["fault injection settings", "PASS"],
      ["logs", "PASS"],
      ["FIS role", "PASS"],
      ["FIS service-linked role", "PASS"],
      ["load balancer", "PASS"],
      ["experiments", "PASS"],
    ]);
    const simulated = sent(extra[1] as Stub, SimulatePrincipalPolicyCommand);
    expect(simulated.flatMap((s) => s.ActionNames as string[]).sort()).toEqual([...FIS_ROLE_ACTIONS].sort());
    const cluster = { ContextKeyName: "ecs:cluster", ContextKeyValues: [CLUSTER], ContextKeyType: "string" };
    expect(simulated).toEqual([
      {
        PolicySourceArn: ROLE_ARN,
        ActionNames: ["ecs:DescribeTasks"],
        ResourceArns: [taskArn("task0001")],
        ContextEntries: [cluster],
      },
      {
        PolicySourceArn: ROLE_ARN,
        ActionNames: ["ecs:ListTasks"],
        ResourceArns: [`arn:aws:ecs:us-east-1:${ACCOUNT}:container-instance/FIS/*`],
        ContextEntries: [cluster],
      },
      {
        PolicySourceArn: ROLE_ARN,
        ActionNames: ["ecs:DescribeContainerInstances"],
        ResourceArns: [`arn:aws:ecs:us-east-1:${ACCOUNT}:container-instance/FIS/*`],
        ContextEntries: [cluster],
      },
      {
        PolicySourceArn: ROLE_ARN,
        ActionNames: ["ssm:SendCommand"],
        ResourceArns: [
          "arn:aws:ssm:us-east-1::document/AWSFIS-Run-Network-Latency-ECS",
          `arn:aws:ssm:us-east-1:${ACCOUNT}:managed-instance/mi-0123456789abcdef0`,
        ],
      },
      {
        PolicySourceArn: ROLE_ARN,
        ActionNames: [
          "ec2:DescribeInstances",
          "ec2:DescribeSubnets",
          "ssm:ListCommands",
          "ssm:CancelCommand",
          "tag:GetResources",
        ],
        ResourceArns: ["*"],
      },
    ]);
  });

  it("warns, with the way out, when FIS's service-linked role does not exist yet (a fresh account)", async () => {
    on(extra[1] as Stub, GetRoleCommand).rejects(
      Object.assign(new Error("The role with name AWSServiceRoleForFIS cannot be found."), {
        name: "NoSuchEntityException",
      }),
    );
    const checks = await drive(runDoctor(awsClients(), {}, systemClock));
    const slr = checks.find((c) => c.name === "FIS service-linked role");
    expect(slr).toMatchObject({ status: "WARN" });
    expect(slr?.fix).toMatch(/iam:CreateServiceLinkedRole with iam:AWSServiceName = fis.amazonaws.com/);
    expect(sent(extra[1] as Stub, GetRoleCommand)).toEqual([{ RoleName: "AWSServiceRoleForFIS" }]);
  });

  it("reads every page of recent lines, empty pages with a nextToken included, and shows the newest", async () => {
    sim.reset();
    sim = new SimulatedAws({ emptyPagesFirst: 3 });
    await vi.advanceTimersByTimeAsync(4 * 60_000); // four minutes of lines, one a second
    const checks = await drive(runDoctor(awsClients(), {}, systemClock));
    const logs = checks.find((c) => c.name === "logs");
    expect(logs?.status).toBe("PASS");
    const newest = new Date(Date.now() - 1000).toISOString().slice(0, 17); // to the minute
    expect(logs?.detail).toMatch(new RegExp(`the newest \\(${newest}`));
    expect(logs?.detail).toMatch(/^2\d\d Round trip lines/);
  });

  it("would fail the stack's own role if it simulated without ResourceArns (the resource is then '*')", () => {
    const [result] = simulatePrincipalPolicy(fisRoleStatements({ region: "us-east-1", account: ACCOUNT }), {
      ActionNames: ["ssm:SendCommand"],
    }).EvaluationResults;
    expect(result?.EvalDecision).toBe("implicitDeny");
  });

  it("fails, each with its fix, on a missing permission, no recent lines and an experiment still running", async () => {
    sim.reset();
    sim = new SimulatedAws({ definition: { enableFaultInjection: false } });
    denySend = true;
    const fis = new FisClient({});
    const template = await fis.send(new CreateExperimentTemplateCommand(PAST_RUN_TEMPLATE));
    await fis.send(
      new StartExperimentCommand({
        experimentTemplateId: template.experimentTemplate?.id as string,
        clientToken: "t",
        tags: { "managed-by": "fislat" },
      }),
    );
    const checks = await drive(runDoctor(awsClients(), {}, systemClock));
    const failed = Object.fromEntries(checks.filter((c) => c.status === "FAIL").map((c) => [c.name, c]));
    expect(Object.keys(failed).sort()).toEqual(["FIS role", "experiments", "fault injection settings"]);
    expect(failed["FIS role"]?.detail).toMatch(/may not ssm:SendCommand/);
    expect(failed.experiments?.fix).toBe("fislat stop EXP1");
    expect(failed["fault injection settings"]?.fix).toMatch(/enableFaultInjection/);

    // --output json: the same checks as one document, and the same exit code.
    const ctx = testContext();
    const code = await drive(doctorCommand(ctx, { output: "json" }));
    expect(code).toBe(EXIT.environment);
    const doc = JSON.parse(ctx.stdout.text()) as { ready: boolean; checks: { name: string; status: string }[] };
    expect(doc.ready).toBe(false);
    expect(doc.checks.map((c) => c.name)).toEqual(checks.map((c) => c.name));
    expect(doc.checks.find((c) => c.name === "experiments")).toMatchObject({ status: "FAIL", fix: "fislat stop EXP1" });
  });
});

describe("fislat image push", () => {
  let ecr: Stub;
  let bin: string;
  let calls: string;
  const repository = "000000000000.dkr.ecr.us-east-1.amazonaws.com/fislat-probe";

  beforeEach(() => {
    ecr = stub(ECRClient);
    on(ecr, GetAuthorizationTokenCommand).resolves({
      authorizationData: [
        {
          authorizationToken: Buffer.from("AWS:s3cret").toString("base64"),
          proxyEndpoint: "https://000000000000.dkr.ecr.us-east-1.amazonaws.com",
        },
      ],
    });
    bin = mkdtempSync(path.join(os.tmpdir(), "fislat-docker-"));
    calls = path.join(bin, "calls.log");
  });
  afterEach(() => {
    rmSync(bin, { recursive: true, force: true });
    ecr.restore();
    vi.unstubAllEnvs();
  });

  /** A docker stand-in: records its arguments and stdin; `version` answers as `engine` says. */
  function fakeDocker(engine: "up" | "down") {
    const script = `#!/bin/sh
if [ "$1" = "version" ]; then ${engine === "up" ? 'echo "28.2.2"; exit 0' : 'echo "Cannot connect to the Docker daemon" >&2; exit 1'}; fi
input=""; if [ "$1" = "login" ]; then input=$(cat); fi
echo "$* stdin=$input" >> "${calls}"
`;
    writeFileSync(path.join(bin, "docker"), script);
    chmodSync(path.join(bin, "docker"), 0o755);
    vi.stubEnv("PATH", `${bin}:${process.env.PATH}`);
  }

  it("logs in to ECR with the SDK's token, builds for Fargate's platform, pushes, and prints the URI", async () => {
    fakeDocker("up");
    const ctx = testContext();
    const code = await imagePushCommand(ctx, { region: "us-east-1", repository, imageTag: "v1" });
    expect(code).toBe(EXIT.passed);
    const lines = readFileSync(calls, "utf8").trim().split("\n");
    expect(lines[0]).toBe(
      "login --username AWS --password-stdin https://000000000000.dkr.ecr.us-east-1.amazonaws.com stdin=s3cret",
    );
    expect(lines[1]).toMatch(new RegExp(`^build --platform linux/amd64 --tag ${repository}:v1 /.+ stdin=$`));
    expect(lines[2]).toBe(`push ${repository}:v1 stdin=`);
    expect(ctx.stdout.lines()).toEqual([
      `pushed ${repository}:v1`,
      `deploy it with: fislat deploy --image ${repository}:v1`,
    ]);
  });

  it("says clearly when Docker is missing, or its engine is not running (exit 6)", async () => {
    vi.stubEnv("PATH", bin);
    const missing = await imagePushCommand(testContext(), { region: "us-east-1", repository }).catch((e) => e);
    expect(missing).toBeInstanceOf(FislatError);
    expect(missing).toMatchObject({
      exitCode: EXIT.environment,
      message: expect.stringMatching(/^Docker is not installed/),
    });
    fakeDocker("down");
    const down = await imagePushCommand(testContext(), { region: "us-east-1", repository }).catch((e) => e);
    expect(down).toMatchObject({
      exitCode: EXIT.environment,
      message: expect.stringMatching(/engine does not answer/),
    });
    expect(sent(ecr, GetAuthorizationTokenCommand)).toEqual([]);
  });

  it("refuses a tag outside Docker's grammar before any call, and never prints it back in a command line", async () => {
    fakeDocker("up");
    for (const imageTag of [
      "x;touch /tmp/PWNED $(id)",
      "-rm",
      ".hidden",
      "a".repeat(129),
      "",
      "v1\nfislat destroy --yes",
    ]) {
      const ctx = testContext();
      const error = await imagePushCommand(ctx, { region: "us-east-1", repository, imageTag }).catch((e: unknown) => e);
      expect(error, imageTag).toMatchObject({
        exitCode: EXIT.badInput,
        message: expect.stringMatching(/^--image-tag ".*" is not a Docker tag: 1 to 128 characters/),
      });
      expect(ctx.stdout.text()).toBe("");
    }
    expect(existsSync(calls)).toBe(false);
    expect(sent(ecr, GetAuthorizationTokenCommand)).toEqual([]);
  });

  it("finds the build context in a checkout, in an installed package's probe-context, or says how to name one", () => {
    const root = mkdtempSync(path.join(os.tmpdir(), "fislat-context-"));
    try {
      const probeSources = (dir: string) => {
        mkdirSync(path.join(dir, "packages/probe"), { recursive: true });
        writeFileSync(path.join(dir, "Dockerfile"), "FROM scratch\n");
        writeFileSync(path.join(dir, "packages/probe/package.json"), JSON.stringify({ name: "@fislat/probe" }));
      };
      // An installed copy: <prefix>/node_modules/fislat/dist/commands, with nothing beside it.
      const pkg = path.join(root, "app/node_modules/fislat");
      const moduleDir = path.join(pkg, "dist/commands");
      mkdirSync(moduleDir, { recursive: true });
      writeFileSync(path.join(pkg, "package.json"), JSON.stringify({ name: "fislat" }));
      const elsewhere = path.join(root, "elsewhere");
      mkdirSync(elsewhere);
      // A Dockerfile of someone else's in the current folder is not the probe's.
      writeFileSync(path.join(elsewhere, "Dockerfile"), "FROM nginx\n");
      expect(findBuildContext(moduleDir, elsewhere)).toBeUndefined();
      expect(() => checkImagePushFlags({ repository }, moduleDir, elsewhere)).toThrow(
        /no build context for the probe image: .* Pass --context <a fislat checkout>/,
      );
      // The package ships probe-context/ (terminal-install's tarball).
      probeSources(path.join(pkg, SHIPPED_CONTEXT));
      expect(checkImagePushFlags({ repository }, moduleDir, elsewhere)).toBe(path.join(pkg, SHIPPED_CONTEXT));
      // The current folder is a checkout.
      rmSync(path.join(pkg, SHIPPED_CONTEXT), { recursive: true });
      probeSources(elsewhere);
      expect(findBuildContext(moduleDir, elsewhere)).toBe(elsewhere);
      // This test runs from the repository's checkout, which is found from the module's own folder.
      const here = path.dirname(fileURLToPath(import.meta.url));
      expect(findBuildContext(path.join(here, "../src/commands"), elsewhere)).toBe(path.resolve(here, "../../.."));
      // --context must hold a Dockerfile.
      expect(() => checkImagePushFlags({ repository, context: "nowhere" }, moduleDir, root)).toThrow(
        /--context "nowhere": no Dockerfile in .*nowhere/,
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("refuses a repository that is not an ECR URI", async () => {
    await expect(imagePushCommand(testContext(), { repository: "docker.io/me/probe" })).rejects.toMatchObject({
      exitCode: EXIT.badInput,
    });
  });
});
