// The probe calls DynamoDB's Regional endpoint, which FIS's sources=DYNAMODB impairs, and not an
// account-based one (<account>.ddb.<region>.amazonaws.com), which current SDKs prefer when the
// credentials carry an account id, as ECS task role credentials can. The SDK's own endpoint rules
// resolve the host; the request is stopped before it leaves (nothing reaches the network).
import { DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import { dynamoClientOptions } from "../src/dynamo.js";

/** The host a GetItem would go to with these options and credentials that carry an account id. */
async function hostFor(options: ConstructorParameters<typeof DynamoDBClient>[0]): Promise<string> {
  const client = new DynamoDBClient({
    ...options,
    region: "us-east-1",
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret", accountId: "111122223333" },
  });
  client.middlewareStack.add(
    (_next, _context) => async (args) => {
      const request = (args as { request: { hostname: string } }).request;
      throw Object.assign(new Error("stopped before sending"), { host: request.hostname });
    },
    { step: "finalizeRequest", name: "stopBeforeSending", priority: "low" },
  );
  const error = (await client
    .send(new GetItemCommand({ TableName: "MyTestTable", Key: { id: { S: "test1" } } }))
    .catch((e: unknown) => e)) as { host?: string; message?: string };
  client.destroy();
  if (!error.host) throw new Error(`no host: ${error.message}`);
  return error.host;
}

describe("the probe's DynamoDB endpoint", () => {
  it("is the Regional one even when the credentials carry an account id", async () => {
    const probe = dynamoClientOptions(loadConfig({}));
    expect(await hostFor(probe)).toBe("dynamodb.us-east-1.amazonaws.com");
  });

  it("would be the account-based one with the SDK's default (what a user's own service gets)", async () => {
    const { accountIdEndpointMode: _probe, ...sdkDefault } = dynamoClientOptions(loadConfig({}));
    expect(await hostFor(sdkDefault)).toBe("111122223333.ddb.us-east-1.amazonaws.com");
  });
});
