// The AWS clients, created on first use with the SDK's defaults: the default credential chain,
// AWS_REGION / AWS_PROFILE, AWS_ENDPOINT_URL_<SERVICE>. --profile and --region are carried to the
// clients' own configuration (the request's), never written into process.env.
// Only commands that talk to AWS import this module, so `fislat --help` and `--local` never load
// an SDK client.
import { CloudFormationClient } from "@aws-sdk/client-cloudformation";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ECRClient } from "@aws-sdk/client-ecr";
import { ECSClient } from "@aws-sdk/client-ecs";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { FisClient } from "@aws-sdk/client-fis";
import { IAMClient } from "@aws-sdk/client-iam";
import { SSMClient } from "@aws-sdk/client-ssm";
import { STSClient } from "@aws-sdk/client-sts";
import { badInput } from "../errors.js";
import { checkProfile, tagAwsErrors } from "./aws-errors.js";
import { stopRetriesOnQuota } from "./quota-errors.js";

/** --profile and --region as a command was given them; unset, the SDK's defaults decide. */
export interface AwsSettings {
  profile?: string;
  region?: string;
}

type ClientConfig = { profile?: string; region?: string };

// Each client's errors name its service, the call, the endpoint and the profile (aws-errors.ts);
// a reached quota is not retried (quota-errors.ts).
const prepared = <T>(client: T, profile?: string): T => stopRetriesOnQuota(tagAwsErrors(client, profile));

const FACTORIES = {
  ecs: (c: ClientConfig) => prepared(new ECSClient(c), c.profile),
  fis: (c: ClientConfig) => prepared(new FisClient(c), c.profile),
  logs: (c: ClientConfig) => prepared(new CloudWatchLogsClient(c), c.profile),
  sts: (c: ClientConfig) => prepared(new STSClient(c), c.profile),
  cloudformation: (c: ClientConfig) => prepared(new CloudFormationClient(c), c.profile),
  ecr: (c: ClientConfig) => prepared(new ECRClient(c), c.profile),
  elb: (c: ClientConfig) => prepared(new ElasticLoadBalancingV2Client(c), c.profile),
  iam: (c: ClientConfig) => prepared(new IAMClient(c), c.profile),
  dynamodb: (c: ClientConfig) => prepared(new DynamoDBClient(c), c.profile),
  ssm: (c: ClientConfig) => prepared(new SSMClient(c), c.profile),
};

export type AwsClients = { readonly [K in keyof typeof FACTORIES]: ReturnType<(typeof FACTORIES)[K]> } & {
  destroy(): void;
};

/** Each client is made on first use, with `settings`; destroy() closes the ones that were. */
export function awsClients(settings: AwsSettings = {}): AwsClients {
  const config: ClientConfig = {
    ...(settings.profile ? { profile: settings.profile } : {}),
    ...(settings.region ? { region: settings.region } : {}),
  };
  const made = new Map<string, { destroy(): void }>();
  const clients = {
    destroy() {
      for (const client of made.values()) client.destroy();
    },
  } as AwsClients;
  for (const [name, make] of Object.entries(FACTORIES)) {
    Object.defineProperty(clients, name, {
      enumerable: true,
      get() {
        if (!made.has(name)) made.set(name, make(config));
        return made.get(name);
      },
    });
  }
  return clients;
}

/**
 * --profile and --region checked before any call (a profile that does not exist is bad input),
 * as the settings the clients are made with. Nothing is written into process.env.
 */
export function awsSettingsOf(
  flags: { profile?: string; region?: string },
  env: Readonly<Record<string, string | undefined>>,
): AwsSettings {
  if (flags.profile) {
    const problem = checkProfile(flags.profile, env);
    if (problem) throw badInput(problem);
  }
  return {
    ...(flags.profile ? { profile: flags.profile } : {}),
    ...(flags.region ? { region: flags.region } : {}),
  };
}
