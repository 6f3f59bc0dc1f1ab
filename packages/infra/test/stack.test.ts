// The probe environment's template: CDK assertions on what the original setup needs, least
// privilege, no account in it, and cdk-nag's AWS Solutions rules (every acceptance justified in
// stack.ts beside its resource).
import { readFileSync, rmSync } from "node:fs";
import { App, DefaultStackSynthesizer, Validations } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { AwsSolutionsChecks } from "cdk-nag";
import { describe, expect, it, onTestFinished } from "vitest";
import {
  HEALTH_PATHS,
  LOG_STREAM_PREFIX,
  PROBE_CONTAINER,
  ProbeEnvironmentStack,
  SSM_AGENT_CONTAINER,
} from "../src/stack.js";
import { synthesizeTemplate, TEMPLATE_PATH } from "../src/synth.js";
import { evaluator } from "./support/evaluate.js";

function stack() {
  const app = new App();
  // Synthesis writes a cdk.out* folder in the temp directory: removed with the test.
  onTestFinished(() => rmSync(app.outdir, { recursive: true, force: true }));
  const s = new ProbeEnvironmentStack(app, "Test", {
    synthesizer: new DefaultStackSynthesizer({ generateBootstrapVersionRule: false }),
  });
  return { app, stack: s, template: Template.fromStack(s) };
}

type Statement = { Action: string[]; Resource: unknown[] };
const statements = (template: Template, role: string): Statement[] => {
  const policies = template.toJSON().Resources[role].Properties.Policies as {
    PolicyDocument: { Statement: Statement[] };
  }[];
  return policies.flatMap((p) => p.PolicyDocument.Statement);
};

