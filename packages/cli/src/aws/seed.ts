// Seeds the probe's table with the original setup's two items, once the stack that created the
// table is up. Through the SDK rather than a Lambda custom resource in the template: no function
// runtime to keep current, and no custom resource that holds the stack for an hour when its answer
// to CloudFormation is lost. Conditional puts never overwrite an item that is already there.
import { ConditionalCheckFailedException, type DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { retryThrottled } from "./retry.js";

/** The original setup's items, as @fislat/dynamo-local seeds them locally (a test keeps both equal). */
export const SEED_ITEMS = [
  { id: "test1", data: "Sample data 1" },
  { id: "test2", data: "Sample data 2" },
] as const;

/** Puts each missing seed item; resolves with how many it added. */
export async function seedTable(dynamodb: DynamoDBClient, tableName: string): Promise<number> {
  let added = 0;
  for (const item of SEED_ITEMS) {
    try {
      await retryThrottled(() =>
        dynamodb.send(
          new PutItemCommand({
            TableName: tableName,
            Item: { id: { S: item.id }, data: { S: item.data } },
            ConditionExpression: "attribute_not_exists(id)",
          }),
        ),
      );
      added++;
    } catch (error) {
      if (
        !(
          error instanceof ConditionalCheckFailedException ||
          (error as Error).name === "ConditionalCheckFailedException"
        )
      )
        throw error;
    }
  }
  return added;
}
