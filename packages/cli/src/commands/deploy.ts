// fislat deploy / destroy: the whole probe environment from one command, as the CloudFormation
// template synthesized from packages/infra. deploy writes the stack's outputs to fislat.config.json
// so that run, tail, stop and doctor need no further flags.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { StackEvent } from "@aws-sdk/client-cloudformation";
import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { PROBE_ENV, PROBE_PATHS } from "@fislat/probe/contract";
import type { AwsSettings } from "../aws/clients.js";
import { seedTable } from "../aws/seed.js";
import {
  DEFAULT_WAIT_MS,
  deployStack,
  describeStack,
  destroyStack,
  REVIEW_IN_PROGRESS,
  type StackParameters,
} from "../aws/stack.js";
import { stoppedTaskReasons } from "../aws/stopped-tasks.js";
import { CONFIG_FILE } from "../config-file.js";
import { type CommandContext, lineWriter } from "../context.js";
import { parseDuration, parseMilliseconds } from "../durations.js";
import type { Clock } from "../engine/ports.js";
import { badInput, EXIT, type ExitCode } from "../errors.js";
import { writeFileAtomic } from "../render/atomic-write.js";
import { readEnvironmentTemplate } from "./synth.js";

export const DEFAULT_STACK = "fislat-probe";

/** The probe's shallow and deep health paths (@fislat/probe/contract). */
export const HEALTH_PATHS = { shallow: PROBE_PATHS.live, deep: PROBE_PATHS.health } as const;

/** The broadest --allow-cidr: a /8, as the template's AllowedPattern (packages/infra MIN_CIDR_PREFIX). */
export const MIN_CIDR_PREFIX = 8;

export interface DeployFlags extends AwsSettings {
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
  /** --existing-cluster: not --cluster, which fislat.config.json holds for the cluster deploy made. */
  existingCluster?: string;
  /** --create-repository: not --repository, which fislat.config.json holds for the repository's URI. */
  createRepository?: boolean;
  assignPublicIp?: boolean;
  deepHealthCheck?: boolean;
  /** The SSM agent sidecar's image (the template's SsmAgentImage; ECR Public's by default). */
  sidecarImage?: string;
  /** How long to follow the stack before giving up waiting (a duration; default 30m). */
  wait?: string;
  region?: string;
}

/**
 * Partitions whose regions cannot pull the default sidecar from ECR Public (public.ecr.aws is a
 * service of the aws partition; ECR user guide, "Amazon ECR Public") nor count on its dnf
 * repositories: aws-cn (cn-*) and the ISO partitions (*-iso-*, *-isob-*, ...).
 */
const NO_ECR_PUBLIC = /^cn-|^[a-z]{2}-iso[a-z]?-/;

/** A region the default sidecar image cannot serve is refused up front, unless --sidecar-image names one. */
export function checkPartition(region: string | undefined, flags: DeployFlags): void {
  if (!region || !NO_ECR_PUBLIC.test(region) || flags.sidecarImage) return;
  throw badInput(
    `region ${region} is in a partition without ECR Public, where the default SSM agent sidecar image (public.ecr.aws/amazon-ssm-agent/amazon-ssm-agent) cannot be pulled: copy that image to a repository the tasks can reach, with the FIS action's tools (at, bind-utils, jq, lsof, procps, awscli) installed, and pass it with --sidecar-image <uri>`,
  );
}

/** A value for an error line: quoted, and cut short so a huge value is not echoed whole. */
export function shown(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
}

const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/**
 * An IPv4 CIDR as EC2 takes it: four decimal octets without leading zeros, a prefix from /8 to /32
 * (MIN_CIDR_PREFIX, the template's AllowedPattern says the same), and no host bits set.
 */
export function checkCidr(cidr: string): string {
  const m = IPV4_CIDR.exec(cidr);
  const parts = m?.slice(1, 6) ?? [];
  const decimal = parts.every((p) => p === "0" || !p.startsWith("0"));
  const octets = parts.slice(0, 4).map(Number);
  const prefix = Number(parts[4]);
  if (!m || !decimal || octets.some((o) => o > 255) || prefix > 32)
    throw badInput(
      `--allow-cidr ${shown(cidr)} is not an IPv4 CIDR: four numbers 0 to 255 without leading zeros and a prefix /${MIN_CIDR_PREFIX} to /32, like 203.0.113.7/32`,
    );
  if (prefix < MIN_CIDR_PREFIX)
    throw badInput(
      `--allow-cidr ${cidr} is broader than /${MIN_CIDR_PREFIX}: it would open the load balancer (and /test, which calls DynamoDB) to networks that are not yours; name your own address (<your-ip>/32) or your office or VPN range`,
    );
  const address = octets.reduce((a, o) => a * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  const network = address - (address % size);
  if (network !== address) {
    const canonical = [24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256).join(".");
    throw badInput(`--allow-cidr ${cidr} has host bits set: the network is ${canonical}/${prefix}`);
  }
  return cidr;
}

const PATTERNS: [keyof DeployFlags, string, RegExp, string][] = [
  ["stackName", "--stack-name", /^[A-Za-z][A-Za-z0-9-]{0,127}$/, "a letter, then up to 127 letters, digits or '-'"],
  ["vpc", "--vpc", /^vpc-[0-9a-f]{8,17}$/, "a VPC id: vpc- and 8 to 17 hex digits"],
  [
    "sidecarImage",
    "--sidecar-image",
    /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-]{1,2}[a-z0-9]+)*)+(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$/,
    "an image reference like <registry>/<repository>:<tag>",
  ],
  ["tableName", "--table-name", /^[A-Za-z0-9_.-]{3,255}$/, "3 to 255 characters of a-z, A-Z, 0-9, '_', '-' or '.'"],
  [
    "existingCluster",
    "--existing-cluster",
    /^[A-Za-z0-9_-]{1,255}$/,
    "an ECS cluster name (letters, digits, '-' and '_')",
  ],
  [
    "image",
    "--image",
    /^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(\/[a-z0-9]+([._-]{1,2}[a-z0-9]+)*)+(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$/,
    "an image reference like <account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag> (fislat image push prints it)",
  ],
];

