// DynamoDB errors: the proxy answers a share of the app's DynamoDB requests itself, byte for byte
// as DynamoDB answers them (DynamoDB developer guide, "Error handling"): the HTTP status,
// `Content-Type: application/x-amz-json-1.0`, a body `{"__type":"com.amazonaws.dynamodb.v20120810#
// <name>","message":...}`, an `x-amzn-RequestId` and the body's `x-amz-crc32`, so the app's SDK
// classifies and retries them as in production. Requests are framed as HTTP/1.1 (http-framing.ts,
// shared with the traffic counts); other requests, and a connection that is not HTTP/1.x (TLS),
// pass untouched. A request answered here never reaches DynamoDB.
import type { BehaviourKind, Step } from "../behaviour.js";
import { RequestFramer } from "../http-framing.js";

export const DYNAMODB_ERRORS = {
  ThrottlingException: {
    status: 400,
    message:
      "Throughput exceeds the current capacity of your table or index. DynamoDB is automatically scaling your table or index so please try again shortly.",
  },
  ProvisionedThroughputExceededException: {
    status: 400,
    message:
      "The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.",
  },
  InternalServerError: { status: 500, message: "Internal server error" },
  ServiceUnavailable: { status: 503, message: "Service unavailable" },
} as const;

export type DynamoErrorName = keyof typeof DYNAMODB_ERRORS;

export interface ErrorsSpec {
  kind: "errors";
  error: DynamoErrorName;
  /** Share of the app's DynamoDB requests answered with the error, more than 0 and at most 1. */
  rate: number;
}

const REASONS: Record<number, string> = {
  400: "Bad Request",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 (IEEE), as DynamoDB's x-amz-crc32 header carries it (some SDKs check it). */
export function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/** DynamoDB's answer for `name`, with a request id of its form (52 upper-case letters and digits). */
export function dynamoErrorResponse(name: DynamoErrorName, random: () => number, now = new Date()): Buffer {
  const { status, message } = DYNAMODB_ERRORS[name];
  const body = Buffer.from(JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${name}`, message }));
  const requestId = Array.from({ length: 52 }, () => ID_CHARS[Math.floor(random() * ID_CHARS.length)]).join("");
  const head = [
    `HTTP/1.1 ${status} ${REASONS[status]}`,
    "Server: Server",
    `Date: ${now.toUTCString()}`,
    "Content-Type: application/x-amz-json-1.0",
    `Content-Length: ${body.length}`,
    "Connection: keep-alive",
    `x-amzn-RequestId: ${requestId}`,
    `x-amz-crc32: ${crc32(body)}`,
  ];
  return Buffer.concat([Buffer.from(`${head.join("\r\n")}\r\n\r\n`, "latin1"), body]);
}

const isBlankByte = (b: number | undefined) => b === 0x0d || b === 0x0a;

export const errors: BehaviourKind<ErrorsSpec> = {
  validate(spec) {
    const problems: string[] = [];
    if (!Object.hasOwn(DYNAMODB_ERRORS, spec.error))
      problems.push(`error ${JSON.stringify(spec.error)} must be one of ${Object.keys(DYNAMODB_ERRORS).join(", ")}`);
    if (!Number.isFinite(spec.rate) || spec.rate <= 0 || spec.rate > 1)
      problems.push(`rate ${spec.rate} must be more than 0 and at most 1`);
    return problems;
  },
  create(spec, context) {
    let answered = 0;
    return {
      accepts: true,
      effectName: "requests answered with an error",
      effects: () => answered,
      link() {
        const framer = new RequestFramer({ keepBytes: true });
        // The client's bytes not yet forwarded or answered: the request still arriving.
        let pending: Buffer = Buffer.alloc(0);
        let notHttp = false;
        return {
          fromClient(chunk) {
            if (notHttp || framer.opaque !== undefined) return [{ forward: chunk, delayMs: 0 }];
            pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
            // A request line starts with a method's capital letters: a TLS record (0x16) or other
            // bytes must not wait for a head that never comes.
            if (!framer.inRequest && !/^[\r\nA-Z]/.test(pending.subarray(0, 1).toString("latin1"))) notHttp = true;
            const done = notHttp ? [] : framer.push(chunk);
            if (notHttp || framer.opaque !== undefined) {
              // Not HTTP/1.x after all: everything goes on as it came.
              const all = pending;
              pending = Buffer.alloc(0);
              return [{ forward: all, delayMs: 0 }];
            }
            const steps: Step[] = [];
            for (const request of done) {
              // Blank lines the framer skipped between requests go with the next one.
              let start = 0;
              while (isBlankByte(pending[start])) start++;
              const end = start + (request.bytes?.length ?? 0);
              const raw = pending.subarray(0, end);
              pending = pending.subarray(end);
              const dynamo = request.headers["x-amz-target"]?.startsWith("DynamoDB_") ?? false;
              if (dynamo && context.random() < spec.rate) {
                answered += 1;
                steps.push({ answer: dynamoErrorResponse(spec.error, context.random) });
              } else {
                steps.push({ forward: raw, delayMs: 0 });
              }
            }
            return steps;
          },
          flush() {
            const rest = pending;
            pending = Buffer.alloc(0);
            return rest;
          },
        };
      },
    };
  },
};
