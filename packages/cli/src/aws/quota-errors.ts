// An AWS quota that is reached is not throttling: waiting does not lift it. CloudFormation and
// CloudWatch Logs answer LimitExceededException ("The quota for the resource has already been
// reached" / "You have reached the maximum number of resources that can be created", the SDK
// models' error docs), FIS ServiceQuotaExceededException; fislat says which quota at once, and
// where to raise it, instead of retrying.
import { awsCallOf } from "./aws-errors.js";

const QUOTA_ERRORS = new Set(["LimitExceededException", "ServiceQuotaExceededException"]);

/**
 * The quota each call meets, by service and operation. Sources: CloudFormation quotas
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html),
 * CloudWatch Logs quotas (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch_limits_cwl.html),
 * FIS quotas (https://docs.aws.amazon.com/fis/latest/userguide/fis-quotas.html).
 */
const QUOTAS: Record<string, string> = {
  "CloudFormation CreateChangeSet":
    'the CloudFormation quota on stacks per account and Region (Service Quotas: AWS CloudFormation, "Stack count"); delete stacks you no longer need or ask for more',
  "CloudWatch Logs StartLiveTail":
    "the CloudWatch Logs quota on concurrent Live Tail sessions per account and Region; end other sessions (consoles, aws logs start-live-tail) or run with --no-live-tail",
  "FIS StartExperiment":
    "the FIS quota on active experiments per account and Region (Service Quotas: AWS Fault Injection Service); wait for the running ones (fislat stop --all ends fislat's)",
  "FIS CreateExperimentTemplate":
    "the FIS quota on experiment templates per account and Region; delete templates you no longer need (fislat keeps none unless --keep-template)",
};

/** Whether AWS refused a call because a quota is reached (never worth a retry). */
export function isQuotaError(error: unknown): boolean {
  return QUOTA_ERRORS.has((error as { name?: string })?.name ?? "");
}

/** What to tell a person about a reached quota, or undefined when the error is not one. */
export function describeQuotaError(error: unknown): string | undefined {
  if (!isQuotaError(error)) return undefined;
  const e = error as { name: string; message?: string };
  const call = awsCallOf(error);
  const where = call ? `${call.service} ${call.operation}` : "AWS";
  const quota =
    (call && QUOTAS[`${call.service} ${call.operation}`]) ??
    `a ${call?.service ?? "service"} quota of this account and Region (see Service Quotas in the console for the service's quotas and ask for an increase)`;
  return `${where}: a quota is reached (${e.name}: ${e.message ?? "no message"}): ${quota}`;
}

interface RetryToken {
  getRetryCount(): number;
}
interface RetryStrategy {
  acquireInitialRetryToken(scope: string): Promise<RetryToken>;
  refreshRetryTokenForRetry(token: RetryToken, info: { error?: unknown }): Promise<RetryToken>;
  recordSuccess(token: RetryToken): void;
}

/**
 * The SDK's standard retry strategy counts LimitExceededException as throttling (smithy's
 * THROTTLING_ERROR_CODES) and retries it with backoff; a reached quota is then reported seconds
 * later, as if AWS were busy. This makes the client's strategy give up at once on a quota error
 * (the retry middleware then throws the error itself), and leaves every other retry as it was.
 */
export function stopRetriesOnQuota<T>(client: T): T {
  const config = (client as unknown as { config: { retryStrategy: () => Promise<RetryStrategy> } }).config;
  const original = config.retryStrategy;
  config.retryStrategy = async () => {
    const strategy = await original();
    return {
      acquireInitialRetryToken: (scope) => strategy.acquireInitialRetryToken(scope),
      recordSuccess: (token) => strategy.recordSuccess(token),
      refreshRetryTokenForRetry(token, info) {
        if (isQuotaError(info.error)) return Promise.reject(info.error);
        return strategy.refreshRetryTokenForRetry(token, info);
      },
    } satisfies RetryStrategy;
  };
  return client;
}
