// fislat doctor against the simulated AWS, and fislat image push with a stand-in docker command
// (a real executable on PATH that records what it was asked) and ECR answered by the mock.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { CloudFormationClient, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { ECRClient, GetAuthorizationTokenCommand } from "@aws-sdk/client-ecr";
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { FisClient, StartExperimentCommand } from "@aws-sdk/client-fis";
import { IAMClient, SimulatePrincipalPolicyCommand } from "@aws-sdk/client-iam";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { awsClients } from "../src/aws/clients.js";
import { FIS_ROLE_ACTIONS, runDoctor } from "../src/commands/doctor.js";
import { imagePushCommand } from "../src/commands/image.js";
import { systemClock } from "../src/engine/ports.js";
import { EXIT, FislatError } from "../src/errors.js";
import { drive, on, ROLE_ARN, SimulatedAws, sent } from "./support/simulated-aws.js";

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
    on(iam, SimulatePrincipalPolicyCommand).callsFake((input: { ActionNames: string[] }) => ({
      EvaluationResults: input.ActionNames.map((a) => ({
        EvalActionName: a,
        EvalDecision: a === "ssm:SendCommand" && denySend ? "implicitDeny" : "allowed",
      })),
    }));
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
      ["load balancer", "PASS"],
      ["experiments", "PASS"],
    ]);
    expect(sent(extra[1] as Stub, SimulatePrincipalPolicyCommand)).toEqual([
      { PolicySourceArn: ROLE_ARN, ActionNames: FIS_ROLE_ACTIONS },
    ]);
  });

  it("fails, each with its fix, on a missing permission, no recent lines and an experiment still running", async () => {
    sim.reset();
    sim = new SimulatedAws({ definition: { enableFaultInjection: false } });
    denySend = true;
    await new FisClient({}).send(
      new StartExperimentCommand({ experimentTemplateId: "EXT1", clientToken: "t", tags: { "managed-by": "fislat" } }),
    );
    const checks = await drive(runDoctor(awsClients(), {}, systemClock));
    const failed = Object.fromEntries(checks.filter((c) => c.status === "FAIL").map((c) => [c.name, c]));
    expect(Object.keys(failed).sort()).toEqual(["FIS role", "experiments", "fault injection settings"]);
    expect(failed["FIS role"]?.detail).toMatch(/may not ssm:SendCommand/);
    expect(failed.experiments?.fix).toBe("fislat stop EXP1");
    expect(failed["fault injection settings"]?.fix).toMatch(/enableFaultInjection/);
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
    const said: string[] = [];
    const code = await imagePushCommand(
      new ECRClient({ region: "us-east-1" }),
      { repository, tag: "v1" },
      { say: (s) => said.push(s) },
    );
    expect(code).toBe(EXIT.passed);
    const lines = readFileSync(calls, "utf8").trim().split("\n");
    expect(lines[0]).toBe(
      "login --username AWS --password-stdin https://000000000000.dkr.ecr.us-east-1.amazonaws.com stdin=s3cret",
    );
    expect(lines[1]).toMatch(new RegExp(`^build --platform linux/amd64 --tag ${repository}:v1 /.+ stdin=$`));
    expect(lines[2]).toBe(`push ${repository}:v1 stdin=`);
    expect(said).toEqual([`pushed ${repository}:v1`, `deploy it with: fislat deploy --image ${repository}:v1`]);
  });

  it("says clearly when Docker is missing, or its engine is not running (exit 3)", async () => {
    vi.stubEnv("PATH", bin);
    const missing = await imagePushCommand(
      new ECRClient({ region: "us-east-1" }),
      { repository },
      { say: () => {} },
    ).catch((e) => e);
    expect(missing).toBeInstanceOf(FislatError);
    expect(missing).toMatchObject({
      exitCode: EXIT.environment,
      message: expect.stringMatching(/^Docker is not installed/),
    });
    fakeDocker("down");
    const down = await imagePushCommand(
      new ECRClient({ region: "us-east-1" }),
      { repository },
      { say: () => {} },
    ).catch((e) => e);
    expect(down).toMatchObject({
      exitCode: EXIT.environment,
      message: expect.stringMatching(/engine does not answer/),
    });
    expect(sent(ecr, GetAuthorizationTokenCommand)).toEqual([]);
  });

  it("refuses a repository that is not an ECR URI", async () => {
    await expect(
      imagePushCommand(new ECRClient({}), { repository: "docker.io/me/probe" }, { say: () => {} }),
    ).rejects.toMatchObject({
      exitCode: EXIT.badInput,
    });
  });
});
