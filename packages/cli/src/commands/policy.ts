// fislat policy: prints the least-privilege IAM policy for whoever runs fislat (a person or a CI
// role), for this configuration: partition and account from STS (or --partition/--account, then
// no AWS call at all), region and names from the flags or fislat.config.json.
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import type { AwsSettings } from "../aws/clients.js";
import { operatorPolicy, type PolicyContext } from "../aws/operator-policy.js";
import { type CommandContext, lineWriter } from "../context.js";
import { isRoleArn, ROLE_ARN_FORM } from "../engine/arn.js";
import { badInput, EXIT, type ExitCode } from "../errors.js";
import { DEFAULT_STACK } from "./deploy.js";

export interface PolicyFlags extends AwsSettings {
  account?: string;
  partition?: string;
  stackName?: string;
  cluster?: string;
  service?: string;
  taskDefinition?: string;
  roleArn?: string;
  repository?: string;
  logGroup?: string;
  tableName?: string;
}

const CHECKS: [keyof PolicyFlags, string, { test(value: string): boolean }][] = [
  ["region", "a region like eu-west-1", /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/],
  ["account", "12 digits", /^\d{12}$/],
  ["partition", "aws, aws-cn, aws-us-gov, ...", /^aws(-[a-z]+)*$/],
  ["stackName", "a CloudFormation stack name", /^[A-Za-z][A-Za-z0-9-]{0,127}$/],
  ["cluster", "an ECS cluster name", /^[A-Za-z0-9_-]{1,255}$/],
  ["service", "an ECS service name", /^[A-Za-z0-9_-]{1,255}$/],
  ["taskDefinition", "a task definition family[:revision]", /^[A-Za-z0-9_-]{1,255}(:\d+)?$/],
  ["roleArn", ROLE_ARN_FORM, { test: isRoleArn }],
  ["repository", "an ECR repository URI", /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/[a-z0-9._/-]+$/],
  ["logGroup", "a log group name", /^[\w./#-]{1,512}$/],
  ["tableName", "a DynamoDB table name", /^[A-Za-z0-9_.-]{3,255}$/],
];

const FLAG = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

export async function policyCommand(ctx: CommandContext, flags: PolicyFlags): Promise<ExitCode> {
  for (const [key, what, pattern] of CHECKS) {
    const value = flags[key];
    if (value !== undefined && !pattern.test(value))
      throw badInput(`${FLAG(key)} ${JSON.stringify(value.slice(0, 80))}: expected ${what}`);
  }
  const region = flags.region ?? ctx.env.AWS_REGION;
  if (!region) throw badInput("no region: pass --region, set AWS_REGION, or deploy first (fislat.config.json)");
  let { account, partition } = flags;
  if (!account || !partition) {
    const { sts } = await ctx.aws(flags);
    const who = await sts.send(new GetCallerIdentityCommand({}));
    account ??= who.Account;
    partition ??= who.Arn?.split(":")[1];
  }
  const context: PolicyContext = {
    partition: partition ?? "aws",
    region,
    account: account ?? "",
    stackName: flags.stackName ?? DEFAULT_STACK,
    ...(flags.cluster ? { cluster: flags.cluster } : {}),
    ...(flags.service ? { service: flags.service } : {}),
    ...(flags.taskDefinition ? { taskDefinition: flags.taskDefinition } : {}),
    ...(flags.roleArn ? { roleArn: flags.roleArn } : {}),
    ...(flags.repository ? { repository: flags.repository } : {}),
    ...(flags.logGroup ? { logGroup: flags.logGroup } : {}),
    ...(flags.tableName ? { tableName: flags.tableName } : {}),
  };
  lineWriter(ctx.stdout)(JSON.stringify(operatorPolicy(context), null, 2));
  return EXIT.passed;
}
