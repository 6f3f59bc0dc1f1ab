// What IAM authorizes for each AWS call fislat sent, read from the call's own input: the actions
// (REQUIRED_ACTIONS), the resource ARNs they act on and the request context, per the Service
// Authorization Reference. A test evaluates each recorded call against `fislat policy`.
import { REQUIRED_ACTIONS } from "../../src/aws/operator-policy.js";
import type { ContextEntry } from "./iam-simulator.js";

export interface Where {
  partition: string;
  region: string;
  account: string;
}

export interface Authorization {
  action: string;
  resource: string;
  context?: ContextEntry[];
}

type Input = Record<string, unknown>;

const ctx = (key: string, value: string): ContextEntry => ({ ContextKeyName: key, ContextKeyValues: [value] });

/** FIS's service-linked role, with its path. */
const FIS_SLR = "aws-service-role/fis.amazonaws.com/AWSServiceRoleForFIS";

/** The roles the stack's task definition names (CloudFormation's generated names). */
export const TASK_ROLES = ["fislat-probe-TaskRole-1AbC", "fislat-probe-TaskExecutionRole-2DeF"];

export function authorizationsOf(command: string, input: Input, w: Where): Authorization[] {
  const { partition: p, region: r, account: a } = w;
  const ecs = `arn:${p}:ecs:${r}:${a}`;
  const clusterName = (c: unknown) =>
    String(c ?? "default")
      .split("/")
      .at(-1) as string;
  const clusterArn = (c: unknown) => `${ecs}:cluster/${clusterName(c)}`;
  const taskArn = (c: unknown, t: string) => (t.startsWith("arn:") ? t : `${ecs}:task/${clusterName(c)}/${t}`);
  const fis = `arn:${p}:fis:${r}:${a}`;
  const stack = (name: unknown) =>
    `arn:${p}:cloudformation:${r}:${a}:stack/${String(name)}/4f1c2b00-0000-0000-0000-000000000000`;
  const one = (action: string, resource: string, context?: ContextEntry[]): Authorization[] => [
    { action, resource, ...(context ? { context } : {}) },
  ];
  switch (command) {
    case "GetCallerIdentityCommand":
      return [];
    case "ListTasksCommand":
      return one("ecs:ListTasks", `${ecs}:container-instance/${clusterName(input.cluster)}/*`, [
        ctx("ecs:cluster", clusterArn(input.cluster)),
      ]);
    case "DescribeTasksCommand":
      return (input.tasks as string[]).map((t) => ({
        action: "ecs:DescribeTasks",
        resource: taskArn(input.cluster, t),
      }));
    case "DescribeTaskDefinitionCommand":
      return one("ecs:DescribeTaskDefinition", "*");
    case "DescribeServicesCommand":
      return (input.services as string[]).map((s) => ({
        action: "ecs:DescribeServices",
        resource: `${ecs}:service/${clusterName(input.cluster)}/${s}`,
      }));
    case "RunTaskCommand": {
      const family = String(input.taskDefinition).split("/").at(-1) as string;
      return [
        ...one("ecs:RunTask", `${ecs}:task-definition/${family.includes(":") ? family : `${family}:1`}`, [
          ctx("ecs:cluster", clusterArn(input.cluster)),
        ]),
        ...one("ecs:TagResource", taskArn(input.cluster, "new"), [ctx("ecs:CreateAction", "RunTask")]),
        ...TASK_ROLES.map((role) => ({
          action: "iam:PassRole",
          resource: `arn:${p}:iam::${a}:role/${role}`,
          context: [ctx("iam:PassedToService", "ecs-tasks.amazonaws.com")],
        })),
      ];
    }
    case "StopTaskCommand":
      return one("ecs:StopTask", taskArn(input.cluster, String(input.task)));
    case "CreateExperimentTemplateCommand":
      return [
        ...one("fis:CreateExperimentTemplate", `${fis}:experiment-template/new`),
        ...one("fis:CreateExperimentTemplate", `arn:${p}:fis:${r}:${a}:action/aws:ecs:task-network-latency`),
        ...one("fis:TagResource", `${fis}:experiment-template/new`),
        ...one("iam:PassRole", String(input.roleArn), [ctx("iam:PassedToService", "fis.amazonaws.com")]),
      ];
    case "StartExperimentCommand":
      return [
        ...one("fis:StartExperiment", `${fis}:experiment-template/${String(input.experimentTemplateId)}`),
        ...one("fis:StartExperiment", `${fis}:experiment/new`),
        ...one("fis:TagResource", `${fis}:experiment/new`),
        // Only at an account's first experiment, when FIS makes its service-linked role.
        ...one("iam:CreateServiceLinkedRole", `arn:${p}:iam::${a}:role/${FIS_SLR}`, [
          ctx("iam:AWSServiceName", "fis.amazonaws.com"),
        ]),
      ];
    case "GetExperimentCommand":
    case "StopExperimentCommand":
      return one(`fis:${command.replace("Command", "")}`, `${fis}:experiment/${String(input.id)}`);
    case "ListExperimentResolvedTargetsCommand":
      return one("fis:ListExperimentResolvedTargets", `${fis}:experiment/${String(input.experimentId)}`);
    case "DeleteExperimentTemplateCommand":
      return one("fis:DeleteExperimentTemplate", `${fis}:experiment-template/${String(input.id)}`);
    case "DescribeInstanceInformationCommand":
      return one("ssm:DescribeInstanceInformation", "*");
    case "ListExperimentsCommand":
      return one("fis:ListExperiments", "*");
    case "DescribeLogGroupsCommand":
      return one("logs:DescribeLogGroups", `arn:${p}:logs:${r}:${a}:log-group:*`);
    case "FilterLogEventsCommand":
      return one("logs:FilterLogEvents", `arn:${p}:logs:${r}:${a}:log-group:${String(input.logGroupName)}:*`);
    case "StartLiveTailCommand":
      return (input.logGroupIdentifiers as string[]).map((arn) => ({ action: "logs:StartLiveTail", resource: arn }));
    case "PutItemCommand":
      return one("dynamodb:PutItem", `arn:${p}:dynamodb:${r}:${a}:table/${String(input.TableName)}`);
    case "GetRoleCommand":
      return one(
        "iam:GetRole",
        `arn:${p}:iam::${a}:role/${String(input.RoleName) === "AWSServiceRoleForFIS" ? FIS_SLR : input.RoleName}`,
      );
    case "SimulatePrincipalPolicyCommand":
      return one("iam:SimulatePrincipalPolicy", String(input.PolicySourceArn));
    case "DescribeTargetHealthCommand":
      return one("elasticloadbalancing:DescribeTargetHealth", "*");
    case "GetAuthorizationTokenCommand":
      return one("ecr:GetAuthorizationToken", "*");
    default:
      if (command in REQUIRED_ACTIONS && REQUIRED_ACTIONS[command]?.[0]?.startsWith("cloudformation:"))
        return one(REQUIRED_ACTIONS[command]?.[0] as string, stack(input.StackName));
      throw new Error(`no authorization known for ${command}`);
  }
}
