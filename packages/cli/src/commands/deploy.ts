// fislat deploy / destroy: the whole probe environment from one command, as the CloudFormation
// template synthesized from packages/infra. deploy writes the stack's outputs to fislat.config.json
// so that run, tail, stop and doctor need no further flags.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { CloudFormationClient, StackEvent } from "@aws-sdk/client-cloudformation";
import { deployStack, describeStack, destroyStack, type StackParameters } from "../aws/stack.js";
import { CONFIG_FILE } from "../config-file.js";
import { parseDuration, parseMilliseconds } from "../durations.js";
import type { Clock } from "../engine/ports.js";
import { badInput, EXIT, type ExitCode } from "../errors.js";
import { writeFileAtomic } from "../render/atomic-write.js";
import { readEnvironmentTemplate } from "./synth.js";

export const DEFAULT_STACK = "fislat-probe";

export interface DeployFlags {
  stackName?: string;
  vpc?: string;
  subnets?: string;
  allowCidr?: string[];
  image?: string;
  tableName?: string;
  existingTable?: boolean;
  connectionTimeout?: string;
  readTimeout?: string;
  interval?: string;
  desiredCount?: string;
  loadBalancer?: boolean;
  cluster?: string;
  repository?: boolean;
  assignPublicIp?: boolean;
  region?: string;
}

const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

function checkCidr(cidr: string): string {
  const m = CIDR.exec(cidr);
  const ok = m?.slice(1, 5).every((o) => Number(o) <= 255) && Number(m[5]) <= 32;
  if (!ok) throw badInput(`--allow-cidr ${JSON.stringify(cidr)} is not an IPv4 CIDR like 203.0.113.7/32`);
  if (cidr.endsWith("/0"))
    throw badInput(
      `--allow-cidr ${cidr} would open the load balancer to everyone: name your own address, e.g. <your-ip>/32`,
    );
  return cidr;
}

/** Flags to template parameters; undefined keeps the deployed value (or the default on create). */
export function stackParameters(flags: DeployFlags, creating: boolean): StackParameters {
  const withLb = flags.loadBalancer !== false;
  const cidrs = (flags.allowCidr ?? []).map(checkCidr);
  if (cidrs.length > 3)
    throw badInput(`--allow-cidr was given ${cidrs.length} times: the load balancer takes at most 3`);
  const subnets = flags.subnets
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (creating) {
    const missing = [
      !flags.vpc && "--vpc <vpc-id>",
      !subnets?.length && "--subnets <subnet-a,subnet-b>",
      withLb && cidrs.length === 0 && "--allow-cidr <your-ip/32> (or --no-load-balancer)",
    ].filter(Boolean);
    if (missing.length > 0) throw badInput(`a new environment needs ${missing.join(", ")}`);
  }
  if (withLb && subnets && subnets.length < 2)
    throw badInput("--subnets: a load balancer needs two or more subnets in different AZs");
  const ms = (flag: string, v: string | undefined) =>
    v === undefined ? undefined : String(parseMilliseconds(flag, v));
  const count = flags.desiredCount;
  if (count !== undefined && !/^[0-5]$/.test(count))
    throw badInput(`--desired-count ${JSON.stringify(count)}: expected 0 to 5`);
  const bool = (v: boolean | undefined) => (v === undefined ? undefined : String(v));
  return {
    VpcId: flags.vpc,
    SubnetIds: subnets?.join(","),
    AllowedCidr: cidrs[0] ?? (flags.allowCidr ? "" : undefined),
    AllowedCidr2: cidrs[1] ?? (flags.allowCidr ? "" : undefined),
    AllowedCidr3: cidrs[2] ?? (flags.allowCidr ? "" : undefined),
    ImageUri: flags.image,
    TableName: flags.tableName,
    CreateTable: flags.existingTable === undefined ? undefined : String(!flags.existingTable),
    ConnectionTimeoutMs: ms("--connection-timeout", flags.connectionTimeout),
    ReadTimeoutMs: ms("--read-timeout", flags.readTimeout),
    IntervalSeconds:
      flags.interval === undefined ? undefined : String(parseDuration("--interval", flags.interval) / 1000),
    DesiredCount: count,
    WithLoadBalancer: bool(flags.loadBalancer),
    ClusterName: flags.cluster,
    CreateRepository: bool(flags.repository),
    AssignPublicIp: flags.assignPublicIp === undefined ? undefined : flags.assignPublicIp ? "ENABLED" : "DISABLED",
  };
}

export function describeEvent(e: StackEvent): string {
  const reason = e.ResourceStatusReason ? `: ${e.ResourceStatusReason}` : "";
  return `${e.Timestamp?.toISOString() ?? ""}  ${e.ResourceStatus?.padEnd(20) ?? ""} ${e.LogicalResourceId} (${e.ResourceType})${reason}`;
}

