// The probe's public contract, defined once: its environment variables (meaning, unit, default,
// limits) with strict parsers, its HTTP paths, and the bounds of one round trip. The probe, the
// CLI's planner and the infra import it, so it depends on nothing (no Node modules, no packages).

/** Exit code of the probe for an invalid environment, as for any bad input in fislat. */
export const PROBE_CONFIG_EXIT_CODE = 2;

/** HTTP paths: `/health` is deep (turns 503 when DynamoDB round trips keep failing), `/live`
 * is shallow (200 while the process serves, never depends on DynamoDB), `/test` runs one round trip. */
export const PROBE_PATHS = { health: "/health", live: "/live", test: "/test" } as const;

/** The largest DynamoDB response body one round trip reads. DynamoDB's own largest answer to the
 * probe's operations is a 1 MB Query/Scan page (an item is at most 400 KB); more is not DynamoDB. */
export const ROUND_TRIP_MAX_RESPONSE_BYTES = 1024 * 1024;

/**
 * The hard deadline of one round trip (all its attempts), wall clock from its start: each attempt
 * is allowed its connection timeout plus its read timeout. The SDK's socketTimeout is only an
 * inactivity timer, so a server that trickles bytes would otherwise hold a round trip forever.
 */
export function roundTripDeadlineMs(settings: {
  connectionTimeoutMs: number;
  readTimeoutMs: number;
  maxAttempts: number;
}): number {
  return settings.maxAttempts * (settings.connectionTimeoutMs + settings.readTimeoutMs);
}

export type ProbeEnvKind =
  | "integer"
  | "decimal"
  | "text"
  | "choice"
  | "url"
  | "host"
  | "flag"
  | "headers"
  | "statuses"
  | "body";

export interface ProbeEnvVar {
  readonly name: string;
  readonly description: string;
  readonly kind: ProbeEnvKind;
  /** "ms" and "s" for durations; the others say what the number or text counts. */
  readonly unit: "ms" | "s" | "port" | "attempts" | "requests" | "characters" | "url" | "host" | "flag" | "choice";
  /** Lower and upper bound: of the value for numbers, of the length for text. */
  readonly min: number;
  readonly max: number;
  /** The value used when the variable is unset; absent means "left to someone else" (the SDK, the OS). */
  readonly default?: number | string | boolean;
  /** For kind "choice": the allowed values. */
  readonly choices?: readonly string[];
  /** For kind "text": what the characters must match, and how to say so. */
  readonly pattern?: RegExp;
  readonly patternText?: string;
}

/** Node timers hold at most 2^31-1 ms (about 24.8 days); every duration here stays well below. */
export const MAX_TIMER_MS = 2_147_483_647;

export const OPERATIONS = ["GetItem", "Query", "Scan", "DescribeTable"] as const;
export type Operation = (typeof OPERATIONS)[number];

/** The methods of the HTTP mode (TARGET_URL): the ones a service's API uses. */
export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** Headers the probe manages itself on the connection; setting them would break the framing. */
export const MANAGED_HEADERS = [
  "connection",
  "content-length",
  "keep-alive",
  "proxy-connection",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
] as const;

/** The most headers TARGET_HEADERS may set. */
export const MAX_TARGET_HEADERS = 50;

