// Planning a local run against the user's own app (`fislat run --local --app ... --url ...`, or
// an experiment file's `target`/`load`/`tables`): the app, how to know it is ready, the load to
// drive at it, and the tables for dynalite. Pure: every value is checked here, before anything
// starts, and a refusal names the flag or the file's field and what is allowed. Flags override
// the file; the file overrides the defaults.
import { HTTP_METHODS, type HttpMethod } from "@fislat/probe/contract";
import { parseDuration, parseMilliseconds } from "../durations.js";
import { badInput } from "../errors.js";
import { type Check, parseCheck } from "./checks.js";
import type { Duration, ExperimentFile } from "./experiment-file.js";
import type { ProbeSettings } from "./fault.js";
import { humanMs, quoted } from "./limits.js";
import type { HttpLoadSettings, LocalAppTarget } from "./plan.js";
import { checkTables, type TableDefinition, TablesError } from "./tables.js";

/** The flags of a run against the user's own service (local here; the AWS service run adds its own). */
export interface AppRunFlags {
  app?: string;
  url?: string[];
  rate?: string;
  tables?: string;
  dynamodb?: string;
  appEnv?: string[];
  appReadyUrl?: string;
  appReadyTimeout?: string;
  proxyPort?: string;
  maxInFlight?: string;
  requestTimeout?: string;
  method?: string;
  header?: string[];
  body?: string;
  okStatus?: string;
  healthUrl?: string;
}

/** an http:// or https:// URL @pattern ^https?:// */
type HttpUrl = string;

/** The file's sections for it, as written (their JSDoc is the experiment file schema's). */
export interface AppRunFile {
  /** the user's own app under the fault (fislat run --local): what starts it, where to send load, when it is ready */
  target?: {
    /** the shell command that starts your app (as --app), e.g. node server.js @minLength 1 */
    app?: string;
    /** where the load goes (as --url): one URL or a list, sent round-robin */
    url?: HttpUrl | UrlList;
    /** your app is ready when this answers anything (as --app-ready-url; default the first url) */
    readyUrl?: HttpUrl;
    /** how long your app may take to be ready (as --app-ready-timeout; default 60s) */
    readyTimeout?: Duration;
    /**
     * variables for your app (as --app-env); {dynamodb} stands for the proxy's URL
     * @propertyNames {"pattern": "^[A-Za-z_][A-Za-z0-9_]*$"}
     */
    env?: Record<string, string>;
    /** the fault listens on 127.0.0.1:N for an app already running (as --proxy-port) @asType integer @minimum 1 @maximum 65535 */
    proxyPort?: number;
    /** your own local DynamoDB, plain HTTP with its port (as --dynamodb), instead of dynalite @pattern ^http:// */
    dynamodb?: string;
    /** also poll this health URL (as --health-url): unhealthy/healthy thresholds apply */
    healthUrl?: HttpUrl;
  };
  /** open-loop HTTP load at target.url: requests start on schedule whether or not earlier ones finished */
  load?: {
    /** requests per second (as --rate) @exclusiveMinimum 0 @maximum 10000 */
    rate?: number;
    /** HTTP method, case-sensitive (as --method; default GET) */
    method?: HttpMethod;
    /** headers on every request (as --header) */
    headers?: Record<string, string>;
    /** the body of every request (as --body) */
    body?: string;
    /** requests in flight at most; ones due beyond it are dropped (as --max-in-flight) @asType integer @minimum 1 @maximum 10000 */
    maxInFlight?: number;
    /** each request's deadline: a time with its unit (800ms, 2s) or whole milliseconds (as --request-timeout; default 2s) */
    requestTimeout?: TimeText | WholeMs;
    /** statuses that count as ok, e.g. 2xx,3xx (default) or 200-299,404 (as --ok-status) @pattern ^\s*([1-5]xx|\d{3}(-\d{3})?)(\s*,\s*([1-5]xx|\d{3}(-\d{3})?))*\s*$ */
    okStatus?: string;
  };
  /** tables fislat creates in dynalite before your app starts: a file, or the list itself (as --tables) */
  tables?: TablesFile | TableList;
}

/** @minItems 1 */
type UrlList = HttpUrl[];
/** @pattern ^\s*\d+(\.\d+)?\s*(ms|s|m)\s*$ */
type TimeText = string;
/** @asType integer @minimum 1 */
type WholeMs = number;
/** a tables file (JSON or YAML), relative to this file @minLength 1 */
type TablesFile = string;
/** @minItems 1 */
type TableList = TableDefinition[];

