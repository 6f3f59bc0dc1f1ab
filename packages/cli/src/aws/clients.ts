// The AWS clients, created on first use with the SDK's defaults: the default credential chain,
// AWS_REGION / AWS_PROFILE (which --region / --profile set), AWS_ENDPOINT_URL_<SERVICE>.
// Only commands that talk to AWS import this module, so `fislat --help` and `--local` never load
// an SDK client.
import { CloudFormationClient } from "@aws-sdk/client-cloudformation";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { ECRClient } from "@aws-sdk/client-ecr";
import { ECSClient } from "@aws-sdk/client-ecs";
import { ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { FisClient } from "@aws-sdk/client-fis";
import { IAMClient } from "@aws-sdk/client-iam";
import { STSClient } from "@aws-sdk/client-sts";

export interface AwsClients {
  readonly ecs: ECSClient;
  readonly fis: FisClient;
  readonly logs: CloudWatchLogsClient;
  readonly sts: STSClient;
  readonly cloudformation: CloudFormationClient;
  readonly ecr: ECRClient;
  readonly elb: ElasticLoadBalancingV2Client;
  readonly iam: IAMClient;
  destroy(): void;
}

export function awsClients(): AwsClients {
  const made: { destroy(): void }[] = [];
  const lazily = <T extends { destroy(): void }>(make: () => T) => {
    let client: T | undefined;
    return () => {
      if (!client) {
        client = make();
        made.push(client);
      }
      return client;
    };
  };
  const ecs = lazily(() => new ECSClient({}));
  const fis = lazily(() => new FisClient({}));
  const logs = lazily(() => new CloudWatchLogsClient({}));
  const sts = lazily(() => new STSClient({}));
  const cloudformation = lazily(() => new CloudFormationClient({}));
  const ecr = lazily(() => new ECRClient({}));
  const elb = lazily(() => new ElasticLoadBalancingV2Client({}));
  const iam = lazily(() => new IAMClient({}));
  return {
    get ecs() {
      return ecs();
    },
    get fis() {
      return fis();
    },
    get logs() {
      return logs();
    },
    get sts() {
      return sts();
    },
    get cloudformation() {
      return cloudformation();
    },
    get ecr() {
      return ecr();
    },
    get elb() {
      return elb();
    },
    get iam() {
      return iam();
    },
    destroy() {
      for (const client of made) client.destroy();
    },
  };
}

/** --profile and --region as the AWS CLI applies them: through the SDK's own variables. */
export function applyAwsFlags(flags: { profile?: string; region?: string }): void {
  if (flags.profile) process.env.AWS_PROFILE = flags.profile;
  if (flags.region) process.env.AWS_REGION = flags.region;
}
