// The user's own ECS service as FIS's target: what its task definition, service, tasks and task
// role lack for aws:ecs:task-network-latency, the change to paste, and `fislat doctor --service`
// on it. ECS, IAM and the others answer through aws-sdk-client-mock; the task role's permissions
// are evaluated by the IAM simulator; the tests assert on what fislat sent.
import { CloudFormationClient, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ECSClient,
  ListTasksCommand,
  type Service,
  type TaskDefinition,
} from "@aws-sdk/client-ecs";
import { FisClient, ListExperimentsCommand } from "@aws-sdk/client-fis";
import { IAMClient, SimulatePrincipalPolicyCommand } from "@aws-sdk/client-iam";
import { DescribeInstanceInformationCommand, SSMClient } from "@aws-sdk/client-ssm";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { awsClients } from "../src/aws/clients.js";
import {
  checkServiceReadiness,
  faultInjectionRequirements,
  ROLE_PLACEHOLDER,
  readinessProblems,
  sidecarContainer,
  taskDefinitionChange,
} from "../src/aws/task-definition-check.js";
import { doctorCommand, runDoctor } from "../src/commands/doctor.js";
import { readEnvironmentTemplate } from "../src/commands/synth.js";
import { systemClock } from "../src/engine/ports.js";
import { EXIT } from "../src/errors.js";
import { memoryOutput, testContext } from "./support/context.js";
import { type PolicyStatement, simulatePrincipalPolicy } from "./support/iam-simulator.js";
import { on, sent } from "./support/simulated-aws.js";

type Stub = Parameters<typeof on>[0];
const stub = (client: unknown) => mockClient(client as never) as unknown as Stub;

const ACCOUNT = "000000000000";
const TASK_ROLE = `arn:aws:iam::${ACCOUNT}:role/orders-task`;
const TASK_DEF = `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/orders:12`;
const taskArn = (id: string) => `arn:aws:ecs:us-east-1:${ACCOUNT}:task/prod/${id}`;

/** A typical service before anyone thought of FIS: Fargate, awsvpc, one app container, ECS Exec on. */
function ordersDefinition(extra: Partial<TaskDefinition> = {}): TaskDefinition {
  return {
    taskDefinitionArn: TASK_DEF,
    family: "orders",
    revision: 12,
    networkMode: "awsvpc",
    requiresCompatibilities: ["FARGATE"],
    taskRoleArn: TASK_ROLE,
    containerDefinitions: [
      {
        name: "orders",
        image: "123.dkr.ecr.us-east-1.amazonaws.com/orders:1.4",
        essential: true,
        environment: [{ name: "TABLE_NAME", value: "Orders" }],
        logConfiguration: {
          logDriver: "awslogs",
          options: { "awslogs-group": "/ecs/orders", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "app" },
        },
      },
    ],
    ...extra,
  };
}

function readyDefinition(): TaskDefinition {
  const base = ordersDefinition({ enableFaultInjection: true, pidMode: "task" });
  return {
    ...base,
    containerDefinitions: [
      ...(base.containerDefinitions ?? []),
      { ...sidecarContainer(base, "orders-ssm-managed-instance"), essential: false },
    ],
  };
}

const ordersService = (extra: Partial<Service> = {}): Service => ({
  serviceName: "orders",
  status: "ACTIVE",
  taskDefinition: TASK_DEF,
  launchType: "FARGATE",
  platformVersion: "LATEST",
  enableExecuteCommand: false,
  ...extra,
});

const ids = (definition: TaskDefinition, service?: Service) =>
  faultInjectionRequirements({ definition, ...(service ? { service } : {}) })
    .filter((r) => r.ok === false)
    .map((r) => r.id);

