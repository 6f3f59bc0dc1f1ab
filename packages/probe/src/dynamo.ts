// One DynamoDB client for the life of the probe, and one measured round trip on it.
// Timeouts map onto the Node handler as the SDK really applies them (shared/facts):
//   CONNECTION_TIMEOUT_MS -> connectionTimeout: TCP connect of a new socket only;
//   READ_TIMEOUT_MS       -> socketTimeout: socket inactivity once connected, through the body,
//                            a true read timeout. (requestTimeout would only log a warning.)
// Endpoint, region and credentials are left to the SDK's own resolution (AWS_ENDPOINT_URL_DYNAMODB,
// AWS_REGION, the default credential chain).
import { AsyncLocalStorage } from "node:async_hooks";
import http from "node:http";
import https from "node:https";
import { performance } from "node:perf_hooks";
import {
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  ScanCommand,
} from "@aws-sdk/client-dynamodb";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { type Classified, classifyError } from "./classify.js";
import type { ProbeConfig } from "./config.js";

interface ConnectionNote {
  opened: boolean;
}

// The agent learns which round trip asked for a socket through the async context, so a round
// trip knows whether it paid for a new connection even when /test runs beside the loop.
const connectionNotes = new AsyncLocalStorage<ConnectionNote>();

function noteNewConnection(): void {
  const note = connectionNotes.getStore();
  if (note) note.opened = true;
}

class TrackingHttpAgent extends http.Agent {
  override createConnection(...args: Parameters<http.Agent["createConnection"]>) {
    noteNewConnection();
    return super.createConnection(...args);
  }
}

class TrackingHttpsAgent extends https.Agent {
  override createConnection(...args: Parameters<https.Agent["createConnection"]>) {
    noteNewConnection();
    return super.createConnection(...args);
  }
}

export interface RoundTripResult {
  ok: boolean;
  rttMs: number;
  conn: "new" | "reused";
  attempts?: number;
  error?: Classified;
}

export interface DynamoProbe {
  /** Loads and resolves everything a first send needs, without touching the network. */
  warmUp(): Promise<void>;
  roundTrip(): Promise<RoundTripResult>;
  destroy(): void;
}

function commandFor(config: ProbeConfig) {
  const TableName = config.tableName;
  switch (config.operation) {
    case "GetItem":
      return () => new GetItemCommand({ TableName, Key: { [config.keyAttribute]: { S: config.key } } });
    case "Query":
      return () =>
        new QueryCommand({
          TableName,
          KeyConditionExpression: "#k = :v",
          ExpressionAttributeNames: { "#k": config.keyAttribute },
          ExpressionAttributeValues: { ":v": { S: config.key } },
          Limit: 1,
        });
    case "Scan":
      return () => new ScanCommand({ TableName, Limit: 1 });
    case "DescribeTable":
      return () => new DescribeTableCommand({ TableName });
  }
}

export function createDynamoProbe(config: ProbeConfig): DynamoProbe {
  const agentOptions = { keepAlive: true, maxSockets: 50 };
  const client = new DynamoDBClient({
    maxAttempts: config.maxAttempts,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: config.connectionTimeoutMs,
      socketTimeout: config.readTimeoutMs,
      httpAgent: new TrackingHttpAgent(agentOptions),
      httpsAgent: new TrackingHttpsAgent(agentOptions),
    }),
  });
  const makeCommand = commandFor(config);

  return {
    async warmUp() {
      // An already-aborted send runs the middleware (credentials, endpoint, serialization,
      // signing) and stops at the HTTP handler, so the first measured round trip does not carry
      // ~30 ms of lazy loading.
      try {
        // biome-ignore lint/suspicious/noExplicitAny: see roundTrip
        await client.send(makeCommand() as any, { abortSignal: AbortSignal.abort() });
      } catch {
        // Expected: AbortError (or a configuration error the first round trip will report).
      }
    },
    async roundTrip() {
      const note: ConnectionNote = { opened: false };
      const started = performance.now();
      try {
        // biome-ignore lint/suspicious/noExplicitAny: the union of four commands is not assignable to send's overloads
        const output = await connectionNotes.run(note, () => client.send(makeCommand() as any));
        const rttMs = performance.now() - started;
        return { ok: true, rttMs, conn: note.opened ? "new" : "reused", attempts: output.$metadata.attempts };
      } catch (error) {
        const rttMs = performance.now() - started;
        const attempts = (error as { $metadata?: { attempts?: number } })?.$metadata?.attempts;
        return { ok: false, rttMs, conn: note.opened ? "new" : "reused", attempts, error: classifyError(error) };
      }
    },
    destroy() {
      client.destroy();
    },
  };
}
