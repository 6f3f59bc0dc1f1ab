// Control-plane calls (ECS, FIS, CloudWatch Logs) share account-wide rate limits with everyone
// else: FilterLogEvents allows 5 per second per account. A throttled call is retried here with
// full-jitter backoff, on top of the SDK's own attempts, so a busy account slows fislat down
// instead of failing a run halfway (and never leaves a fault behind because a poll was throttled).

// Not LimitExceededException: in CloudFormation, CloudWatch Logs, IAM and DynamoDB's control plane
// it means a quota is reached (quota-errors.ts), which no retry lifts.
const THROTTLING = new Set(["ThrottlingException", "Throttling", "TooManyRequestsException", "RequestLimitExceeded"]);

export function isThrottling(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number }; message?: string };
  return (
    THROTTLING.has(e?.name ?? "") || e?.$metadata?.httpStatusCode === 429 || /rate exceeded/i.test(e?.message ?? "")
  );
}

export interface RetryOptions {
  attempts?: number;
  baseMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export async function retryThrottled<T>(call: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? 6;
  const base = options.baseMs ?? 250;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (!isThrottling(error) || attempt >= attempts) throw error;
      await sleep(Math.floor(Math.random() * Math.min(base * 2 ** attempt, 10_000)));
    }
  }
}