export const APP_DEFAULTS = {
  readyTimeout: "60s",
  requestTimeout: "2s",
  okStatus: "2xx,3xx",
  method: "GET",
  /** The default hypothesis's bound on recovery. */
  recoverWithinMs: 5000,
} as const;

export const MAX_RATE = 10_000;
export const MAX_IN_FLIGHT = 10_000;
const MAX_REQUEST_TIMEOUT_MS = 600_000;
const MAX_READY_TIMEOUT_MS = 600_000;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** The probe's flags: they tune fislat's own probe, which an app run does not start. */
const PROBE_ONLY = ["interval", "connectionTimeout", "readTimeout", "healthFailure", "scenario"] as const;

/** Flags that tune the app fislat starts (or one already running) on this machine, and its DynamoDB. */
const APP_ONLY = ["dynamodb", "tables", "appEnv", "appReadyUrl", "appReadyTimeout"] as const;
/** Flags that shape the load sent to your service's --url. */
const LOAD_ONLY = ["rate", "maxInFlight", "requestTimeout", "method", "header", "body", "okStatus"] as const;

/**
 * A run of fislat's own probe (no --app, --url or --proxy-port, no target in the file) reads none of
 * the app run's flags: each one given is refused, naming what it goes with, rather than ignored.
 */
export function refuseAppFlagsWithoutApp(
  flags: AppRunFlags & Record<string, unknown>,
  file: ExperimentFile & AppRunFile,
  origin: string,
  environment: "local" | "aws",
): void {
  const given = (keys: readonly string[]) =>
    keys.filter((k) => {
      const v = flags[k];
      return Array.isArray(v) ? v.length > 0 : v !== undefined;
    });
  const flagList = (keys: string[]) =>
    `${keys.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(", ")} ${keys.length === 1 ? "goes" : "go"}`;
  const probe =
    environment === "local"
      ? "without --app or --proxy-port, --local runs fislat's own probe against its own dynalite and table"
      : "without --url, the run aims at fislat's probe tasks, which send no load of yours";
  const app = given(APP_ONLY);
  if (app.length > 0) {
    throw badInput(
      `${probe}: ${flagList(app)} with your own app on this machine, --local --app "COMMAND" (or --proxy-port N) and --url URL; drop ${app.length === 1 ? "it" : "them"} or add those`,
    );
  }
  const load = given(LOAD_ONLY);
  if (load.length > 0) {
    throw badInput(
      `${probe}: ${flagList(load)} with the load fislat sends to your service, --url URL (with --app or --proxy-port locally, --service on AWS); drop ${load.length === 1 ? "it" : "them"} or add those`,
    );
  }
  if (file.tables !== undefined) {
    throw badInput(
      `${origin}: tables creates your app's tables in dynalite, and this file has no target: add target (target.app or target.proxyPort, and target.url) for your own app on this machine, or drop tables`,
    );
  }
}

/** Whether this is a run against the user's app: --app, --url or --proxy-port, or the file's target. */
export function isAppRun(flags: AppRunFlags, file: ExperimentFile & AppRunFile): boolean {
  return (
    flags.app !== undefined ||
    (flags.url ?? []).length > 0 ||
    flags.proxyPort !== undefined ||
    file.target !== undefined ||
    file.load !== undefined
  );
}

/**
 * The default hypothesis when none is given: the service keeps serving (under 1% of requests fail
 * in every phase) and recovers within 5 s of the fault's end.
 */
export function defaultAppHypothesis(): Check[] {
  return [
    parseCheck("baseline", "failed", "rate<0.01"),
    parseCheck("injection", "failed", "rate<0.01"),
    parseCheck("recovery", "failed", "rate<0.01"),
    parseCheck("run", "recover", `value<=${APP_DEFAULTS.recoverWithinMs}`),
  ];
}

/** Health metrics read a health URL: an app run has one only with --health-url. */
const HEALTH_METRICS = ["unhealthy", "healthy", "went_unhealthy"];

export function checkAppHealthChecks(hypothesis: Check[], appRun: AppRunPlan): void {
  const check = hypothesis.find((c) => HEALTH_METRICS.includes(c.metric));
  if (check && appRun.target.healthUrl === undefined) {
    throw badInput(
      `${check.id} judges a health URL, and your app has none here: add --health-url (or target.healthUrl), e.g. --health-url http://127.0.0.1:3000/health, or drop the threshold`,
    );
  }
}