describe("what a service lacks for the FIS ECS latency action", () => {
  it("names every missing requirement of a typical service", () => {
    expect(ids(ordersDefinition(), ordersService({ enableExecuteCommand: true }))).toEqual([
      "enableFaultInjection",
      "pidMode",
      "sidecar",
      "sidecarRole",
      "ecsExec",
    ]);
    expect(ids(readyDefinition(), ordersService())).toEqual([]);
  });

  it("refuses bridge networking, Windows, an old Fargate platform, an essential sidecar and no task role", () => {
    const ready = readyDefinition();
    expect(ids({ ...ready, pidMode: "host" })).toEqual(["pidMode"]);
    expect(ids({ ...ready, networkMode: "bridge" })).toEqual(["networkMode"]);
    expect(ids({ ...ready, networkMode: undefined })).toEqual(["networkMode"]);
    expect(ids({ ...ready, runtimePlatform: { operatingSystemFamily: "WINDOWS_SERVER_2022_CORE" } })).toEqual([
      "linux",
    ]);
    expect(ids(ready, ordersService({ platformVersion: "1.3.0" }))).toEqual(["platformVersion"]);
    expect(ids(ready, ordersService({ platformVersion: "1.4.0" }))).toEqual([]);
    const essential = (ready.containerDefinitions ?? []).map((c) =>
      /ssm/.test(c.image ?? "") ? { ...c, essential: true } : c,
    );
    expect(ids({ ...ready, containerDefinitions: essential })).toEqual(["sidecarEssential"]);
    expect(ids({ ...ready, taskRoleArn: undefined })).toEqual(["taskRole"]);
  });

  it("prints the change to paste: the fields, and the sidecar exactly as fislat deploy's template has it", () => {
    const definition = ordersDefinition();
    const change = taskDefinitionChange(definition, faultInjectionRequirements({ definition }));
    const shipped = (
      JSON.parse(readEnvironmentTemplate()) as {
        Resources: { TaskDefinition: { Properties: { ContainerDefinitions: { Name: string; Command: string[] }[] } } };
      }
    ).Resources.TaskDefinition.Properties.ContainerDefinitions.find((c) => c.Name === "amazon-ssm-agent");
    expect(change).toEqual({
      enableFaultInjection: true,
      pidMode: "task",
      containerDefinitions: [
        {
          name: "amazon-ssm-agent",
          image: "public.ecr.aws/amazon-ssm-agent/amazon-ssm-agent:latest",
          essential: false,
          entryPoint: ["/bin/bash", "-c"],
          command: shipped?.Command,
          environment: [
            { name: "MANAGED_INSTANCE_ROLE_NAME", value: ROLE_PLACEHOLDER },
            { name: "FISLAT_FIS_DEPENDENCIES", value: "preinstalled" },
          ],
          // Its log goes where the service's own container logs.
          logConfiguration: {
            logDriver: "awslogs",
            options: { "awslogs-group": "/ecs/orders", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "app" },
          },
        },
      ],
    });
    expect(change?.containerDefinitions?.[0]?.command?.[0]).toMatch(/aws ssm create-activation --iam-role/);
    const ready = readyDefinition();
    expect(taskDefinitionChange(ready, faultInjectionRequirements({ definition: ready }))).toBeUndefined();
  });

  it("fixes an existing sidecar in place rather than adding a second one", () => {
    const ready = readyDefinition();
    const bare = (ready.containerDefinitions ?? []).map((c) =>
      /ssm/.test(c.image ?? "") ? { ...c, essential: true, environment: [{ name: "OTHER", value: "1" }] } : c,
    );
    const definition = { ...ready, containerDefinitions: bare };
    const change = taskDefinitionChange(definition, faultInjectionRequirements({ definition }));
    expect(change?.containerDefinitions).toHaveLength(1);
    expect(change?.containerDefinitions?.[0]).toMatchObject({
      name: "amazon-ssm-agent",
      essential: false,
      environment: [
        { name: "OTHER", value: "1" },
        { name: "MANAGED_INSTANCE_ROLE_NAME", value: ROLE_PLACEHOLDER },
      ],
    });
  });
});