export const PROBE_ENV = {
  TABLE_NAME: {
    name: "TABLE_NAME",
    description: "the DynamoDB table the round trips read",
    kind: "text",
    unit: "characters",
    min: 3,
    max: 255,
    default: "MyTestTable",
    // DynamoDB's own rule for table names.
    pattern: /^[a-zA-Z0-9_.-]+$/,
    patternText: "3 to 255 characters of a-z, A-Z, 0-9, '_', '-' or '.'",
  },
  CONNECTION_TIMEOUT_MS: {
    name: "CONNECTION_TIMEOUT_MS",
    description: "time allowed to establish a TCP connection (a new socket only)",
    kind: "integer",
    unit: "ms",
    min: 1,
    max: 600_000,
    default: 5000,
  },
  READ_TIMEOUT_MS: {
    name: "READ_TIMEOUT_MS",
    description: "time allowed without receiving data once connected, through the response body",
    kind: "integer",
    unit: "ms",
    min: 1,
    max: 600_000,
    default: 5000,
  },
  TEST_INTERVAL_SECONDS: {
    name: "TEST_INTERVAL_SECONDS",
    description: "time between the starts of two loop round trips",
    kind: "decimal",
    unit: "s",
    min: 0.01,
    max: 3600,
    default: 5,
  },
  PORT: {
    name: "PORT",
    description: "TCP port of the HTTP server (/health, /live, /test); 0 picks a free one",
    kind: "integer",
    unit: "port",
    min: 0,
    max: 65_535,
    default: 80,
  },
  PROBE_HOST: {
    name: "PROBE_HOST",
    description: "address the HTTP server binds to; unset means all interfaces (what a load balancer needs)",
    kind: "host",
    unit: "host",
    min: 1,
    max: 255,
  },
  HEALTH_FAILURE_SECONDS: {
    name: "HEALTH_FAILURE_SECONDS",
    description: "continuous failure time after which /health answers 503",
    kind: "decimal",
    unit: "s",
    min: 0,
    max: 86_400,
    default: 30,
  },
  PROBE_OPERATION: {
    name: "PROBE_OPERATION",
    description: "the DynamoDB operation of a round trip (Query and Scan with Limit 1)",
    kind: "choice",
    unit: "choice",
    min: 0,
    max: 0,
    default: "GetItem",
    choices: OPERATIONS,
  },
  PROBE_KEY: {
    name: "PROBE_KEY",
    description: "the partition key value GetItem and Query read (a string)",
    kind: "text",
    unit: "characters",
    min: 1,
    // DynamoDB's limit for a partition key value is 2048 bytes; characters are at most 4 bytes.
    max: 512,
    default: "test1",
  },
  PROBE_KEY_ATTRIBUTE: {
    name: "PROBE_KEY_ATTRIBUTE",
    description: "the name of the table's partition key attribute",
    kind: "text",
    unit: "characters",
    min: 1,
    max: 255,
    default: "id",
  },
  MAX_ATTEMPTS: {
    name: "MAX_ATTEMPTS",
    description: "SDK attempts per round trip; 1 means a timeout is reported, not hidden by retries",
    kind: "integer",
    unit: "attempts",
    min: 1,
    max: 10,
    default: 1,
  },
  TEST_MAX_CONCURRENT: {
    name: "TEST_MAX_CONCURRENT",
    description: "concurrent /test calls; more get 429",
    kind: "integer",
    unit: "requests",
    min: 1,
    max: 64,
    default: 2,
  },
  PROBE_EXIT_ON_STDIN_END: {
    name: "PROBE_EXIT_ON_STDIN_END",
    description: "exit when standard input ends, i.e. when the parent that holds its other end dies",
    kind: "flag",
    unit: "flag",
    min: 0,
    max: 0,
    default: false,
  },
  AWS_ENDPOINT_URL_DYNAMODB: {
    name: "AWS_ENDPOINT_URL_DYNAMODB",
    description: "DynamoDB endpoint (the SDK's convention); unset means the region's endpoint",
    kind: "url",
    unit: "url",
    min: 1,
    max: 2048,
  },
  TARGET_URL: {
    name: "TARGET_URL",
    description: "HTTP mode: the URL each round trip requests instead of calling DynamoDB (the user's service)",
    kind: "url",
    unit: "url",
    min: 1,
    max: 2048,
  },
  TARGET_METHOD: {
    name: "TARGET_METHOD",
    description: "HTTP mode: the request's method",
    kind: "choice",
    unit: "choice",
    min: 0,
    max: 0,
    default: "GET",
    choices: HTTP_METHODS,
  },
  TARGET_HEADERS: {
    name: "TARGET_HEADERS",
    description: 'HTTP mode: request headers as one JSON object, e.g. {"authorization":"Bearer x"}',
    kind: "headers",
    unit: "characters",
    min: 2,
    max: 8192,
  },
  TARGET_BODY: {
    name: "TARGET_BODY",
    description: "HTTP mode: the request body, sent as given (set content-type in TARGET_HEADERS)",
    kind: "body",
    unit: "characters",
    min: 1,
    max: 65_536,
  },
  TARGET_OK_STATUS: {
    name: "TARGET_OK_STATUS",
    description: "HTTP mode: the response statuses that count as ok",
    kind: "statuses",
    unit: "characters",
    min: 1,
    max: 256,
    default: "2xx,3xx",
  },
} as const satisfies Record<string, ProbeEnvVar>;

export type ProbeEnvName = keyof typeof PROBE_ENV;

/** A duration variable's limits and default in milliseconds, whatever its unit (for flags such as
 * --interval 2h that set it). */
export function durationLimitsMs(spec: ProbeEnvVar): { minMs: number; maxMs: number; defaultMs?: number } {
  if (spec.unit !== "ms" && spec.unit !== "s") throw new Error(`${spec.name} is not a duration`);
  const k = spec.unit === "s" ? 1000 : 1;
  const limits = { minMs: Math.round(spec.min * k), maxMs: Math.round(spec.max * k) };
  return typeof spec.default === "number" ? { ...limits, defaultMs: Math.round(spec.default * k) } : limits;
}