/**
 * Everything about the flags that needs no AWS, checked before the first call: the values
 * CloudFormation would refuse (or, for --allow-cidr, that we refuse), with the flag named.
 */
export function checkDeployFlags(flags: DeployFlags): void {
  for (const [key, flag, pattern, what] of PATTERNS) {
    const value = flags[key];
    if (typeof value === "string" && !pattern.test(value)) throw badInput(`${flag} ${shown(value)}: expected ${what}`);
  }
  for (const subnet of splitList(flags.subnets)) {
    if (!/^subnet-[0-9a-f]{8,17}$/.test(subnet))
      throw badInput(`--subnets: ${shown(subnet)} is not a subnet id: subnet- and 8 to 17 hex digits`);
  }
  stackParameters(flags, false);
  if (flags.wait !== undefined) waitMsOf(flags);
}

/** --wait: how long deploy and destroy follow the stack (1 minute to 3 hours, CloudFormation's own bound for a service). */
export function waitMsOf(flags: { wait?: string }): number {
  if (flags.wait === undefined) return DEFAULT_WAIT_MS;
  const ms = parseDuration("--wait", flags.wait);
  if (ms < 60_000 || ms > 3 * 3_600_000)
    throw badInput(`--wait ${shown(flags.wait)}: expected a duration from 1m to 3h (default 30m)`);
  return ms;
}

