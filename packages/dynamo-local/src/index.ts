// A real DynamoDB implementation (dynalite) on a free loopback port, with the probe's table
// created and seeded with the two items of the original setup. In-process: closing it frees
// the port and the data (in memory). The table is made over DynamoDB's plain JSON protocol, not
// the AWS SDK: `fislat run --local` then loads no SDK (and prints none of its warnings).
import { once } from "node:events";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
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

/**
 * A table to create: a DynamoDB CreateTable input (checked by the caller), plus the items to put
 * in it, in DynamoDB JSON ({ "id": { "S": "42" } }).
 */
export type TableDefinition = Record<string, unknown> & { TableName: string; Items?: Record<string, unknown>[] };

export interface LocalDynamoOptions {
  /**
   * Tables to create and load instead of the probe's table (`tableName` is then the first one's).
   * Without a billing mode or throughput, a table is PAY_PER_REQUEST.
   */
  tables?: TableDefinition[];
  tableName?: string;
  /** Create and seed the table (default true). */
  seed?: boolean;
  port?: number;
}

export async function startLocalDynamo(options: LocalDynamoOptions = {}): Promise<LocalDynamo> {
  const tableName = options.tables?.[0]?.TableName ?? options.tableName ?? DEFAULT_TABLE;
  const server: Server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  server.listen(options.port ?? 0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as AddressInfo).port;
  const endpoint = `http://127.0.0.1:${port}`;
  const untilIdle = trackRequests(server);
  const close = async () => {
    // dynalite closes its database as the server closes; a request it is still serving (its
    // client may be gone already) would then throw "Database is closed" outside any handler.
    await untilIdle(CLOSE_DRAIN_MS);
    server.closeAllConnections?.();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };

  if (options.tables) {
    try {
      for (const table of options.tables) await createTable(endpoint, table);
    } catch (error) {
      await close();
      throw error;
    }
  } else if (options.seed ?? true) {
    try {
      await call(endpoint, "CreateTable", {
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
      });
      for (const item of SEED_ITEMS) {
        await call(endpoint, "PutItem", { TableName: tableName, Item: { id: { S: item.id }, data: { S: item.data } } });
      }
    } catch (error) {
      await close();
      throw error;
    }
  }
  return { endpoint, port, tableName, close };
}

/** Items go in 25 at a time, the most one BatchWriteItem takes. */
const BATCH = 25;

async function createTable(endpoint: string, table: TableDefinition): Promise<void> {
  const { Items: items = [], ...input } = table;
  const billing =
    input.BillingMode === undefined && input.ProvisionedThroughput === undefined
      ? { BillingMode: "PAY_PER_REQUEST" }
      : {};
  await call(endpoint, "CreateTable", { ...input, ...billing });
  for (let i = 0; i < items.length; i += BATCH) {
    let unprocessed: unknown = {
      [table.TableName]: items.slice(i, i + BATCH).map((Item) => ({ PutRequest: { Item } })),
    };
    // dynalite takes every write at once; the loop is for DynamoDB's documented contract.
    for (let attempt = 0; attempt < 10 && unprocessed && Object.keys(unprocessed).length > 0; attempt++) {
      const answer = (await call(endpoint, "BatchWriteItem", { RequestItems: unprocessed })) as {
        UnprocessedItems?: unknown;
      };
      unprocessed = answer.UnprocessedItems;
    }
  }
}

/** How long close() lets dynalite finish the requests it is serving. */
const CLOSE_DRAIN_MS = 5_000;

/**
 * Stands between the server and dynalite: counts the requests dynalite is serving, from arrival
 * until it calls `res.end` (which it does after its database work, whether or not the client is
 * still there). The returned function turns new requests away (503) and resolves once none is
 * being served, or after `maxMs`.
 */
function trackRequests(server: Server): (maxMs: number) => Promise<void> {
  const dynaliteHandlers = server.listeners("request") as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners("request");
  let closing = false;
  let serving = 0;
  const waiters = new Set<() => void>();
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    if (closing) {
      res.writeHead(503, { connection: "close" }).end();
      return;
    }
    serving += 1;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    let ended = false;
    res.end = ((...args: unknown[]) => {
      if (!ended) {
        ended = true;
        serving -= 1;
        if (serving === 0) for (const wake of waiters) wake();
      }
      return end(...args);
    }) as ServerResponse["end"];
    for (const handler of dynaliteHandlers) handler.call(server, req, res);
  });
  return (maxMs) =>
    new Promise<void>((resolve) => {
      closing = true;
      if (serving === 0) return resolve();
      const timer = setTimeout(wake, maxMs);
      function wake() {
        clearTimeout(timer);
        waiters.delete(wake);
        resolve();
      }
      waiters.add(wake);
    });
}

/** One DynamoDB API call (JSON 1.0 protocol). dynalite wants an Authorization header, not a valid one. */
async function call(endpoint: string, operation: string, body: unknown): Promise<unknown> {
  const response = await fetch(endpoint, {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.0",
      "x-amz-target": `DynamoDB_20120810.${operation}`,
      authorization: `AWS4-HMAC-SHA256 Credential=${LOCAL_AWS_ENV.AWS_ACCESS_KEY_ID}/20200101/${LOCAL_AWS_ENV.AWS_REGION}/dynamodb/aws4_request, SignedHeaders=host, Signature=0`,
      "x-amz-date": "20200101T000000Z",
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`dynalite ${operation} failed (HTTP ${response.status}): ${text}`);
  return text ? JSON.parse(text) : {};
}