/** The value to put in the environment for a duration in milliseconds ("0.5" for 500 ms in seconds). */
export function durationEnvValue(spec: ProbeEnvVar, ms: number): string {
  if (spec.unit !== "ms" && spec.unit !== "s") throw new Error(`${spec.name} is not a duration`);
  return spec.unit === "s" ? String(Math.round(ms) / 1000) : String(Math.round(ms));
}

/** Everything the probe reads from its environment, parsed. Durations are in milliseconds. */
export interface ProbeSettings {
  tableName: string;
  connectionTimeoutMs: number;
  readTimeoutMs: number;
  intervalMs: number;
  port: number;
  /** Undefined: all interfaces. */
  host: string | undefined;
  healthFailureMs: number;
  operation: Operation;
  key: string;
  keyAttribute: string;
  maxAttempts: number;
  testMaxConcurrent: number;
  exitOnStdinEnd: boolean;
  /** Undefined: the SDK resolves the endpoint itself. */
  endpoint: string | undefined;
  /** Set in HTTP mode (TARGET_URL): round trips request this instead of calling DynamoDB. */
  target?: HttpTargetSettings;
}

/** A closed range of HTTP status codes, e.g. 200-299 for "2xx". */
export type StatusRange = readonly [number, number];

/** What one HTTP-mode round trip requests, and what answer counts as ok. */
export interface HttpTargetSettings {
  url: string;
  method: HttpMethod;
  /** Header names in lower case, as given otherwise. */
  headers: Record<string, string>;
  body: string | undefined;
  okStatus: readonly StatusRange[];
}

/** Whether a response status counts as ok under the given ranges. */
export function isOkStatus(status: number, ranges: readonly StatusRange[]): boolean {
  return ranges.some(([low, high]) => status >= low && status <= high);
}

export class ProbeEnvError extends Error {
  override readonly name = "ProbeEnvError";
  constructor(
    readonly variable: string,
    readonly value: string,
    message: string,
  ) {
    super(message);
  }
}

const SHOWN_VALUE_CHARS = 60;

/** The value as it appears in an error: quoted, and cut short when long. */
export function showValue(raw: string): string {
  if (raw.length <= SHOWN_VALUE_CHARS) return JSON.stringify(raw);
  return `${JSON.stringify(raw.slice(0, SHOWN_VALUE_CHARS))}... (${raw.length} characters)`;
}

const UNIT_WORDS: Record<ProbeEnvVar["unit"], string> = {
  ms: "milliseconds",
  s: "seconds",
  port: "port",
  attempts: "attempts",
  requests: "requests",
  characters: "characters",
  url: "url",
  host: "host",
  flag: "flag",
  choice: "choice",
};

/** What a variable accepts, in words, e.g. "a whole number of milliseconds from 1 to 600000". */
export function allowedText(spec: ProbeEnvVar): string {
  switch (spec.kind) {
    case "integer":
      return spec.unit === "port"
        ? `a whole port number from ${spec.min} to ${spec.max}`
        : `a whole number of ${UNIT_WORDS[spec.unit]} from ${spec.min} to ${spec.max}, in decimal digits`;
    case "decimal":
      return `a number of ${UNIT_WORDS[spec.unit]} from ${spec.min} to ${spec.max}, in decimal digits with at most 3 after the point`;
    case "text":
      return spec.patternText ?? `${spec.min} to ${spec.max} characters, not blank`;
    case "choice":
      return `one of ${(spec.choices ?? []).join(", ")}`;
    case "url":
      return "an http:// or https:// URL such as http://127.0.0.1:8000";
    case "host":
      return "an IP address (127.0.0.1, ::1, 0.0.0.0) or a host name such as localhost";
    case "flag":
      return "true, false, 1 or 0";
    case "headers":
      return `a JSON object of at most ${MAX_TARGET_HEADERS} header names and string values, such as {"authorization":"Bearer x","content-type":"application/json"}, at most ${spec.max} characters, without ${MANAGED_HEADERS.join(", ")}`;
    case "statuses":
      return "comma-separated status classes, codes or ranges from 100 to 599, such as 2xx,3xx or 200-299,404";
    case "body":
      return `at most ${spec.max} characters`;
  }
}

function refuse(spec: ProbeEnvVar, raw: string, why: string): never {
  throw new ProbeEnvError(spec.name, raw, `${spec.name}=${showValue(raw)} ${why}: expected ${allowedText(spec)}`);
}

