// One DynamoDB client for the life of the probe, and one measured round trip on it.
// Timeouts map onto the Node handler as the SDK really applies them (shared/facts):
//   CONNECTION_TIMEOUT_MS -> connectionTimeout: TCP connect of a new socket only;
//   READ_TIMEOUT_MS       -> socketTimeout: socket inactivity once connected, through the body,
//                            a true read timeout. (requestTimeout would only log a warning.)
// Above both, a hard wall-clock deadline per round trip (contract.ts: connect + read timeout per
// attempt), since an inactivity timer never fires on a server that trickles bytes; and a cap on
// the response body read (ROUND_TRIP_MAX_RESPONSE_BYTES).
// Endpoint, region and credentials are left to the SDK's own resolution (AWS_ENDPOINT_URL_DYNAMODB,
// AWS_REGION, the default credential chain).
import { AsyncLocalStorage } from "node:async_hooks";
import http from "node:http";
import https from "node:https";
import { performance } from "node:perf_hooks";
import { pipeline, type Readable, Transform } from "node:stream";
import {
  DescribeTableCommand,
  DynamoDBClient,
  type DynamoDBClientConfig,
  GetItemCommand,
  QueryCommand,
  ScanCommand,
} from "@aws-sdk/client-dynamodb";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { type Classified, classifyError } from "./classify.js";
import type { ProbeConfig } from "./config.js";
import { ROUND_TRIP_MAX_RESPONSE_BYTES, roundTripDeadlineMs } from "./contract.js";
import type { RoundTripper } from "./round-trip.js";

interface ConnectionNote {
  opened: boolean;
  /** Set when the response body passed the size limit and was cut off. */
  tooLarge?: number;
  /** The HTTP request of the current attempt, so the deadline can destroy it. */
  request?: http.ClientRequest;
  /** Set once the deadline has passed: an attempt still to come is destroyed at once. */
  expired?: Error;
}

// The agent learns which round trip asked for a socket through the async context, so a round
// trip knows whether it paid for a new connection even when /test runs beside the loop, and
// which request to destroy at its deadline.
const connectionNotes = new AsyncLocalStorage<ConnectionNote>();

function noteNewConnection(): void {
  const note = connectionNotes.getStore();
  if (note) note.opened = true;
}

function noteRequest(req: http.ClientRequest): void {
  const note = connectionNotes.getStore();
  if (!note) return;
  note.request = req;
  if (note.expired) req.destroy(note.expired);
}

// addRequest is how an Agent receives every request, on a new or a kept-alive socket; absent from
// @types/node but the hook agent libraries (agent-base and the proxy agents) override too. It
// costs nothing per round trip, where the SDK's abortSignal cost ~0.1 ms (an abort listener per
// request: 5-10% of a loopback round trip, measured against dynalite).
type AddRequest = (req: http.ClientRequest, options: unknown) => void;
const agentAddRequest = (http.Agent.prototype as unknown as { addRequest: AddRequest }).addRequest;

class TrackingHttpAgent extends http.Agent {
  override createConnection(...args: Parameters<http.Agent["createConnection"]>) {
    noteNewConnection();
    return super.createConnection(...args);
  }

  addRequest(req: http.ClientRequest, options: unknown): void {
    agentAddRequest.call(this, req, options);
    noteRequest(req);
  }
}

class TrackingHttpsAgent extends https.Agent {
  override createConnection(...args: Parameters<https.Agent["createConnection"]>) {
    noteNewConnection();
    return super.createConnection(...args);
  }

  addRequest(req: http.ClientRequest, options: unknown): void {
    agentAddRequest.call(this, req, options);
    noteRequest(req);
  }
}

type HandleArgs = Parameters<NodeHttpHandler["handle"]>;

/** Reads at most `maxBytes` of a response body; a larger one is cut off (its socket destroyed)
 * and fails the round trip, so a misbehaving endpoint cannot make the probe buffer it whole. */
class BoundedHttpHandler extends NodeHttpHandler {
  constructor(
    options: ConstructorParameters<typeof NodeHttpHandler>[0],
    private readonly maxBytes: number,
  ) {
    super(options);
  }

