// The AWS clients, created on first use with the SDK's defaults: the default credential chain,
// AWS_REGION / AWS_PROFILE (which --region / --profile set), AWS_ENDPOINT_URL_<SERVICE>.
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

/** Each client's errors name its service, the call and the endpoint (aws-errors.ts); a reached quota is not retried. */
const prepared = <T>(client: T): T => stopRetriesOnQuota(tagAwsErrors(client));

const FACTORIES = {
  ecs: () => prepared(new ECSClient({})),
  fis: () => prepared(new FisClient({})),
  logs: () => prepared(new CloudWatchLogsClient({})),
  sts: () => prepared(new STSClient({})),
  cloudformation: () => prepared(new CloudFormationClient({})),
  ecr: () => prepared(new ECRClient({})),
  elb: () => prepared(new ElasticLoadBalancingV2Client({})),
  iam: () => prepared(new IAMClient({})),
  dynamodb: () => prepared(new DynamoDBClient({})),
  ssm: () => prepared(new SSMClient({})),
};

export type AwsClients = { readonly [K in keyof typeof FACTORIES]: ReturnType<(typeof FACTORIES)[K]> } & {
  destroy(): void;
};

/** Each client is made on first use; destroy() closes the ones that were. */
export function awsClients(): AwsClients {
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
        if (!made.has(name)) made.set(name, make());
        return made.get(name);
      },
    });
  }
  return clients;
}

/** --profile and --region as the AWS CLI applies them: through the SDK's own variables. */
export function applyAwsFlags(flags: { profile?: string; region?: string }): void {
  if (flags.profile) {
    const problem = checkProfile(flags.profile);
    if (problem) throw badInput(problem);
    process.env.AWS_PROFILE = flags.profile;
  }
  if (flags.region) process.env.AWS_REGION = flags.region;
}