describe("the probe environment template", () => {
  it("passes cdk-nag's AWS Solutions checks", () => {
    const { app } = stack();
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).not.toThrow();
  });

  it("defines a Fargate task definition with fault injection, pidMode task and the SSM agent sidecar", () => {
    const { template } = stack();
    template.hasResourceProperties("AWS::ECS::TaskDefinition", {
      RequiresCompatibilities: ["FARGATE"],
      NetworkMode: "awsvpc",
      EnableFaultInjection: true,
      PidMode: "task",
      RuntimePlatform: { OperatingSystemFamily: "LINUX" },
      ContainerDefinitions: [
        Match.objectLike({
          Name: PROBE_CONTAINER,
          Essential: true,
          PortMappings: [{ ContainerPort: 80, Protocol: "tcp" }],
          Environment: Match.arrayWith([
            { Name: "CONNECTION_TIMEOUT_MS", Value: { Ref: "ConnectionTimeoutMs" } },
            { Name: "READ_TIMEOUT_MS", Value: { Ref: "ReadTimeoutMs" } },
          ]),
          LogConfiguration: {
            LogDriver: "awslogs",
            Options: Match.objectLike({
              "awslogs-stream-prefix": LOG_STREAM_PREFIX,
              "awslogs-group": { Ref: "LogGroup" },
            }),
          },
        }),
        Match.objectLike({
          Name: SSM_AGENT_CONTAINER,
          Essential: false,
          Environment: Match.arrayWith([
            { Name: "MANAGED_INSTANCE_ROLE_NAME", Value: { Ref: "SsmManagedInstanceRole" } },
          ]),
        }),
      ],
    });
    template.hasResourceProperties("AWS::ECS::Service", {
      LaunchType: "FARGATE",
      PlatformVersion: "LATEST",
      EnableExecuteCommand: false,
    });
  });

  it("grants the task only the four read actions on its one table", () => {
    const { template } = stack();
    const dynamo = statements(template, "TaskRole").filter((s) => s.Action.some((a) => a.startsWith("dynamodb:")));
    expect(dynamo).toEqual([
      {
        Effect: "Allow",
        Action: ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:DescribeTable"],
        Resource: [{ "Fn::Sub": "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${TableName}" }],
      },
    ]);
  });

  it("gives FIS what aws:ecs:task-network-latency needs, and no action wildcard anywhere", () => {
    const { template } = stack();
    const fis = statements(template, "FisExperimentRole");
    const actions = fis.flatMap((s) => s.Action);
    expect(actions).toEqual(
      expect.arrayContaining([
        "ecs:DescribeTasks",
        "ssm:SendCommand",
        "ssm:ListCommands",
        "ssm:CancelCommand",
        "ec2:DescribeSubnets",
      ]),
    );
    const roles = Object.entries(template.toJSON().Resources).filter(
      ([, r]) => (r as { Type: string }).Type === "AWS::IAM::Role",
    );
    for (const [name] of roles) {
      for (const s of statements(template, name)) for (const a of s.Action) expect(a).not.toMatch(/\*/);
    }
    template.hasResourceProperties("AWS::IAM::Role", {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: "fis.amazonaws.com" } })] },
    });
  });

  it("opens the load balancer only to the given CIDRs and the tasks only to the load balancer", () => {
    const { template } = stack();
    const json = JSON.stringify(template.toJSON());
    expect(json).not.toMatch(/"CidrIp":"0\.0\.0\.0\/0"[^}]*"FromPort"/);
    const ingress = template.findResources("AWS::EC2::SecurityGroupIngress");
    const cidrs = Object.values(ingress).flatMap((r) => (r.Properties.CidrIp ? [r.Properties.CidrIp] : []));
    expect(cidrs).toEqual([{ Ref: "AllowedCidr" }, { Ref: "AllowedCidr2" }, { Ref: "AllowedCidr3" }]);
    template.hasResourceProperties("AWS::EC2::SecurityGroupIngress", {
      GroupId: { "Fn::GetAtt": ["TaskSecurityGroup", "GroupId"] },
      SourceSecurityGroupId: { "Fn::GetAtt": ["LoadBalancerSecurityGroup", "GroupId"] },
      FromPort: 80,
    });
    template.hasResourceProperties("AWS::ElasticLoadBalancingV2::TargetGroup", {
      Protocol: "TCP",
      TargetType: "ip",
      HealthCheckProtocol: "HTTP",
    });
  });

  it("makes the table, the load balancer, the cluster and the repository optional", () => {
    const { template } = stack();
    const resources = template.toJSON().Resources as Record<string, { Condition?: string }>;
    expect(resources.Table?.Condition).toBe("MakeTable");
    // Seeding is fislat deploy's, through the SDK: no Lambda, no custom resource to wait on.
    const types = Object.values(template.toJSON().Resources).map((r) => (r as { Type: string }).Type);
    expect(types.filter((t) => /Lambda|Custom::|CustomResource/.test(t))).toEqual([]);
    expect(resources.LoadBalancer?.Condition).toBe("WithLb");
    expect(resources.Cluster?.Condition).toBe("MakeCluster");
    expect(resources.Repository?.Condition).toBe("MakeRepository");
    // Until an image is given (fislat image push), no task definition and no service.
    expect(resources.TaskDefinition?.Condition).toBe("HasImage");
    expect(resources.Service?.Condition).toBe("HasImage");
    // ...and a first deploy may leave the image out: the parameter defaults to empty.
    expect(template.toJSON().Parameters.ImageUri).toMatchObject({ Default: "" });
    expect(resources.Repository).toMatchObject({ DeletionPolicy: "Retain", UpdateReplacePolicy: "Retain" });
    template.hasResourceProperties("AWS::DynamoDB::Table", { BillingMode: "PAY_PER_REQUEST" });
    template.hasResourceProperties("AWS::Logs::LogGroup", { RetentionInDays: 30 });
  });

  it("health-checks the probe's shallow /live by default, and the deep /health only when asked", () => {
    const json = synthesizeTemplate() as unknown as Parameters<typeof evaluator>[0] & {
      Resources: Record<string, { Properties: Record<string, unknown> }>;
    };
    const paths = (values: Record<string, string>) => {
      const { value } = evaluator(json, values);
      const targetGroup = value(json.Resources.TargetGroup?.Properties) as { HealthCheckPath: string };
      const task = value(json.Resources.TaskDefinition?.Properties) as {
        ContainerDefinitions: { Name: string; HealthCheck?: { Command: string[] } }[];
      };
      const probe = task.ContainerDefinitions.find((c) => c.Name === PROBE_CONTAINER);
      const script = probe?.HealthCheck?.Command.at(-1) ?? "";
      return { targetGroup: targetGroup.HealthCheckPath, container: /'(\/[a-z]+)'\)/.exec(script)?.[1] };
    };
    expect(paths({})).toEqual({ targetGroup: HEALTH_PATHS.shallow, container: HEALTH_PATHS.shallow });
    expect(HEALTH_PATHS.shallow).toBe("/live");
    expect(paths({ HealthCheckPath: "/health" })).toEqual({ targetGroup: "/health", container: "/health" });
  });

  it("turns the service's deployment circuit breaker on with rollback, so tasks that never start fail the deploy", () => {
    const { template } = stack();
    template.hasResourceProperties("AWS::ECS::Service", {
      DeploymentConfiguration: { DeploymentCircuitBreaker: { Enable: true, Rollback: true } },
    });
  });

  it("lets FIS resolve tag targets (tag:GetResources) and the task role clean up its SSM registration", () => {
    const { template } = stack();
    expect(statements(template, "FisExperimentRole")).toContainEqual({
      Effect: "Allow",
      Action: ["tag:GetResources"],
      Resource: ["*"],
    });
    const task = statements(template, "TaskRole").flatMap((s) => s.Action);
    expect(task).toEqual(expect.arrayContaining(["ssm:DeleteActivation", "ssm:DeregisterManagedInstance"]));
  });

  it("makes the load balancer internal when the tasks get no public IPs", () => {
    const json = synthesizeTemplate() as unknown as Parameters<typeof evaluator>[0] & {
      Resources: Record<string, { Properties: Record<string, unknown> }>;
    };
    const scheme = (values: Record<string, string>) =>
      (evaluator(json, values).value(json.Resources.LoadBalancer?.Properties) as { Scheme: string }).Scheme;
    expect(scheme({})).toBe("internet-facing");
    expect(scheme({ AssignPublicIp: "DISABLED" })).toBe("internal");
  });

  it("preinstalls the FIS action's tools in the sidecar, says so, and takes the sidecar image as a parameter", () => {
    const json = synthesizeTemplate() as unknown as Parameters<typeof evaluator>[0] & {
      Resources: Record<string, { Properties: Record<string, unknown> }>;
    };
    const task = evaluator(json, { ImageUri: "probe:1", SsmAgentImage: "example.com/ssm:1" }).value(
      json.Resources.TaskDefinition?.Properties,
    ) as { ContainerDefinitions: { Name: string; Image: string; Command: string[]; Environment: object[] }[] };
    const sidecar = task.ContainerDefinitions.find((c) => c.Name === SSM_AGENT_CONTAINER);
    expect(sidecar?.Image).toBe("example.com/ssm:1");
    expect(sidecar?.Environment).toContainEqual({ Name: "FISLAT_FIS_DEPENDENCIES", Value: "preinstalled" });
    const install = sidecar?.Command[0]?.split("\n").find((l) => /dnf install/.test(l)) ?? "";
    // The action's tools (FIS actions reference: atd, curl-minimal, dig, jq, lsof) by AL2023 package.
    for (const pkg of ["at", "bind-utils", "jq", "lsof"]) expect(install.split(" "), pkg).toContain(pkg);
    expect(sidecar?.Command[0]).toMatch(/\ncurl -s|\$\(curl -s/);
    expect(sidecar?.Command[0]).toMatch(/^atd /m);
    expect(synthesizeTemplate().Parameters).toMatchObject({
      SsmAgentImage: { Default: "public.ecr.aws/amazon-ssm-agent/amazon-ssm-agent:latest" },
    });
  });

  it("admits CIDRs from /8 to /32 only, in the template's own AllowedPattern", () => {
    const parameters = synthesizeTemplate().Parameters as Record<string, { AllowedPattern: string }>;
    const pattern = new RegExp(parameters.AllowedCidr?.AllowedPattern as string);
    for (const ok of ["", "203.0.113.7/32", "10.0.0.0/8", "192.168.0.0/16"]) expect(pattern.test(ok), ok).toBe(true);
    for (const bad of [
      "0.0.0.0/0",
      "0.0.0.0/00",
      "0.0.0.0/1",
      "10.0.0.0/7",
      "010.0.0.1/32",
      "256.0.0.1/32",
      "1.2.3.4/33",
      "1.2.3.4/08",
    ])
      expect(pattern.test(bad), bad).toBe(false);
  });

  it("holds no account, region, subnet or ARN of anyone's, and needs no bootstrap", () => {
    const text = JSON.stringify(synthesizeTemplate());
    expect(text).not.toMatch(/\b\d{12}\b/);
    expect(text).not.toMatch(/subnet-[0-9a-f]{8}|sg-[0-9a-f]{8}|vpc-[0-9a-f]{8}/);
    expect(text).not.toMatch(/us-east-1|eu-west-1/);
    expect(text).not.toMatch(/BootstrapVersion|CDKMetadata|cdk-hnb659fds/);
  });

  it("ships as the template the build wrote for the CLI", () => {
    expect(JSON.parse(readFileSync(TEMPLATE_PATH, "utf8"))).toEqual(synthesizeTemplate());
  });

  it("outputs what fislat needs to find the environment", () => {
    const outputs = Object.keys(synthesizeTemplate().Outputs as object);
    expect(outputs).toEqual(
      expect.arrayContaining([
        "ClusterName",
        "ExistingClusterName",
        "ServiceName",
        "TaskDefinitionFamily",
        "FisRoleArn",
        "LogGroupName",
        "TableName",
        "LoadBalancerDns",
        "RepositoryUri",
      ]),
    );
  });
});