  override async handle(request: HandleArgs[0], options?: HandleArgs[1]) {
    // Taken now: body chunks arrive in the socket's async context, which for a kept-alive
    // socket is the round trip that opened it.
    const note = connectionNotes.getStore();
    const result = await super.handle(request, options);
    const { response } = result;
    const body = response.body as Readable;
    const tooLarge = (bytes: number) => {
      if (note) note.tooLarge = bytes;
      return new Error(
        `ResponseTooLarge: the response body is larger than ${this.maxBytes} bytes (read ${bytes}); not DynamoDB?`,
      );
    };
    const length = response.headers["content-length"];
    if (length !== undefined && /^[0-9]+$/.test(length)) {
      if (Number(length) > this.maxBytes) {
        body.destroy();
        throw tooLarge(Number(length));
      }
      // Node's parser reads exactly a declared length, so the body is bounded already; skipping
      // the counting stream keeps ~0.1 ms off every ordinary round trip (DynamoDB declares it).
      return result;
    }
    let read = 0;
    const maxBytes = this.maxBytes;
    const limited = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        read += chunk.length;
        done(read > maxBytes ? tooLarge(read) : null, chunk);
      },
    });
    // pipeline destroys the source (and so its socket) when the limit is hit.
    pipeline(body, limited, () => {});
    response.body = limited;
    return result;
  }
}

export type { RoundTripResult } from "./round-trip.js";

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

class DeadlineError extends Error {
  override readonly name = "DeadlineExceeded";
  constructor(deadlineMs: number) {
    super(
      `DeadlineExceeded: the round trip did not end within its hard deadline of ${deadlineMs} ms (MAX_ATTEMPTS x (CONNECTION_TIMEOUT_MS + READ_TIMEOUT_MS))`,
    );
  }
}

/**
 * The probe's DynamoDB client options. accountIdEndpointMode "disabled": SDKs since 3.656 may send
 * DynamoDB calls to an account-based endpoint (<account>.ddb.<region>.amazonaws.com) when the
 * credentials carry an account id ("preferred" is the default; JS SDK v3 developer guide,
 * "DynamoDB account-based endpoints"), while FIS's sources=DYNAMODB impairs "the Regional endpoint
 * in the current Region" (FIS actions reference, aws:ecs:task-network-latency). The probe calls the
 * Regional endpoint, so the fault lands on what it measures. A custom endpoint (dynalite, a proxy)
 * is used as given either way.
 */
export function dynamoClientOptions(config: ProbeConfig): DynamoDBClientConfig {
  const agentOptions = { keepAlive: true, maxSockets: 50 };
  return {
    maxAttempts: config.maxAttempts,
    accountIdEndpointMode: "disabled",
    requestHandler: new BoundedHttpHandler(
      {
        connectionTimeout: config.connectionTimeoutMs,
        socketTimeout: config.readTimeoutMs,
        httpAgent: new TrackingHttpAgent(agentOptions),
        httpsAgent: new TrackingHttpsAgent(agentOptions),
      },
      ROUND_TRIP_MAX_RESPONSE_BYTES,
    ),
  };
}

export function createDynamoProbe(config: ProbeConfig): RoundTripper {
  const client = new DynamoDBClient(dynamoClientOptions(config));
  const makeCommand = commandFor(config);
  const deadlineMs = roundTripDeadlineMs(config);

  /** Settles by the deadline whatever the SDK does: destroys the attempt in flight (and any
   * attempt a retry starts later), and stops waiting for the SDK. */
  const sendWithDeadline = (note: ConnectionNote) =>
    new Promise<{ $metadata: { attempts?: number } }>((resolve, reject) => {
      const timer = setTimeout(() => {
        const error = new DeadlineError(deadlineMs);
        note.expired = error;
        note.request?.destroy(error);
        reject(error); // the send's own rejection that follows is then ignored
      }, deadlineMs);
      connectionNotes
        // biome-ignore lint/suspicious/noExplicitAny: the union of four commands is not assignable to send's overloads
        .run(note, () => client.send(makeCommand() as any))
        .then(
          (output) => {
            clearTimeout(timer);
            resolve(output);
          },
          (error: unknown) => {
            clearTimeout(timer);
            reject(error);
          },
        );
    });

  return {
    describe: { op: config.operation, table: config.tableName },
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
        const output = await sendWithDeadline(note);
        const rttMs = performance.now() - started;
        return { ok: true, rttMs, conn: note.opened ? "new" : "reused", attempts: output.$metadata.attempts };
      } catch (error) {
        const rttMs = performance.now() - started;
        const attempts = (error as { $metadata?: { attempts?: number } })?.$metadata?.attempts;
        const classified: Classified =
          error instanceof DeadlineError
            ? { kind: "timeout", message: error.message }
            : note.tooLarge !== undefined
              ? {
                  kind: "other",
                  message: `ResponseTooLarge: the response body is larger than ${ROUND_TRIP_MAX_RESPONSE_BYTES} bytes; the probe stopped reading it`,
                }
              : classifyError(error);
        return { ok: false, rttMs, conn: note.opened ? "new" : "reused", attempts, error: classified };
      }
    },
    destroy() {
      client.destroy();
    },
  };
}