const splitList = (list: string | undefined) =>
  (list ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

/** Flags to template parameters; undefined keeps the deployed value (or the default on create). */
export function stackParameters(flags: DeployFlags, creating: boolean): StackParameters {
  const withLb = flags.loadBalancer !== false;
  const cidrs = (flags.allowCidr ?? []).map(checkCidr);
  if (cidrs.length > 3)
    throw badInput(`--allow-cidr was given ${cidrs.length} times: the load balancer takes at most 3`);
  const subnets = flags.subnets === undefined ? undefined : splitList(flags.subnets);
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
  // The probe's own limits (@fislat/probe/contract): what the task would refuse at start.
  const within = (flag: string, value: number, limits: { name: string; min: number; max: number }, unit: string) => {
    if (!Number.isInteger(unit === "ms" ? value : value * 100) || value < limits.min || value > limits.max)
      throw badInput(
        `${flag}: ${value} ${unit} is outside the probe's ${limits.name} limits, ${limits.min} to ${limits.max} ${unit}${unit === "ms" ? " (whole milliseconds)" : ""}`,
      );
    return String(value);
  };
  const ms = (flag: string, v: string | undefined, limits: { name: string; min: number; max: number }) =>
    v === undefined ? undefined : within(flag, parseMilliseconds(flag, v), limits, "ms");
  const count = flags.desiredCount;
  if (count !== undefined && !/^[0-5]$/.test(count)) throw badInput(`--desired-count ${shown(count)}: expected 0 to 5`);
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
    ConnectionTimeoutMs: ms("--connection-timeout", flags.connectionTimeout, PROBE_ENV.CONNECTION_TIMEOUT_MS),
    ReadTimeoutMs: ms("--read-timeout", flags.readTimeout, PROBE_ENV.READ_TIMEOUT_MS),
    IntervalSeconds:
      flags.interval === undefined
        ? undefined
        : within(
            "--interval",
            parseDuration("--interval", flags.interval) / 1000,
            PROBE_ENV.TEST_INTERVAL_SECONDS,
            "s",
          ),
    DesiredCount: count,
    WithLoadBalancer: bool(flags.loadBalancer),
    ClusterName: flags.existingCluster,
    CreateRepository: bool(flags.createRepository),
    AssignPublicIp: flags.assignPublicIp === undefined ? undefined : flags.assignPublicIp ? "ENABLED" : "DISABLED",
    SsmAgentImage: flags.sidecarImage,
    HealthCheckPath:
      flags.deepHealthCheck === undefined
        ? undefined
        : flags.deepHealthCheck
          ? HEALTH_PATHS.deep
          : HEALTH_PATHS.shallow,
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

interface StackIo {
  clock: Clock;
  say(message: string): void;
  /** Asks a yes/no question on a terminal; undefined when there is none. */
  confirm?: (question: string) => Promise<boolean>;
  cwd: string;
  signal?: AbortSignal;
}

/** deploy and destroy say each step on stdout, as the stack goes. */
function stackIo(ctx: CommandContext): StackIo {
  return {
    clock: ctx.clock,
    say: lineWriter(ctx.stdout),
    cwd: ctx.cwd,
    ...(ctx.confirm ? { confirm: ctx.confirm } : {}),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  };
}

export async function deployCommand(ctx: CommandContext, flags: DeployFlags): Promise<ExitCode> {
  const io = stackIo(ctx);
  // Everything that needs no AWS first: bad input exits 2 before any call.
  checkDeployFlags(flags);
  // Each client is made on first use: DynamoDB only to seed the table, ECS only to say why the
  // service's tasks stop while CloudFormation waits on them.
  const clients = await ctx.aws(flags);
  const cfn = clients.cloudformation;
  checkPartition(flags.region ?? (await cfn.config.region().catch(() => undefined)), flags);
  const stackName = flags.stackName ?? DEFAULT_STACK;
  const existing = await describeStack(cfn, stackName);
  const parameters = stackParameters(flags, existing === undefined || existing.StackStatus === REVIEW_IN_PROGRESS);
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
    waitMs: waitMsOf(flags),
    diagnose: () => stoppedTaskReasons(cfn, () => clients.ecs, stackName),
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
  if (result.parameters.CreateTable === "true" && result.outputs.TableName) {
    await seed(clients.dynamodb, result.outputs.TableName, io.say);
  }
  const file = path.resolve(io.cwd, CONFIG_FILE);
  await writeConfig(result.outputs, flags.region ?? ctx.env.AWS_REGION, stackName, file);
  io.say(`stack ${stackName} ${result.action}; fislat run, tail, stop and doctor read it from ${file}`);
  if (result.parameters.AssignPublicIp === "DISABLED" && result.outputs.LoadBalancerDns) {
    io.say(
      `the load balancer is internal (the tasks have no public IPs): ${result.outputs.LoadBalancerDns} answers only inside the VPC, so run fislat test and --health-url from there, or leave them out`,
    );
  }
  if (!result.outputs.ServiceName) {
    io.say(
      `no probe image yet, so no service: push one (fislat image push${result.outputs.RepositoryUri ? ` --repository ${result.outputs.RepositoryUri}` : ""}), then fislat deploy --image <uri>`,
    );
  }
  return EXIT.passed;
}

/** Seeds the stack's own table; a failure is a warning, since the probe reads an empty table as well. */
async function seed(dynamodb: DynamoDBClient, table: string, say: (s: string) => void): Promise<void> {
  try {
    const added = await seedTable(dynamodb, table);
    say(
      added > 0
        ? `table ${table}: seeded ${added} of the original setup's items (test1, test2)`
        : `table ${table}: already holds the seed items`,
    );
  } catch (error) {
    say(
      `warning: could not seed table ${table} (${(error as Error).name}: ${(error as Error).message}); the probe still works (a GetItem of a missing key is a full round trip), and the next fislat deploy tries again`,
    );
  }
}

export async function destroyCommand(
  ctx: CommandContext,
  flags: AwsSettings & { stackName?: string; yes?: boolean; wait?: string },
): Promise<ExitCode> {
  const io = stackIo(ctx);
  const stackName = flags.stackName ?? DEFAULT_STACK;
  waitMsOf(flags);
  const cfn = (await ctx.aws(flags)).cloudformation;
  const stack = await describeStack(cfn, stackName);
  if (!stack) throw badInput(`no stack ${stackName} in this account and region`);
  const parameter = (key: string) => stack.Parameters?.find((p) => p.ParameterKey === key)?.ParameterValue;
  // The table the stack created goes with it (and its data: no DeletionPolicy keeps it, since a
  // table kept behind would make the next deploy of the same name fail): said before anything goes.
  const ownTable = parameter("CreateTable") !== "false" ? (parameter("TableName") ?? "MyTestTable") : undefined;
  const including = ownTable ? `, including the DynamoDB table ${ownTable} and its data` : "";
  if (!flags.yes) {
    if (!io.confirm) throw badInput(`deleting stack ${stackName} needs --yes when there is no terminal to ask`);
    if (!(await io.confirm(`Delete stack ${stackName} and everything it created${including}? [y/N] `))) {
      io.say("nothing deleted");
      return EXIT.passed;
    }
  }
  if (flags.yes && ownTable) io.say(`deleting stack ${stackName} and everything it created${including}`);
  const repository = stack.Outputs?.find((o) => o.OutputKey === "RepositoryUri")?.OutputValue;
  await destroyStack(
    cfn,
    stackName,
    io.clock,
    { event: (e) => io.say(describeEvent(e)), info: io.say },
    5000,
    waitMsOf(flags),
  );
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
