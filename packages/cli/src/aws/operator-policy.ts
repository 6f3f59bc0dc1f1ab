// The least-privilege IAM policy for the person or CI job running fislat: exactly the actions the
// commands' AWS calls need, each on the resources of this configuration (partition, region,
// account, and the names fislat deploy creates or fislat.config.json names). One table maps each
// SDK command fislat sends to the IAM actions it needs; a test keeps that table equal to the
// commands the code sends and checks every recorded call against the policy.
import { awsNeeds } from "../engine/fault.js";

export interface PolicyContext {
  partition: string;
  region: string;
  account: string;
  stackName: string;
  /** The probe's cluster and service (fislat.config.json after deploy); patterns of deploy's names otherwise. */
  cluster?: string;
  service?: string;
  taskDefinition?: string;
  /** The FIS experiment role (roleArn in fislat.config.json). */
  roleArn?: string;
  /** The ECR repository URI (repository in fislat.config.json). */
  repository?: string;
  logGroup?: string;
  tableName?: string;
}

export interface PolicyStatement {
  Sid: string;
  Effect: "Allow";
  Action: string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string>>;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

/**
 * The IAM actions each SDK command fislat sends needs (Service Authorization Reference), and, for
 * image push, what `docker push` does with the ECR token. sts:GetCallerIdentity needs none.
 */
export const REQUIRED_ACTIONS: Record<string, string[]> = {
  GetCallerIdentityCommand: [],
  // ECS: finding, reading and (with --launch) starting and stopping the probe's tasks.
  ListTasksCommand: ["ecs:ListTasks"],
  DescribeTasksCommand: ["ecs:DescribeTasks"],
  DescribeTaskDefinitionCommand: ["ecs:DescribeTaskDefinition"],
  DescribeServicesCommand: ["ecs:DescribeServices"],
  RunTaskCommand: ["ecs:RunTask", "ecs:TagResource", "iam:PassRole"],
  StopTaskCommand: ["ecs:StopTask"],
  // FIS: CreateExperimentTemplate also tags the template and passes the experiment role.
  CreateExperimentTemplateCommand: ["fis:CreateExperimentTemplate", "fis:TagResource", "iam:PassRole"],
  // The account's first experiment has FIS create its service-linked role with the caller's rights.
  StartExperimentCommand: ["fis:StartExperiment", "fis:TagResource", "iam:CreateServiceLinkedRole"],
  GetExperimentCommand: ["fis:GetExperiment"],
  // run: which tasks a selection mode picked, for the per-task verdict.
  ListExperimentResolvedTargetsCommand: ["fis:ListExperimentResolvedTargets"],
  StopExperimentCommand: ["fis:StopExperiment"],
  ListExperimentsCommand: ["fis:ListExperiments"],
  DeleteExperimentTemplateCommand: ["fis:DeleteExperimentTemplate"],
  // CloudWatch Logs: Live Tail by default, FilterLogEvents polling otherwise and in doctor.
  DescribeLogGroupsCommand: ["logs:DescribeLogGroups"],
  FilterLogEventsCommand: ["logs:FilterLogEvents"],
  StartLiveTailCommand: ["logs:StartLiveTail"],
  // deploy and destroy (CloudFormation then acts with the caller's rights on the stack's resources).
  DescribeStacksCommand: ["cloudformation:DescribeStacks"],
  DescribeStackEventsCommand: ["cloudformation:DescribeStackEvents"],
  // deploy: the service's ARN, to say why its tasks stop while CloudFormation waits on them.
  DescribeStackResourceCommand: ["cloudformation:DescribeStackResource"],
  CreateChangeSetCommand: ["cloudformation:CreateChangeSet"],
  DescribeChangeSetCommand: ["cloudformation:DescribeChangeSet"],
  ExecuteChangeSetCommand: ["cloudformation:ExecuteChangeSet"],
  DeleteChangeSetCommand: ["cloudformation:DeleteChangeSet"],
  DeleteStackCommand: ["cloudformation:DeleteStack"],
  PutItemCommand: ["dynamodb:PutItem"],
  // run preflight: each target registered with SSM (FIS reaches Fargate tasks through it).
  DescribeInstanceInformationCommand: ["ssm:DescribeInstanceInformation"],
  // doctor
  SimulatePrincipalPolicyCommand: ["iam:SimulatePrincipalPolicy"],
  // doctor: does FIS's service-linked role exist yet?
  GetRoleCommand: ["iam:GetRole"],
  DescribeTargetHealthCommand: ["elasticloadbalancing:DescribeTargetHealth"],
  // image push
  GetAuthorizationTokenCommand: ["ecr:GetAuthorizationToken"],
};

/** What `docker push` to ECR needs besides the token (ECR user guide, pushing an image). */
export const DOCKER_PUSH_ACTIONS = [
  "ecr:BatchCheckLayerAvailability",
  "ecr:InitiateLayerUpload",
  "ecr:UploadLayerPart",
  "ecr:CompleteLayerUpload",
  "ecr:PutImage",
  "ecr:BatchGetImage",
];

/** The names fislat deploy gives what it creates: CloudFormation names them <stack>-<LogicalId>-<suffix>. */
function generated(ctx: PolicyContext, logicalId: string): string {
  return `${ctx.stackName}-${logicalId}-*`;
}

/** IAM role names are at most 64 characters (IAM API reference, CreateRole RoleName). */
export const MAX_ROLE_NAME = 64;
/** The random tail CloudFormation appends to a generated name, with its hyphen. */
const SUFFIX_LENGTH = 13;
/** Past the limit, the part of the stack name (and of the logical id) a generated name keeps at least. */
const KEPT_WHEN_CUT = 25;

/**
 * The name pattern of a role CloudFormation names itself. It is <stack>-<logical id>-<random>
 * while that fits IAM's 64 characters; past them, CloudFormation cuts the stack name and the
 * logical id. AWS documents no rule: the one seen on real stacks keeps 13 characters for the
 * random tail and splits the rest between the two, the stack's half first (25 and 25 for IAM;
 * KensioSoftware/yulin issue 1113, from names real CloudFormation produced). The pattern here
 * holds under that rule and under any that keeps at least 25 characters of each part.
 */
export function generatedRoleName(stackName: string, logicalId: string): string {
  if (stackName.length + 1 + logicalId.length + SUFFIX_LENGTH <= MAX_ROLE_NAME) return `${stackName}-${logicalId}-*`;
  return `${stackName.slice(0, KEPT_WHEN_CUT)}*-${logicalId.slice(0, KEPT_WHEN_CUT)}*`;
}

export function operatorPolicy(ctx: PolicyContext): PolicyDocument {
  const { partition: p, region: r, account: a } = ctx;
  const ecs = `arn:${p}:ecs:${r}:${a}`;
  const cluster = ctx.cluster ?? generated(ctx, "Cluster");
  const clusterArn = `${ecs}:cluster/${cluster}`;
  const service = ctx.service ?? generated(ctx, "Service");
  const family = ctx.taskDefinition?.replace(/:\d+$/, "") ?? `${ctx.stackName}-probe`;
  const fisRole = ctx.roleArn ?? `arn:${p}:iam::${a}:role/${generatedRoleName(ctx.stackName, "FisExperimentRole")}`;
  const logGroup = ctx.logGroup ?? `/ecs/${ctx.stackName}`;
  const logGroupArn = `arn:${p}:logs:${r}:${a}:log-group:${logGroup}`;
  const table = ctx.tableName ?? "MyTestTable";
  const repositoryName = ctx.repository?.split("/").slice(1).join("/") ?? `${ctx.stackName.toLowerCase()}-repository-*`;
  const fis = `arn:${p}:fis:${r}:${a}`;
  const inCluster = { ArnEquals: { "ecs:cluster": clusterArn } };
  const fisServiceLinkedRole = `arn:${p}:iam::${a}:role/aws-service-role/fis.amazonaws.com/AWSServiceRoleForFIS`;
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "FindTheProbeTasks",
        Effect: "Allow",
        Action: ["ecs:ListTasks"],
        Resource: "*",
        Condition: inCluster,
      },
      {
        Sid: "ReadAndStopTheProbeTasks",
        Effect: "Allow",
        Action: ["ecs:DescribeTasks", "ecs:StopTask"],
        Resource: `${ecs}:task/${cluster}/*`,
      },
      {
        Sid: "ReadTheProbeService",
        Effect: "Allow",
        Action: ["ecs:DescribeServices"],
        Resource: `${ecs}:service/${cluster}/${service}`,
      },
      {
        // DescribeTaskDefinition has no resource-level permissions.
        Sid: "ReadTaskDefinitions",
        Effect: "Allow",
        Action: ["ecs:DescribeTaskDefinition"],
        Resource: "*",
      },
      {
        Sid: "LaunchAProbeTask",
        Effect: "Allow",
        Action: ["ecs:RunTask"],
        Resource: `${ecs}:task-definition/${family}:*`,
        Condition: inCluster,
      },
      {
        Sid: "TagTheLaunchedTask",
        Effect: "Allow",
        Action: ["ecs:TagResource"],
        Resource: `${ecs}:task/${cluster}/*`,
        Condition: { StringEquals: { "ecs:CreateAction": "RunTask" } },
      },
      {
        Sid: "PassTheTaskRolesToEcs",
        Effect: "Allow",
        Action: ["iam:PassRole"],
        Resource: [
          `arn:${p}:iam::${a}:role/${generatedRoleName(ctx.stackName, "TaskRole")}`,
          `arn:${p}:iam::${a}:role/${generatedRoleName(ctx.stackName, "TaskExecutionRole")}`,
        ],
        Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
      },
      {
        // The action's ARN is written with and without the account in AWS's own pages: * covers both.
        Sid: "RunFisExperiments",
        Effect: "Allow",
        Action: [
          "fis:CreateExperimentTemplate",
          "fis:StartExperiment",
          "fis:GetExperiment",
          "fis:ListExperimentResolvedTargets",
          "fis:StopExperiment",
          "fis:DeleteExperimentTemplate",
          "fis:TagResource",
        ],
        Resource: [
          `${fis}:experiment-template/*`,
          `${fis}:experiment/*`,
          // Every fault kind's FIS action (faults/<kind>.ts).
          ...awsNeeds().actionIds.map((id) => `arn:${p}:fis:${r}:*:action/${id}`),
        ],
      },
      {
        // ListExperiments has no resource-level permissions (stop --all, list, doctor).
        Sid: "ListFisExperiments",
        Effect: "Allow",
        Action: ["fis:ListExperiments"],
        Resource: "*",
      },
      {
        Sid: "PassTheFisRoleToFis",
        Effect: "Allow",
        Action: ["iam:PassRole"],
        Resource: fisRole,
        Condition: { StringEquals: { "iam:PassedToService": "fis.amazonaws.com" } },
      },
      {
        // FIS creates AWSServiceRoleForFIS at an account's first experiment, with the rights of
        // whoever starts it (FIS user guide, service-linked roles): only that role, for FIS.
        Sid: "LetFisCreateItsServiceLinkedRole",
        Effect: "Allow",
        Action: ["iam:CreateServiceLinkedRole"],
        Resource: fisServiceLinkedRole,
        Condition: { StringEquals: { "iam:AWSServiceName": "fis.amazonaws.com" } },
      },
      {
        Sid: "CheckTheFisServiceLinkedRole",
        Effect: "Allow",
        Action: ["iam:GetRole"],
        Resource: fisServiceLinkedRole,
      },
      {
        Sid: "CheckTheFisRole",
        Effect: "Allow",
        Action: ["iam:SimulatePrincipalPolicy"],
        Resource: fisRole,
      },
      {
        Sid: "ReadTheProbeLogs",
        Effect: "Allow",
        Action: ["logs:FilterLogEvents", "logs:StartLiveTail"],
        Resource: [logGroupArn, `${logGroupArn}:*`],
      },
      {
        Sid: "FindTheLogGroup",
        Effect: "Allow",
        Action: ["logs:DescribeLogGroups"],
        Resource: `arn:${p}:logs:${r}:${a}:log-group:*`,
      },
      {
        Sid: "DeployTheStack",
        Effect: "Allow",
        Action: [
          "cloudformation:DescribeStacks",
          "cloudformation:DescribeStackEvents",
          "cloudformation:DescribeStackResource",
          "cloudformation:CreateChangeSet",
          "cloudformation:DescribeChangeSet",
          "cloudformation:ExecuteChangeSet",
          "cloudformation:DeleteChangeSet",
          "cloudformation:DeleteStack",
        ],
        Resource: `arn:${p}:cloudformation:${r}:${a}:stack/${ctx.stackName}/*`,
      },
      {
        Sid: "SeedTheTable",
        Effect: "Allow",
        Action: ["dynamodb:PutItem"],
        Resource: `arn:${p}:dynamodb:${r}:${a}:table/${table}`,
      },
      {
        // DescribeInstanceInformation has no resource-level permissions: run's SSM registration preflight.
        Sid: "CheckSsmRegistration",
        Effect: "Allow",
        Action: ["ssm:DescribeInstanceInformation"],
        Resource: "*",
      },
      {
        // DescribeTargetHealth has no resource-level permissions.
        Sid: "ReadTargetHealth",
        Effect: "Allow",
        Action: ["elasticloadbalancing:DescribeTargetHealth"],
        Resource: "*",
      },
      {
        // GetAuthorizationToken has no resource-level permissions.
        Sid: "LogInToEcr",
        Effect: "Allow",
        Action: ["ecr:GetAuthorizationToken"],
        Resource: "*",
      },
      {
        Sid: "PushTheProbeImage",
        Effect: "Allow",
        Action: DOCKER_PUSH_ACTIONS,
        Resource: `arn:${p}:ecr:${r}:${a}:repository/${repositoryName}`,
      },
    ],
  };
}