// Decimal digits only: no sign, exponent, hex, separators, blanks or leading zeros ("010" could be
// read as octal by a person); a number's meaning must not depend on who parses it.
const INTEGER = /^(0|[1-9][0-9]*)$/;
const DECIMAL = /^(0|[1-9][0-9]*)(\.[0-9]{1,3})?$/;
const IPV4 = /^(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}$/;
const HOST_NAME =
  /^(?=.{1,253}$)[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

function isIpv6(raw: string): boolean {
  if (!/^[0-9a-fA-F:.]+$/.test(raw) || !raw.includes(":")) return false;
  try {
    new URL(`http://[${raw}]/`);
    return true;
  } catch {
    return false;
  }
}

// RFC 9110's token, for header names; values may not hold control characters other than tab.
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\uffff]*$/;
const STATUS_ITEM = /^(?:([1-5])xx|([1-5][0-9]{2})(?:-([1-5][0-9]{2}))?)$/;

function parseHeaders(spec: ProbeEnvVar, raw: string): Record<string, string> {
  if (raw.length > spec.max) refuse(spec, raw, "is too long");
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    refuse(spec, raw, "is not JSON");
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) refuse(spec, raw, "is not a JSON object");
  const entries = Object.entries(parsed as Record<string, unknown>);
  if (entries.length > MAX_TARGET_HEADERS) refuse(spec, raw, `has ${entries.length} headers`);
  const headers: Record<string, string> = {};
  for (const [name, value] of entries) {
    const shown = showValue(name);
    if (!HEADER_NAME.test(name)) refuse(spec, raw, `has a header name that is not valid (${shown})`);
    const lower = name.toLowerCase();
    if ((MANAGED_HEADERS as readonly string[]).includes(lower)) {
      refuse(spec, raw, `sets ${shown}, which the probe manages itself`);
    }
    if (lower in headers) refuse(spec, raw, `sets ${shown} twice`);
    if (typeof value !== "string") refuse(spec, raw, `gives ${shown} a value that is not a string`);
    if (!HEADER_VALUE.test(value)) refuse(spec, raw, `gives ${shown} a value with control characters`);
    headers[lower] = value;
  }
  return headers;
}

function parseStatuses(spec: ProbeEnvVar, raw: string): StatusRange[] {
  if (raw.length > spec.max) refuse(spec, raw, "is too long");
  return raw.split(",").map((item) => {
    const match = STATUS_ITEM.exec(item.trim());
    if (!match) refuse(spec, raw, `has ${showValue(item)}, which is not a status class, code or range`);
    const [, klass, low, high] = match;
    if (klass !== undefined) return [Number(klass) * 100, Number(klass) * 100 + 99] as const;
    const range = [Number(low), Number(high ?? low)] as const;
    if (range[0] > range[1]) refuse(spec, raw, `has the range ${item.trim()}, whose end is below its start`);
    return range;
  });
}

function parseNumber(spec: ProbeEnvVar, raw: string): number {
  if (!(spec.kind === "integer" ? INTEGER : DECIMAL).test(raw)) refuse(spec, raw, "is not valid");
  const value = Number(raw);
  if (value < spec.min || value > spec.max) refuse(spec, raw, "is out of range");
  return value;
}

/**
 * Parses one variable's raw value by its definition, or throws a ProbeEnvError naming the
 * variable, the value and what is allowed. Blank values are refused: unset a variable to get its default.
 */
export function parseProbeValue(
  spec: ProbeEnvVar,
  raw: string,
): number | string | boolean | Record<string, string> | StatusRange[] {
  if (raw.trim() === "") refuse(spec, raw, "is blank");
  switch (spec.kind) {
    case "integer":
    case "decimal":
      return parseNumber(spec, raw);
    case "text": {
      if (raw.length < spec.min || raw.length > spec.max) refuse(spec, raw, "has the wrong length");
      if (raw.trim() !== raw) refuse(spec, raw, "has blanks around it");
      if (spec.pattern && !spec.pattern.test(raw)) refuse(spec, raw, "is not valid");
      return raw;
    }
    case "choice":
      if (!(spec.choices ?? []).includes(raw)) refuse(spec, raw, "is not valid");
      return raw;
    case "url": {
      if (raw.length > spec.max) refuse(spec, raw, "is too long");
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        refuse(spec, raw, "is not a URL");
      }
      if ((url.protocol !== "http:" && url.protocol !== "https:") || url.hostname === "") {
        refuse(spec, raw, "is not an http or https URL");
      }
      if (url.username !== "" || url.password !== "") refuse(spec, raw, "must not carry credentials");
      return raw;
    }
    case "host":
      // A name whose last label is a number would be read as a (bad) IPv4 address, not a name.
      if (!IPV4.test(raw) && !isIpv6(raw) && !(HOST_NAME.test(raw) && !/(^|\.)[0-9]+$/.test(raw))) {
        refuse(spec, raw, "is not valid");
      }
      return raw;
    case "flag":
      if (raw === "true" || raw === "1") return true;
      if (raw === "false" || raw === "0") return false;
      return refuse(spec, raw, "is not valid");
    case "headers":
      return parseHeaders(spec, raw);
    case "statuses":
      return parseStatuses(spec, raw);
    case "body":
      if (raw.length > spec.max) refuse(spec, raw, "is too long");
      return raw;
  }
}

