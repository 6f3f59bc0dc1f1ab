// Maps whatever the SDK threw to one of the record's error kinds. Service errors carry only
// `name` (no `code`); socket errors carry `code`; the Node handler renames resets to TimeoutError,
// so `code` is checked before `name` (see shared/facts/sdk-timeouts-and-metadata.md, section 4).
import type { ErrorKind } from "./record.js";

const THROTTLING = new Set([
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "RequestLimitExceeded",
  "TooManyRequestsException",
]);
const ACCESS = new Set([
  "AccessDeniedException",
  "UnrecognizedClientException",
  "InvalidSignatureException",
  "MissingAuthenticationTokenException",
  "ExpiredTokenException",
  "IncompleteSignatureException",
  "CredentialsProviderError",
]);
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ECONNABORTED",
]);

export interface Classified {
  kind: ErrorKind;
  message: string;
  httpStatus?: number;
}

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number };
  cause?: unknown;
}

export function classifyError(error: unknown): Classified {
  const e = (typeof error === "object" && error !== null ? error : {}) as SdkErrorShape;
  const name = typeof e.name === "string" ? e.name : "Error";
  const code = typeof e.code === "string" ? e.code : undefined;
  const rawMessage = typeof e.message === "string" && e.message !== "" ? e.message : String(error);
  const message = `${name}${code ? ` ${code}` : ""}: ${rawMessage}`.slice(0, 500);
  const httpStatus = e.$metadata?.httpStatusCode;
  const kind = ((): ErrorKind => {
    if (code && NETWORK_CODES.has(code)) return "network";
    if (name === "TimeoutError") {
      return /establish a connection/i.test(rawMessage) ? "connect_timeout" : "timeout";
    }
    if (THROTTLING.has(name) || httpStatus === 429) return "throttled";
    if (name === "ResourceNotFoundException") return "table_not_found";
    if (ACCESS.has(name) || httpStatus === 403) return "access_denied";
    return "other";
  })();
  return httpStatus === undefined ? { kind, message } : { kind, message, httpStatus };
}