export interface AppRunPlan {
  target: LocalAppTarget;
  load: HttpLoadSettings;
  /** The probe settings the engine judges with: the load's rate and timeout. */
  probe: ProbeSettings;
  /** A tables path still to read (the caller does I/O), with the name to give in messages. */
  tablesFile?: { path: string; where: string };
}

export function planAppRun(
  flags: AppRunFlags & Record<string, unknown>,
  file: ExperimentFile & AppRunFile,
  origin: string,
  seed: number | undefined,
): AppRunPlan {
  const given = PROBE_ONLY.filter((k) => flags[k] !== undefined);
  if (given.length > 0) {
    const name = given.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(", ");
    throw badInput(
      `${name} ${given.length === 1 ? "tunes" : "tune"} fislat's own probe, which a run against your app does not start: the load is set by --rate, --request-timeout and --max-in-flight, and the thresholds by --threshold`,
    );
  }
  const t = file.target ?? {};
  const l = file.load ?? {};
  const field = (name: string) => `${origin}: ${name}`;

  const app = flags.app ?? t.app;
  if (app !== undefined && app.trim() === "")
    throw badInput(
      `${flags.app !== undefined ? "--app" : field("target.app")} is empty: give the command that starts your app, e.g. "node server.js"`,
    );
  const urls = (flags.url ?? []).length > 0 ? (flags.url as string[]) : t.url === undefined ? [] : [t.url].flat();
  if (urls.length === 0) {
    throw badInput(
      "--url is required with --app or --proxy-port (or target.url in the experiment file): the address fislat sends load to, e.g. --url http://127.0.0.1:3000/orders/42",
    );
  }
  const urlWhere = (flags.url ?? []).length > 0 ? "--url" : field("target.url");
  for (const u of urls) checkHttpUrl(urlWhere, u);
  const proxyPortText = flags.proxyPort ?? (t.proxyPort === undefined ? undefined : String(t.proxyPort));
  let proxyPort: number | undefined;
  if (proxyPortText !== undefined) {
    const where = flags.proxyPort !== undefined ? "--proxy-port" : field("target.proxyPort");
    proxyPort = Number(proxyPortText);
    if (!/^[1-9][0-9]*$/.test(proxyPortText) || proxyPort > 65_535) {
      throw badInput(`${where} ${quoted(proxyPortText)} is not valid: expected a port from 1 to 65535 on 127.0.0.1`);
    }
  }
  if (app === undefined && proxyPort === undefined) {
    throw badInput(
      '--url needs --app "COMMAND" (fislat starts your app) or --proxy-port N (your app is already running, pointed at DynamoDB on 127.0.0.1:N)',
    );
  }
  const readyUrl = flags.appReadyUrl ?? t.readyUrl ?? (urls[0] as string);
  checkHttpUrl(
    flags.appReadyUrl !== undefined ? "--app-ready-url" : t.readyUrl !== undefined ? field("target.readyUrl") : "--url",
    readyUrl,
  );
  const readyTimeoutMs = duration(
    flags.appReadyTimeout !== undefined
      ? "--app-ready-timeout"
      : t.readyTimeout !== undefined
        ? field("target.readyTimeout")
        : "--app-ready-timeout (default)",
    flags.appReadyTimeout ?? t.readyTimeout ?? APP_DEFAULTS.readyTimeout,
    1000,
    MAX_READY_TIMEOUT_MS,
  );

  const appEnv: Record<string, string> = { ...(t.env ?? {}) };
  for (const pair of flags.appEnv ?? []) {
    const eq = pair.indexOf("=");
    const name = eq > 0 ? pair.slice(0, eq) : "";
    if (!ENV_NAME.test(name)) {
      throw badInput(
        `--app-env ${quoted(pair)} is not NAME=VALUE: a name of letters, digits and '_' (not starting with a digit), then '=', then the value ({dynamodb} stands for the proxy's URL)`,
      );
    }
    appEnv[name] = pair.slice(eq + 1);
  }
  for (const name of Object.keys(appEnv)) {
    if (!ENV_NAME.test(name))
      throw badInput(`${field(`target.env.${name}`)}: not a variable name (letters, digits and '_')`);
  }
  if ((flags.appEnv ?? []).length > 0 && app === undefined) {
    throw badInput(
      "--app-env sets variables for the app fislat starts: it needs --app (an app already running keeps its own)",
    );
  }

  const dynamodb = flags.dynamodb ?? t.dynamodb;
  if (dynamodb !== undefined) {
    const where = flags.dynamodb !== undefined ? "--dynamodb" : field("target.dynamodb");
    let url: URL | undefined;
    try {
      url = new URL(dynamodb);
    } catch {
      url = undefined;
    }
    if (url?.protocol !== "http:" || url.port === "" || (url.pathname !== "/" && url.pathname !== "")) {
      throw badInput(
        `${where} ${quoted(dynamodb)} is not valid: expected your local DynamoDB's plain-HTTP address with its port, e.g. http://localhost:8000 (the latency proxy passes bytes through, so it cannot sit in front of https)`,
      );
    }
  }
  const tablesGiven = flags.tables ?? file.tables;
  if (dynamodb !== undefined && tablesGiven !== undefined) {
    throw badInput(
      "--tables creates tables in the dynalite fislat starts; with --dynamodb your own DynamoDB keeps its own tables: give one of them",
    );
  }
  let tables: LocalAppTarget["tables"];
  let tablesFile: AppRunPlan["tablesFile"];
  if (flags.tables !== undefined) {
    tablesFile = { path: flags.tables, where: `--tables ${flags.tables}` };
  } else if (typeof file.tables === "string") {
    tablesFile = { path: file.tables, where: field("tables") };
  } else if (file.tables !== undefined) {
    try {
      tables = checkTables(file.tables, field("tables"));
    } catch (error) {
      if (error instanceof TablesError) throw badInput(error.message);
      throw error;
    }
  }

  // The load.
  const rateText = flags.rate ?? (l.rate === undefined ? undefined : String(l.rate));
  if (rateText === undefined) {
    throw badInput(
      "--rate is required with --url (or load.rate in the experiment file): requests per second, e.g. --rate 20",
    );
  }
  const rateWhere = flags.rate !== undefined ? "--rate" : field("load.rate");
  const ratePerSecond = Number(rateText);
  if (!/^\d+(\.\d+)?$/.test(rateText.trim()) || !(ratePerSecond > 0) || ratePerSecond > MAX_RATE) {
    throw badInput(
      `${rateWhere} ${quoted(rateText)} is not valid: expected requests per second, more than 0 and at most ${MAX_RATE}`,
    );
  }
  const requestTimeoutMs = milliseconds(
    flags.requestTimeout !== undefined
      ? "--request-timeout"
      : l.requestTimeout !== undefined
        ? field("load.requestTimeout")
        : "--request-timeout (default)",
    String(flags.requestTimeout ?? l.requestTimeout ?? APP_DEFAULTS.requestTimeout),
    1,
    MAX_REQUEST_TIMEOUT_MS,
  );
  const maxText = flags.maxInFlight ?? (l.maxInFlight === undefined ? undefined : String(l.maxInFlight));
  let maxInFlight = Math.min(MAX_IN_FLIGHT, defaultMaxInFlight(ratePerSecond, requestTimeoutMs));
  if (maxText !== undefined) {
    maxInFlight = Number(maxText);
    if (!/^[1-9][0-9]*$/.test(maxText) || maxInFlight > MAX_IN_FLIGHT) {
      throw badInput(
        `${flags.maxInFlight !== undefined ? "--max-in-flight" : field("load.maxInFlight")} ${quoted(maxText)} is not valid: expected a whole number from 1 to ${MAX_IN_FLIGHT}`,
      );
    }
  }
  // Methods are case-sensitive tokens (RFC 9110): "post" is not POST. The load sends the standard
  // ones; an extension method (PROPFIND, a made-up FOO) is refused rather than sent as a typo.
  const method = flags.method ?? l.method ?? APP_DEFAULTS.method;
  if (!(HTTP_METHODS as readonly string[]).includes(method)) {
    const upper = method.toUpperCase();
    const hint = (HTTP_METHODS as readonly string[]).includes(upper) ? ` (methods are case-sensitive: ${upper})` : "";
    throw badInput(
      `${flags.method !== undefined ? "--method" : field("load.method")} ${quoted(method)} is not a method fislat sends${hint}: expected one of ${HTTP_METHODS.join(", ")}`,
    );
  }
  const headers: Record<string, string> = { ...(l.headers ?? {}) };
  for (const h of flags.header ?? []) {
    const colon = h.indexOf(":");
    const name = colon > 0 ? h.slice(0, colon).trim() : "";
    if (!HEADER_NAME.test(name))
      throw badInput(`--header ${quoted(h)} is not "Name: value", e.g. --header 'Authorization: Bearer x'`);
    headers[name] = h.slice(colon + 1).trim();
  }
  for (const [name, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(name) || /[\r\n]/.test(value))
      throw badInput(`${field(`load.headers.${name}`)}: not a valid header name and value`);
  }
  const body = flags.body ?? l.body;
  const okStatus = flags.okStatus ?? l.okStatus ?? APP_DEFAULTS.okStatus;
  parseOkStatus(flags.okStatus !== undefined ? "--ok-status" : field("load.okStatus"), okStatus);

  const healthUrl = flags.healthUrl ?? t.healthUrl;
  if (healthUrl !== undefined)
    checkHttpUrl(flags.healthUrl !== undefined ? "--health-url" : field("target.healthUrl"), healthUrl);

  const target: LocalAppTarget = { kind: "local-app", appEnv, readyUrl, readyTimeoutMs };
  if (seed !== undefined) target.seed = seed;
  if (app !== undefined) target.app = app;
  if (flags.app === undefined && t.app !== undefined) target.appFile = origin;
  if (proxyPort !== undefined) target.proxyPort = proxyPort;
  if (dynamodb !== undefined) target.dynamodb = dynamodb;
  if (tables !== undefined) target.tables = tables;
  if (healthUrl !== undefined) target.healthUrl = healthUrl;
  const load: HttpLoadSettings = { urls, ratePerSecond, maxInFlight, requestTimeoutMs, method, headers, okStatus };
  if (body !== undefined) load.body = body;
  const probe: ProbeSettings = {
    connectionTimeoutMs: requestTimeoutMs,
    readTimeoutMs: requestTimeoutMs,
    intervalMs: 1000 / ratePerSecond,
    healthFailureMs: 0,
  };
  return { target, load, probe, ...(tablesFile ? { tablesFile } : {}) };
}

