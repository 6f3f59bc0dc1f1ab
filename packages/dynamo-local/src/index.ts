// A real DynamoDB implementation (dynalite) on a free loopback port, with the probe's table
// created and seeded with the two items of the original setup. In-process: closing it frees
// the port and the data (in memory).
import { once } from "node:events";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { CreateTableCommand, DynamoDBClient, PutItemCommand } from "@aws-sdk/client-dynamodb";
import dynalite from "dynalite";

export const DEFAULT_TABLE = "MyTestTable";
export const SEED_ITEMS = [
  { id: "test1", data: "Sample data 1" },
  { id: "test2", data: "Sample data 2" },
] as const;

/** Credentials and region that a client of the local DynamoDB needs; dynalite checks neither. */
export const LOCAL_AWS_ENV = {
  AWS_REGION: "local",
  AWS_ACCESS_KEY_ID: "fislat-local",
  AWS_SECRET_ACCESS_KEY: "fislat-local",
} as const;

export interface LocalDynamo {
  readonly endpoint: string;
  readonly port: number;
  readonly tableName: string;
  close(): Promise<void>;
}

export interface LocalDynamoOptions {
  tableName?: string;
  /** Create and seed the table (default true). */
  seed?: boolean;
  port?: number;
}

export async function startLocalDynamo(options: LocalDynamoOptions = {}): Promise<LocalDynamo> {
  const tableName = options.tableName ?? DEFAULT_TABLE;
  const server: Server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  server.listen(options.port ?? 0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as AddressInfo).port;
  const endpoint = `http://127.0.0.1:${port}`;
  const close = async () => {
    server.closeAllConnections?.();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };

  if (options.seed ?? true) {
    const client = new DynamoDBClient({
      endpoint,
      region: LOCAL_AWS_ENV.AWS_REGION,
      credentials: {
        accessKeyId: LOCAL_AWS_ENV.AWS_ACCESS_KEY_ID,
        secretAccessKey: LOCAL_AWS_ENV.AWS_SECRET_ACCESS_KEY,
      },
    });
    try {
      await client.send(
        new CreateTableCommand({
          TableName: tableName,
          AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
          KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
          BillingMode: "PAY_PER_REQUEST",
        }),
      );
      for (const item of SEED_ITEMS) {
        await client.send(
          new PutItemCommand({ TableName: tableName, Item: { id: { S: item.id }, data: { S: item.data } } }),
        );
      }
    } catch (error) {
      await close();
      throw error;
    } finally {
      client.destroy();
    }
  }
  return { endpoint, port, tableName, close };
}
