// A reached quota is said at once, naming the quota: the SDK's own deserializers read each
// service's error answer (CloudFormation's query-protocol XML, CloudWatch Logs' JSON 1.1) from a
// handler that answers as the service does, so the error's name is the one AWS would give.

import { Readable } from "node:stream";
import { CloudFormationClient, CreateChangeSetCommand } from "@aws-sdk/client-cloudformation";
import { CloudWatchLogsClient, StartLiveTailCommand } from "@aws-sdk/client-cloudwatch-logs";
import { describe, expect, it } from "vitest";
import { describeAwsError, tagAwsErrors } from "../src/aws/aws-errors.js";
import { isQuotaError, stopRetriesOnQuota } from "../src/aws/quota-errors.js";
import { retryThrottled } from "../src/aws/retry.js";

const credentials = { accessKeyId: "test", secretAccessKey: "test" };

/** A request handler that answers every request with `status`, `headers` and `body`, counting requests. */
function answering(status: number, headers: Record<string, string>, body: string) {
  const handler = {
    requests: 0,
    metadata: { handlerProtocol: "http/1.1" },
    async handle() {
      handler.requests += 1;
      // The shape of @smithy/protocol-http's HttpResponse, which the deserializers read.
      return { response: { statusCode: status, headers, body: Readable.from([Buffer.from(body)]) } };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
    destroy() {},
  };
  return handler;
}

describe("a reached quota", () => {
  it("CloudFormation's LimitExceededException is not retried and names the stacks quota", async () => {
    const handler = answering(
      400,
      { "content-type": "text/xml" },
      "<ErrorResponse><Error><Type>Sender</Type><Code>LimitExceededException</Code><Message>Limit for stacks exceeded</Message></Error><RequestId>r1</RequestId></ErrorResponse>",
    );
    const cfn = stopRetriesOnQuota(
      tagAwsErrors(new CloudFormationClient({ region: "us-east-1", credentials, requestHandler: handler })),
    );
    const error = await retryThrottled(
      () => cfn.send(new CreateChangeSetCommand({ StackName: "s", ChangeSetName: "c", TemplateBody: "{}" })),
      { sleep: async () => {} },
    ).catch((e: unknown) => e);
    expect((error as Error).name).toBe("LimitExceededException");
    expect(isQuotaError(error)).toBe(true);
    expect(handler.requests).toBe(1);
    expect(describeAwsError(error, process.env)).toMatch(
      /^CloudFormation CreateChangeSet: a quota is reached \(LimitExceededException: Limit for stacks exceeded\): the CloudFormation quota on stacks per account and Region/,
    );
  });

  it("CloudWatch Logs' LimitExceededException on StartLiveTail names the Live Tail sessions quota", async () => {
    const handler = answering(
      400,
      { "content-type": "application/x-amz-json-1.1", "x-amzn-errortype": "LimitExceededException" },
      JSON.stringify({ __type: "LimitExceededException", message: "You have reached the maximum number of sessions" }),
    );
    const logs = stopRetriesOnQuota(
      tagAwsErrors(
        new CloudWatchLogsClient({
          region: "us-east-1",
          credentials,
          requestHandler: handler,
          maxAttempts: 3,
          disableHostPrefix: true,
        }),
      ),
    );
    const error = await logs
      .send(new StartLiveTailCommand({ logGroupIdentifiers: ["arn:aws:logs:us-east-1:000000000000:log-group:g"] }))
      .catch((e: unknown) => e);
    expect((error as Error).name).toBe("LimitExceededException");
    // Not even the SDK's own retries: it is no throttling error to the SDK either.
    expect(handler.requests).toBe(1);
    expect(describeAwsError(error, process.env)).toMatch(
      /^CloudWatch Logs StartLiveTail: a quota is reached .*concurrent Live Tail sessions/,
    );
  });
});