/** Same sizing as the load generator's default (workloads/http-load.ts), kept pure here. */
function defaultMaxInFlight(ratePerSecond: number, requestTimeoutMs: number): number {
  return Math.max(8, Math.ceil((ratePerSecond * requestTimeoutMs) / 1000) + Math.ceil(ratePerSecond / 10) + 4);
}

function checkHttpUrl(where: string, text: string): void {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "http:" && url.protocol !== "https:") || url.username || url.password) {
    throw badInput(
      `${where} ${quoted(text)} is not valid: expected an http:// or https:// URL, e.g. http://127.0.0.1:3000/orders/42`,
    );
  }
}

function duration(where: string, text: string, min: number, max: number): number {
  const ms = parseDuration(where, text, Number.POSITIVE_INFINITY);
  if (ms < min || ms > max)
    throw badInput(`${where} ${quoted(text)} is out of range: expected ${humanMs(min)} to ${humanMs(max)}`);
  return ms;
}

function milliseconds(where: string, text: string, min: number, max: number): number {
  const ms = parseMilliseconds(where, text, Number.POSITIVE_INFINITY);
  if (ms < min || ms > max)
    throw badInput(`${where} ${quoted(text)} is out of range: expected ${humanMs(min)} to ${humanMs(max)}`);
  return ms;
}

/** "2xx,3xx", "200-299,404": the statuses that count as ok, as inclusive ranges. */
export function parseOkStatus(where: string, text: string): [number, number][] {
  const ranges = text.split(",").map((part) => {
    const p = part.trim().toLowerCase();
    let m = /^([1-5])xx$/.exec(p);
    if (m) return [Number(m[1]) * 100, Number(m[1]) * 100 + 99] as [number, number];
    m = /^(\d{3})(?:-(\d{3}))?$/.exec(p);
    if (m) {
      const lo = Number(m[1]);
      const hi = Number(m[2] ?? m[1]);
      if (lo >= 100 && hi <= 599 && lo <= hi) return [lo, hi] as [number, number];
    }
    throw badInput(
      `${where} ${quoted(text)} is not valid: expected status classes and codes separated by commas, e.g. 2xx,3xx or 200-299,404`,
    );
  });
  return ranges;
}