/** The outputs as fislat.config.json keys (flag names), merged into the file already there. */
export async function writeConfig(
  outputs: Record<string, string>,
  region: string | undefined,
  stackName: string,
  file: string,
) {
  const current = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>) : {};
  const values: Record<string, unknown> = { ...current };
  const set = (key: string, value: string | undefined) => {
    if (value) values[key] = value;
  };
  set("region", region);
  set("cluster", outputs.ClusterName ?? outputs.ExistingClusterName);
  set("service", outputs.ServiceName);
  set("taskDefinition", outputs.TaskDefinitionFamily);
  set("roleArn", outputs.FisRoleArn);
  set("healthUrl", outputs.LoadBalancerDns ? `http://${outputs.LoadBalancerDns}/health` : undefined);
  set("repository", outputs.RepositoryUri);
  set("stackName", stackName);
  await writeFileAtomic(file, `${JSON.stringify(values, null, 2)}\n`);
  return values;
}

export interface StackIo {
  clock: Clock;
  say(message: string): void;
  /** Asks a yes/no question on a terminal; undefined when there is none. */
  confirm?: (question: string) => Promise<boolean>;
  cwd?: string;
  signal?: AbortSignal;
}

export async function deployCommand(cfn: CloudFormationClient, flags: DeployFlags, io: StackIo): Promise<ExitCode> {
  const stackName = flags.stackName ?? DEFAULT_STACK;
  const existing = await describeStack(cfn, stackName);
  const parameters = stackParameters(flags, existing === undefined);
  let executing = false;
  const onAbort = () => {
    if (executing) {
      io.say(
        `interrupted: CloudFormation goes on with stack ${stackName} without fislat. Follow it with: aws cloudformation describe-stack-events --stack-name ${stackName}, or run fislat deploy again once it is done`,
      );
    }
  };
  io.signal?.addEventListener("abort", onAbort, { once: true });
  const work = deployStack(cfn, {
    stackName,
    templateBody: readEnvironmentTemplate(),
    parameters,
    clock: io.clock,
    progress: { event: (e) => io.say(describeEvent(e)), info: io.say },
    onExecute: () => {
      executing = true;
    },
  });
  const interrupted = new Promise<"interrupted">((resolve) => {
    if (io.signal?.aborted) resolve("interrupted");
    io.signal?.addEventListener("abort", () => resolve("interrupted"), { once: true });
  });
  const result = await Promise.race([work, interrupted]);
  if (result === "interrupted") {
    work.catch(() => undefined);
    return EXIT.interrupted;
  }
  for (const [key, value] of Object.entries(result.outputs)) io.say(`  ${key} = ${value}`);
  const file = path.resolve(io.cwd ?? process.cwd(), CONFIG_FILE);
  await writeConfig(result.outputs, flags.region ?? process.env.AWS_REGION, stackName, file);
  io.say(`stack ${stackName} ${result.action}; fislat run, tail, stop and doctor read it from ${file}`);
  if (!result.outputs.ServiceName) {
    io.say(
      `no probe image yet, so no service: push one (fislat image push${result.outputs.RepositoryUri ? ` --repository ${result.outputs.RepositoryUri}` : ""}), then fislat deploy --image <uri>`,
    );
  }
  return EXIT.passed;
}

export async function destroyCommand(
  cfn: CloudFormationClient,
  flags: { stackName?: string; yes?: boolean },
  io: StackIo,
): Promise<ExitCode> {
  const stackName = flags.stackName ?? DEFAULT_STACK;
  const stack = await describeStack(cfn, stackName);
  if (!stack) throw badInput(`no stack ${stackName} in this account and region`);
  if (!flags.yes) {
    if (!io.confirm) throw badInput(`deleting stack ${stackName} needs --yes when there is no terminal to ask`);
    if (!(await io.confirm(`Delete stack ${stackName} and everything it created? [y/N] `))) {
      io.say("nothing deleted");
      return EXIT.passed;
    }
  }
  const parameter = (key: string) => stack.Parameters?.find((p) => p.ParameterKey === key)?.ParameterValue;
  const repository = stack.Outputs?.find((o) => o.OutputKey === "RepositoryUri")?.OutputValue;
  await destroyStack(cfn, stackName, io.clock, { event: (e) => io.say(describeEvent(e)), info: io.say });
  io.say(`stack ${stackName} deleted`);
  if (repository) {
    io.say(
      `left: the ECR repository ${repository} and its images (aws ecr delete-repository --force --repository-name ${repository.split("/").at(-1)})`,
    );
  }
  if (parameter("CreateTable") === "false")
    io.say(`left: the table ${parameter("TableName")}, which this stack did not create`);
  return EXIT.passed;
}
