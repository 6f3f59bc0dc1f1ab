// fislat policy: the operator policy allows exactly the actions the commands' AWS calls need
// (the table of SDK commands is checked against the commands the source sends), on this
// configuration's resources, in its partition; every call the README walkthrough makes through the
// mocks is checked against it in aws-walkthrough.test.ts.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, describe, expect, it } from "vitest";
import { DOCKER_PUSH_ACTIONS, operatorPolicy, REQUIRED_ACTIONS } from "../src/aws/operator-policy.js";
import { policyCommand } from "../src/commands/policy.js";
import { EXIT } from "../src/errors.js";
import { authorizationsOf } from "./support/authorization.js";
import { clientsOf, testContext } from "./support/context.js";
import { allows, type PolicyStatement } from "./support/iam-simulator.js";
import { on } from "./support/simulated-aws.js";

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : [],
  );
}

const CONTEXT = { partition: "aws", region: "eu-west-1", account: "111122223333", stackName: "fislat-probe" };

describe("fislat policy", () => {
  let sts: ReturnType<typeof mockClient> | undefined;
  afterEach(() => sts?.restore());

  it("knows the IAM actions of every SDK command the code sends, and of no other", () => {
    const sent = new Set(
      sourceFiles(SRC).flatMap((f) =>
        [...readFileSync(f, "utf8").matchAll(/new ([A-Z][A-Za-z]+Command)\(/g)].map((m) => m[1]),
      ),
    );
    expect([...sent].sort()).toEqual(Object.keys(REQUIRED_ACTIONS).sort());
  });

  it("allows exactly the actions those commands need, and docker push's", () => {
    const policy = operatorPolicy(CONTEXT);
    const granted = new Set(policy.Statement.flatMap((s) => s.Action));
    const needed = new Set([...Object.values(REQUIRED_ACTIONS).flat(), ...DOCKER_PUSH_ACTIONS]);
    expect([...granted].sort()).toEqual([...needed].sort());
    for (const s of policy.Statement)
      expect(
        s.Action.every((a) => !a.includes("*")),
        s.Sid,
      ).toBe(true);
  });

  it("matches the role names CloudFormation cuts to IAM's 64 characters under a long stack name", () => {
    const stackName = `fislat-${"x".repeat(50)}-probe`; // 62 characters; stack names may have 128
    const statements = operatorPolicy({ ...CONTEXT, stackName }).Statement as PolicyStatement[];
    const role = (name: string) => `arn:aws:iam::111122223333:role/${name}`;
    const pass = (name: string, service: string) =>
      allows(statements, "iam:PassRole", role(name), [
        { ContextKeyName: "iam:PassedToService", ContextKeyValues: [service] },
      ]);
    // As real CloudFormation cut names (25 + 25 + a 12-character tail), and as a rule that gives
    // the stack what the logical id leaves would cut them: both within 64 characters.
    const cut25 = (logical: string) => `${stackName.slice(0, 25)}-${logical.slice(0, 25)}-AbCdEf123456`;
    const cutRest = (logical: string) => `${stackName.slice(0, 64 - 13 - 1 - logical.length)}-${logical}-AbCdEf123456`;
    for (const name of [cut25, cutRest]) {
      expect(name("TaskExecutionRole").length).toBeLessThanOrEqual(64);
      expect(pass(name("TaskRole"), "ecs-tasks.amazonaws.com"), name("TaskRole")).toBe(true);
      expect(pass(name("TaskExecutionRole"), "ecs-tasks.amazonaws.com")).toBe(true);
      expect(pass(name("FisExperimentRole"), "fis.amazonaws.com")).toBe(true);
      expect(pass(name("FisExperimentRole"), "ecs-tasks.amazonaws.com")).toBe(false);
    }
    expect(pass("someone-elses-TaskRole-AbCdEf123456", "ecs-tasks.amazonaws.com")).toBe(false);
  });

  it("gives fis:ListExperiments Resource * (it has no resource-level permission) and scopes the rest", () => {
    const policy = operatorPolicy(CONTEXT);
    const statements = policy.Statement as PolicyStatement[];
    expect(policy.Statement.find((s) => s.Action.includes("fis:ListExperiments"))?.Resource).toBe("*");
    expect(allows(statements, "fis:ListExperiments", "*")).toBe(true);
    expect(
      allows(statements, "logs:StartLiveTail", "arn:aws:logs:eu-west-1:111122223333:log-group:/ecs/fislat-probe"),
    ).toBe(true);
    expect(allows(statements, "logs:StartLiveTail", "arn:aws:logs:eu-west-1:111122223333:log-group:/ecs/other")).toBe(
      false,
    );
    expect(
      allows(statements, "iam:PassRole", "arn:aws:iam::111122223333:role/fislat-probe-FisExperimentRole-AbC", [
        { ContextKeyName: "iam:PassedToService", ContextKeyValues: ["fis.amazonaws.com"] },
      ]),
    ).toBe(true);
    expect(
      allows(statements, "iam:PassRole", "arn:aws:iam::111122223333:role/fislat-probe-FisExperimentRole-AbC", [
        { ContextKeyName: "iam:PassedToService", ContextKeyValues: ["ec2.amazonaws.com"] },
      ]),
    ).toBe(false);
    // The names deploy gives: the task definition family and the stack.
    expect(
      allows(statements, "ecs:RunTask", "arn:aws:ecs:eu-west-1:111122223333:task-definition/fislat-probe-probe:3", [
        {
          ContextKeyName: "ecs:cluster",
          ContextKeyValues: ["arn:aws:ecs:eu-west-1:111122223333:cluster/fislat-probe-Cluster-x1"],
        },
      ]),
    ).toBe(true);
  });

  it("prints the policy for the account and partition STS names, with the config's names, and no arn:aws: of its own", async () => {
    sts = mockClient(STSClient);
    on(sts as never, GetCallerIdentityCommand).resolves({
      Account: "111122223333",
      Arn: "arn:aws-cn:iam::111122223333:user/operator",
    });
    const ctx = testContext();
    const code = await policyCommand(ctx, {
      region: "cn-north-1",
      cluster: "fislat-probe-Cluster-x1",
      service: "fislat-probe-Service-y2",
      roleArn: "arn:aws-cn:iam::111122223333:role/fislat-probe-FisExperimentRole-z3",
      repository: "111122223333.dkr.ecr.cn-north-1.amazonaws.com.cn/fislat-probe-repository-q",
    });
    expect(code).toBe(EXIT.passed);
    const text = ctx.stdout.text();
    expect(text).not.toMatch(/arn:aws:/);
    const policy = JSON.parse(text) as { Statement: PolicyStatement[] };
    expect(
      allows(
        policy.Statement,
        "ecs:DescribeServices",
        "arn:aws-cn:ecs:cn-north-1:111122223333:service/fislat-probe-Cluster-x1/fislat-probe-Service-y2",
      ),
    ).toBe(true);
    expect(
      allows(
        policy.Statement,
        "ecr:PutImage",
        "arn:aws-cn:ecr:cn-north-1:111122223333:repository/fislat-probe-repository-q",
      ),
    ).toBe(true);
  });

  it("needs no AWS call with --account and --partition, and refuses bad values before any", async () => {
    // A context whose AWS clients are none: any STS call throws.
    const noSts = () => testContext({ aws: clientsOf({}) });
    expect(await policyCommand(noSts(), { ...CONTEXT, region: "eu-west-1" })).toBe(EXIT.passed);
    await expect(policyCommand(noSts(), { region: "eu-west-1", account: "12" })).rejects.toMatchObject({
      exitCode: EXIT.badInput,
      message: expect.stringMatching(/^--account "12": expected 12 digits/),
    });
    await expect(policyCommand(noSts(), { region: "nowhere" })).rejects.toMatchObject({
      exitCode: EXIT.badInput,
    });
  });

  it("agrees with docs/ci.md: every statement and action of the policy is named there", () => {
    const docs = readFileSync(path.resolve(SRC, "../../../docs/ci.md"), "utf8");
    const section = docs.slice(docs.indexOf("## Least-privilege IAM policy for the operator: `fislat policy`"));
    for (const s of operatorPolicy(CONTEXT).Statement) {
      expect(section, s.Sid).toContain(s.Sid);
      if (s.Sid === "PushTheProbeImage") continue;
      for (const action of s.Action) {
        const [service, name] = action.split(":");
        const named =
          section.includes(action) ||
          (name?.endsWith("ChangeSet") && section.includes(`${service}:*ChangeSet`)) ||
          section.includes(`\`${name}\``);
        expect(named, action).toBe(true);
      }
    }
  });

  it("allows each command's call on this configuration's resources, --launch's included", () => {
    const names = {
      ...CONTEXT,
      cluster: "fislat-probe-Cluster-x1",
      service: "fislat-probe-Service-y2",
      taskDefinition: "fislat-probe-probe",
      roleArn: "arn:aws:iam::111122223333:role/fislat-probe-FisExperimentRole-z3",
      repository: "111122223333.dkr.ecr.eu-west-1.amazonaws.com/fislat-probe-repository-q",
    };
    const policy = operatorPolicy(names).Statement as PolicyStatement[];
    const task = "arn:aws:ecs:eu-west-1:111122223333:task/fislat-probe-Cluster-x1/0123abcd";
    const inputs: Record<string, Record<string, unknown>> = {
      GetCallerIdentityCommand: {},
      ListTasksCommand: { cluster: names.cluster, serviceName: names.service },
      DescribeTasksCommand: { cluster: names.cluster, tasks: [task] },
      DescribeTaskDefinitionCommand: { taskDefinition: "fislat-probe-probe:3" },
      DescribeServicesCommand: { cluster: names.cluster, services: [names.service] },
      RunTaskCommand: { cluster: names.cluster, taskDefinition: "fislat-probe-probe:3" },
      StopTaskCommand: { cluster: names.cluster, task },
      CreateExperimentTemplateCommand: { roleArn: names.roleArn },
      StartExperimentCommand: { experimentTemplateId: "EXT1" },
      GetExperimentCommand: { id: "EXP1" },
      StopExperimentCommand: { id: "EXP1" },
      ListExperimentsCommand: {},
      ListExperimentResolvedTargetsCommand: { experimentId: "EXP1" },
      DeleteExperimentTemplateCommand: { id: "EXT1" },
      DescribeInstanceInformationCommand: {},
      DescribeLogGroupsCommand: { logGroupNamePrefix: "/ecs/fislat-probe" },
      FilterLogEventsCommand: { logGroupName: "/ecs/fislat-probe" },
      StartLiveTailCommand: {
        logGroupIdentifiers: ["arn:aws:logs:eu-west-1:111122223333:log-group:/ecs/fislat-probe"],
      },
      DescribeStacksCommand: { StackName: "fislat-probe" },
      DescribeStackEventsCommand: { StackName: "fislat-probe" },
      DescribeStackResourceCommand: { StackName: "fislat-probe", LogicalResourceId: "Service" },
      GetRoleCommand: { RoleName: "AWSServiceRoleForFIS" },
      CreateChangeSetCommand: { StackName: "fislat-probe" },
      DescribeChangeSetCommand: { StackName: "fislat-probe" },
      ExecuteChangeSetCommand: { StackName: "fislat-probe" },
      DeleteChangeSetCommand: { StackName: "fislat-probe" },
      DeleteStackCommand: { StackName: "fislat-probe" },
      PutItemCommand: { TableName: "MyTestTable" },
      SimulatePrincipalPolicyCommand: { PolicySourceArn: names.roleArn },
      DescribeTargetHealthCommand: {},
      GetAuthorizationTokenCommand: {},
    };
    const where = { partition: "aws", region: CONTEXT.region, account: CONTEXT.account };
    const denied: string[] = [];
    for (const command of Object.keys(REQUIRED_ACTIONS)) {
      const input = inputs[command];
      expect(input, `a sample call of ${command}`).toBeDefined();
      const needed = authorizationsOf(command, input ?? {}, where);
      // Each action the table names is authorized somewhere in the call.
      for (const action of REQUIRED_ACTIONS[command] ?? [])
        expect(
          needed.map((n) => n.action),
          command,
        ).toContain(action);
      for (const n of needed)
        if (!allows(policy, n.action, n.resource, n.context)) denied.push(`${n.action} on ${n.resource}`);
    }
    const pushTo = "arn:aws:ecr:eu-west-1:111122223333:repository/fislat-probe-repository-q";
    for (const action of DOCKER_PUSH_ACTIONS)
      if (!allows(policy, action, pushTo)) denied.push(`${action} on ${pushTo}`);
    expect(denied).toEqual([]);
  });
});