type Env = Record<string, string | undefined>;

function read<T extends ReturnType<typeof parseProbeValue>>(env: Env, spec: ProbeEnvVar): T | undefined {
  const raw = env[spec.name];
  if (raw === undefined) return spec.default as T | undefined;
  return parseProbeValue(spec, raw) as T;
}

const secondsToMs = (s: number) => Math.round(s * 1000);

/** Reads and checks every variable of the probe; throws ProbeEnvError on the first bad one. */
export function parseProbeEnv(env: Env): ProbeSettings {
  const e = PROBE_ENV;
  return {
    tableName: read<string>(env, e.TABLE_NAME) as string,
    connectionTimeoutMs: read<number>(env, e.CONNECTION_TIMEOUT_MS) as number,
    readTimeoutMs: read<number>(env, e.READ_TIMEOUT_MS) as number,
    intervalMs: secondsToMs(read<number>(env, e.TEST_INTERVAL_SECONDS) as number),
    port: read<number>(env, e.PORT) as number,
    host: read<string>(env, e.PROBE_HOST),
    healthFailureMs: secondsToMs(read<number>(env, e.HEALTH_FAILURE_SECONDS) as number),
    operation: read<string>(env, e.PROBE_OPERATION) as Operation,
    key: read<string>(env, e.PROBE_KEY) as string,
    keyAttribute: read<string>(env, e.PROBE_KEY_ATTRIBUTE) as string,
    maxAttempts: read<number>(env, e.MAX_ATTEMPTS) as number,
    testMaxConcurrent: read<number>(env, e.TEST_MAX_CONCURRENT) as number,
    exitOnStdinEnd: read<boolean>(env, e.PROBE_EXIT_ON_STDIN_END) as boolean,
    endpoint: read<string>(env, e.AWS_ENDPOINT_URL_DYNAMODB),
    ...httpTarget(env),
  };
}

/** The HTTP mode's settings, or nothing when TARGET_URL is unset (the others then must be too). */
function httpTarget(env: Env): { target?: HttpTargetSettings } {
  const e = PROBE_ENV;
  const url = read<string>(env, e.TARGET_URL);
  if (url === undefined) {
    const stray = [e.TARGET_METHOD, e.TARGET_HEADERS, e.TARGET_BODY, e.TARGET_OK_STATUS].find(
      (spec) => env[spec.name] !== undefined,
    );
    if (stray) {
      throw new ProbeEnvError(
        stray.name,
        env[stray.name] ?? "",
        `${stray.name} is set but TARGET_URL is not: the HTTP mode's settings apply only with TARGET_URL, the URL to request`,
      );
    }
    return {};
  }
  const method = read<HttpMethod>(env, e.TARGET_METHOD) as HttpMethod;
  const body = read<string>(env, e.TARGET_BODY);
  if (body !== undefined && method === "HEAD") {
    throw new ProbeEnvError(
      e.TARGET_BODY.name,
      body,
      "TARGET_BODY is set but TARGET_METHOD is HEAD, which has no body",
    );
  }
  return {
    target: {
      url,
      method,
      headers: read<Record<string, string>>(env, e.TARGET_HEADERS) ?? {},
      body,
      // The default is text like any other variable's, so it is parsed as a set value would be.
      okStatus: parseProbeValue(
        e.TARGET_OK_STATUS,
        env[e.TARGET_OK_STATUS.name] ?? e.TARGET_OK_STATUS.default,
      ) as StatusRange[],
    },
  };
}

/** The bind address of a local run: loopback, so nothing of it is reachable from the network. */
export const LOCAL_PROBE_HOST = "127.0.0.1";

/** What fislat's local launcher sets: loopback only, and the probe ends with its parent. */
export const LOCAL_PROBE_ENV = {
  [PROBE_ENV.PROBE_HOST.name]: LOCAL_PROBE_HOST,
  [PROBE_ENV.PROBE_EXIT_ON_STDIN_END.name]: "true",
} as const;