describe("reading a service from AWS", () => {
  let ecs: Stub;
  let iam: Stub;
  let definition: TaskDefinition;
  let service: Service;
  let taskRolePolicy: PolicyStatement[];

  beforeEach(() => {
    vi.stubEnv("AWS_REGION", "us-east-1");
    definition = ordersDefinition();
    service = ordersService();
    taskRolePolicy = [];
    ecs = stub(ECSClient);
    on(ecs, DescribeServicesCommand).callsFake((input: { services: string[] }) =>
      input.services[0] === "orders"
        ? { services: [service], failures: [] }
        : { services: [], failures: [{ arn: input.services[0], reason: "MISSING" }] },
    );
    on(ecs, DescribeTaskDefinitionCommand).callsFake(() => ({ taskDefinition: definition }));
    on(ecs, ListTasksCommand).resolves({ taskArns: [taskArn("t1"), taskArn("t2")] });
    on(ecs, DescribeTasksCommand).callsFake((input: { tasks: string[] }) => ({
      tasks: input.tasks.map((arn, i) => ({ taskArn: arn, lastStatus: "RUNNING", enableExecuteCommand: i === 1 })),
    }));
    iam = stub(IAMClient);
    on(iam, SimulatePrincipalPolicyCommand).callsFake((input: Parameters<typeof simulatePrincipalPolicy>[1]) =>
      simulatePrincipalPolicy(taskRolePolicy, input),
    );
  });
  afterEach(() => {
    ecs.restore();
    iam.restore();
    vi.unstubAllEnvs();
  });

  it("sends DescribeServices, DescribeTaskDefinition, ListTasks and DescribeTasks for the named service", async () => {
    const clients = awsClients();
    const readiness = await checkServiceReadiness(clients, { cluster: "prod", service: "orders" });
    expect(sent(ecs, DescribeServicesCommand)).toEqual([{ cluster: "prod", services: ["orders"] }]);
    expect(sent(ecs, DescribeTaskDefinitionCommand)).toEqual([{ taskDefinition: TASK_DEF }]);
    expect(sent(ecs, ListTasksCommand)).toEqual([{ cluster: "prod", serviceName: "orders", desiredStatus: "RUNNING" }]);
    expect(sent(ecs, DescribeTasksCommand)).toEqual([{ cluster: "prod", tasks: [taskArn("t1"), taskArn("t2")] }]);
    // ECS Exec on one running task is found even when the service says off.
    expect(readiness.requirements.find((r) => r.id === "ecsExec")).toMatchObject({
      ok: false,
      what: "ECS Exec is on for task t2",
    });
    clients.destroy();
  });

  it("simulates the task role on exactly what the sidecar does, the role it passes as the resource", async () => {
    const ready = readyDefinition();
    definition = ready;
    // Allowed to create the activation, but may pass only another role.
    taskRolePolicy = [
      { Effect: "Allow", Action: ["ssm:CreateActivation", "ssm:AddTagsToResource"], Resource: "*" },
      { Effect: "Allow", Action: "iam:PassRole", Resource: `arn:aws:iam::${ACCOUNT}:role/some-other-role` },
    ];
    const readiness = await checkServiceReadiness(awsClients(), { cluster: "prod", service: "orders" });
    expect(sent(iam, SimulatePrincipalPolicyCommand)).toEqual([
      {
        PolicySourceArn: TASK_ROLE,
        ActionNames: ["ssm:CreateActivation", "ssm:AddTagsToResource"],
        ResourceArns: ["*"],
      },
      {
        PolicySourceArn: TASK_ROLE,
        ActionNames: ["iam:PassRole"],
        ResourceArns: [`arn:aws:iam::${ACCOUNT}:role/orders-ssm-managed-instance`],
      },
    ]);
    expect(readiness.requirements.find((r) => r.id === "taskRole")).toMatchObject({
      ok: false,
      what: `${TASK_ROLE} may not iam:PassRole (implicitDeny)`,
    });
    expect(readiness.taskRoleStatements?.[1]).toEqual({
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: `arn:aws:iam::${ACCOUNT}:role/orders-ssm-managed-instance`,
    });

    taskRolePolicy.push({
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: `arn:aws:iam::${ACCOUNT}:role/orders-ssm-*`,
    });
    const fixed = await checkServiceReadiness(awsClients(), { cluster: "prod", service: "orders" });
    expect(fixed.requirements.find((r) => r.id === "taskRole")?.ok).toBe(true);
    expect(fixed.taskRoleStatements).toBeUndefined();
  });

  it("cannot tell (not fails) when the caller may not simulate the task role", async () => {
    definition = readyDefinition();
    iam.reset();
    on(iam, SimulatePrincipalPolicyCommand).rejects(
      Object.assign(new Error("not authorized"), { name: "AccessDenied" }),
    );
    const readiness = await checkServiceReadiness(awsClients(), { cluster: "prod", service: "orders" });
    expect(readiness.requirements.find((r) => r.id === "taskRole")).toMatchObject({ ok: undefined });
    expect(readinessProblems(readiness).filter((p) => /task role/.test(p.what))).toEqual([]);
  });

  it("says which service is missing, with exit 6", async () => {
    await expect(checkServiceReadiness(awsClients(), { cluster: "prod", service: "order" })).rejects.toMatchObject({
      exitCode: EXIT.environment,
      message: expect.stringMatching(/no service order in cluster prod \(MISSING\)/),
    });
  });

  it("puts the change to paste into the preflight's problems", async () => {
    const readiness = await checkServiceReadiness(awsClients(), { cluster: "prod", service: "orders" });
    const problems = readinessProblems(readiness);
    expect(problems.map((p) => p.what)).toEqual([
      'task definition orders:12 does not have "enableFaultInjection": true',
      'task definition orders:12 has pidMode unset, not "task"',
      "task definition orders:12 has no SSM agent sidecar container",
      "the SSM agent sidecar has no MANAGED_INSTANCE_ROLE_NAME",
      "ECS Exec is on for task t2",
      `${TASK_ROLE} may not ssm:CreateActivation (implicitDeny), ssm:AddTagsToResource (implicitDeny), iam:PassRole (implicitDeny)`,
    ]);
    expect(problems[0]?.fix).toMatch(/"enableFaultInjection": true,\n\s+"pidMode": "task"/);
    expect(problems[0]?.fix).toMatch(/"ssm:CreateActivation"/);
  });

  describe("fislat doctor --cluster prod --service orders", () => {
    let others: Stub[];
    beforeEach(() => {
      const sts = stub(STSClient);
      on(sts, GetCallerIdentityCommand).resolves({ Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/operator` });
      const cfn = stub(CloudFormationClient);
      on(cfn, DescribeStacksCommand).rejects(
        Object.assign(new Error("Stack with id fislat-probe does not exist"), { name: "ValidationError" }),
      );
      const fis = stub(FisClient);
      on(fis, ListExperimentsCommand).resolves({ experiments: [] });
      // t1 registered by its sidecar, t2 not (yet).
      const ssm = stub(SSMClient);
      on(ssm, DescribeInstanceInformationCommand).callsFake((input: { Filters: { Values: string[] }[] }) => ({
        InstanceInformationList: (input.Filters[0]?.Values ?? [])
          .filter((arn) => arn === taskArn("t1"))
          .map(() => ({ PingStatus: "Online" })),
      }));
      others = [sts, cfn, fis, ssm];
    });
    afterEach(() => {
      for (const s of others) s.restore();
    });

    it("checks each requirement of the user's service and prints the change, parseable, under its check", async () => {
      const flags = { cluster: "prod", service: "orders", roleArn: `arn:aws:iam::${ACCOUNT}:role/fis` };
      const checks = await runDoctor(awsClients(), flags, systemClock);
      const status = Object.fromEntries(checks.map((c) => [c.name, c.status]));
      expect(status).toMatchObject({
        service: "PASS",
        enableFaultInjection: "FAIL",
        "pidMode task": "FAIL",
        awsvpc: "PASS",
        Linux: "PASS",
        "SSM agent sidecar": "FAIL",
        "ECS Exec off": "FAIL",
        "the change to make": "FAIL",
        "SSM registration": "FAIL",
        logs: "SKIP",
      });
      expect(checks.find((c) => c.name === "SSM registration")?.detail).toMatch(/1 task\(s\) not registered .*: t2$/);
      // The probe's checks do not apply: no Round trip lines are looked for.
      expect(checks.find((c) => c.name === "logs")?.detail).toMatch(/does not run fislat's probe/);

      // One entry per thing doctor says (a change to make is one multi-line entry).
      const said: string[] = [];
      const ctx = testContext({ stdout: memoryOutput((s) => said.push(s.replace(/\n$/, ""))) });
      const code = await doctorCommand(ctx, flags);
      expect(code).toBe(EXIT.environment);
      const at = said.findIndex((l) => l.startsWith("FAIL the change to make"));
      const printed = JSON.parse(said[at + 1] ?? "") as { taskDefinition: Record<string, unknown> };
      expect(printed.taskDefinition).toMatchObject({ enableFaultInjection: true, pidMode: "task" });

      definition = readyDefinition();
      taskRolePolicy = [
        { Effect: "Allow", Action: ["ssm:CreateActivation", "ssm:AddTagsToResource"], Resource: "*" },
        {
          Effect: "Allow",
          Action: "iam:PassRole",
          Resource: `arn:aws:iam::${ACCOUNT}:role/orders-ssm-managed-instance`,
        },
      ];
      on(ecs, ListTasksCommand).resolves({ taskArns: [taskArn("t1")] });
      on(ecs, DescribeTasksCommand).resolves({ tasks: [{ taskArn: taskArn("t1"), lastStatus: "RUNNING" }] });
      const again = await runDoctor(awsClients(), flags, systemClock);
      const requirementChecks = again.filter(
        (c) => !["credentials", "stack", "logs", "FIS role", "experiments", "load balancer", "tasks"].includes(c.name),
      );
      expect(requirementChecks.filter((c) => c.status !== "PASS")).toEqual([]);
      expect(again.some((c) => c.name === "the change to make")).toBe(false);
    });
  });
});
