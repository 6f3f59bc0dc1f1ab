// The user's own app on this machine under the fault: dynalite (their tables) or their own local
// DynamoDB, the latency proxy in front of it, their app started with the proxy as its DynamoDB
// endpoint (or an app already running, pointed at a fixed proxy port), and open-loop HTTP load at
// their URL. The proxy's traffic counts are the evidence that the fault was on the app's path.
// Every part is registered with the cleanup owner as it starts.
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { startLocalDynamo } from "@fislat/dynamo-local";
import { LatencyProxy, type TrafficCounts } from "@fislat/latency-proxy";
import type { CommandContext } from "../context.js";
import type { ExperimentPorts } from "../engine/experiment.js";
import { faultKind } from "../engine/fault.js";
import type { ExperimentPlan, ExperimentRequest, LocalAppTarget } from "../engine/plan.js";
import { type EnvironmentEvidence, EnvironmentFailure, systemClock } from "../engine/ports.js";
import type { Report } from "../engine/report.js";
import { PHASES, type PhaseName, type Timeline } from "../engine/timeline.js";
import { EXIT, FislatError } from "../errors.js";
import { type AppProcess, startApp } from "../local/app-process.js";
import { healthPoller } from "../local/health-poller.js";
import { getFailure, httpGet } from "../local/http-get.js";
import { proxyInjector } from "../local/proxy-injector.js";
import type { Progress } from "../render/progress.js";
import { httpLoadSource } from "../workloads/http-load-source.js";

/** How long a connection to --dynamodb may take before it counts as not there (it is local). */
const DYNAMODB_CONNECT_TIMEOUT_MS = 3000;

/** Why a TCP connection to `where` cannot be made (a code, or "no answer in N ms"); undefined when it can. */
async function unreachable(where: { host: string; port: number }, timeoutMs: number): Promise<string | undefined> {
  const socket = net.connect({ host: where.host, port: where.port });
  socket.setTimeout(timeoutMs);
  try {
    // once() rejects on the socket's error: the refusal's code is the answer.
    const failed = (error: NodeJS.ErrnoException) => error.code ?? error.message;
    return await Promise.race([
      once(socket, "connect").then(() => undefined, failed),
      once(socket, "timeout").then(() => `no answer in ${timeoutMs} ms`, failed),
    ]);
  } finally {
    socket.destroy();
  }
}

/** SIGTERM to SIGKILL for the app. */
export const APP_STOP_GRACE_MS = 5000;
const READY_POLL_MS = 100;
const HEALTH_POLL_MS = 1000;
/** The app's task name in its records. */
const TASK = "app";

export interface PreparedAppRun {
  plan: ExperimentPlan;
  ports: ExperimentPorts;
  environment: Report["environment"];
}

/**
 * The app's environment: fislat's own, the proxy as its DynamoDB endpoint, the region in both
 * variables the SDKs read (botocore reads only AWS_DEFAULT_REGION), account-based endpoints off
 * (the JS SDK v3 would otherwise call <account>.ddb.<region>.amazonaws.com), dummy credentials
 * when none are set, then the user's --app-env with {dynamodb} as the proxy's URL.
 */
export function appEnvironment(
  base: Readonly<Record<string, string | undefined>>,
  dynamodbUrl: string,
  extra: Record<string, string>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined) env[k] = v;
  const region = base.AWS_REGION ?? base.AWS_DEFAULT_REGION ?? "us-east-1";
  Object.assign(env, {
    AWS_ENDPOINT_URL_DYNAMODB: dynamodbUrl,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCOUNT_ID_ENDPOINT_MODE: "disabled",
  });
  const hasCredentials = base.AWS_ACCESS_KEY_ID !== undefined || base.AWS_PROFILE !== undefined;
  if (!hasCredentials) Object.assign(env, { AWS_ACCESS_KEY_ID: "fislat-local", AWS_SECRET_ACCESS_KEY: "fislat-local" });
  for (const [k, v] of Object.entries(extra)) env[k] = v.replaceAll("{dynamodb}", dynamodbUrl);
  return env;
}

const appLines = (app: AppProcess) => {
  const lines = app.lastLines(20);
  return lines ? `; its last lines (${app.outputFile}):\n${lines}` : `; it wrote nothing (${app.outputFile})`;
};

const exitText = (e: { code: number | null; signal: string | null }) =>
  e.signal ? `was killed by ${e.signal}` : `exited with code ${e.code}`;

export async function prepareLocalApp(
  request: ExperimentRequest,
  progress: Progress,
  signal: AbortSignal,
  /** The command's cleanup owner, folder and environment (the app starts in the one and inherits the other), and the Node.js its keeper runs on. */
  where: Pick<CommandContext, "resources" | "cwd" | "env" | "host">,
): Promise<PreparedAppRun> {
  const { resources } = where;
  const target = request.target as LocalAppTarget;
  const load = request.load;
  if (!load) throw new Error("a local app run needs its load settings");

  // DynamoDB: the user's own, or dynalite with their tables.
  let upstream: { host: string; port: number };
  let dynamoText: string;
  let dynamoPort: number | undefined;
  if (target.dynamodb) {
    const url = new URL(target.dynamodb);
    upstream = { host: url.hostname, port: Number(url.port) };
    // Before the proxy and the app: a DynamoDB that is not there would otherwise surface only
    // after the baseline, as "your app sent no DynamoDB traffic through the proxy".
    const problem = await unreachable(upstream, DYNAMODB_CONNECT_TIMEOUT_MS);
    if (problem) {
      throw new FislatError(
        `--dynamodb ${target.dynamodb}: nothing answers at ${url.host} (${problem}); start your local DynamoDB first, or leave --dynamodb out and fislat starts dynalite (with --tables for your tables)`,
        EXIT.environment,
      );
    }
    dynamoText = `your DynamoDB ${target.dynamodb}`;
  } else {
    let db: Awaited<ReturnType<typeof startLocalDynamo>>;
    try {
      db = await startLocalDynamo(target.tables ? { tables: target.tables } : {});
    } catch (error) {
      // The tables were checked before; what dynalite still refuses is named as it said it.
      throw new FislatError(`dynalite could not create your tables: ${(error as Error).message}`, EXIT.badInput);
    }
    resources.add(`dynalite on port ${db.port}`, () => db.close());
    upstream = { host: "127.0.0.1", port: db.port };
    dynamoPort = db.port;
    const names = target.tables?.map((t) => t.TableName) ?? [db.tableName];
    dynamoText = `dynalite :${db.port} (table${names.length === 1 ? "" : "s"} ${names.join(", ")})`;
  }

  let proxy: LatencyProxy;
  try {
    proxy = await LatencyProxy.start({
      target: upstream,
      ...(target.seed !== undefined ? { seed: target.seed } : {}),
      listen: { host: "127.0.0.1", port: target.proxyPort ?? 0 },
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new FislatError(
      code === "EADDRINUSE"
        ? `--proxy-port ${target.proxyPort}: 127.0.0.1:${target.proxyPort} is already in use; stop what listens there or pick another port`
        : `the latency proxy could not listen: ${(error as Error).message}`,
      EXIT.environment,
    );
  }
  resources.add(`latency proxy on port ${proxy.port}`, () => proxy.close());
  const dynamodbUrl = `http://127.0.0.1:${proxy.port}`;

  let app: AppProcess | undefined;
  if (target.app) {
    // A Ctrl-C while dynalite or the proxy started: stop before the user's app runs at all (it
    // may do things on start-up); what did start is released by the caller.
    if (signal.aborted) throw new Error(String(signal.reason));
    const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\..*$/, "");
    // Random, not this process's pid: two runs in the same second never share a file.
    const outputFile = path.join(os.tmpdir(), `fislat-app-${stamp}-${randomBytes(4).toString("hex")}.log`);
    // target.app starts beside the experiment file that names it; --app in the command's folder.
    const appFolder = target.appFile ? path.resolve(where.cwd, path.dirname(target.appFile)) : where.cwd;
    app = await startApp({
      command: target.app,
      cwd: appFolder,
      env: appEnvironment(where.env, dynamodbUrl, target.appEnv),
      outputFile,
      graceMs: APP_STOP_GRACE_MS,
      host: where.host,
    });
    const started = app;
    resources.add(`your app (pid ${started.pid})`, () => started.stop());
    progress.info(
      `app: ${target.app} (pid ${app.pid}${target.appFile ? `, in ${appFolder}` : ""}); its output: ${outputFile}`,
    );
  } else {
    progress.info(`your app's DynamoDB endpoint: ${dynamodbUrl} (fislat starts no app)`);
  }
  const waited = progress.waitingFor(`${target.readyUrl} to answer`, target.readyTimeoutMs, "--app-ready-timeout");
  try {
    await waitUntilReady(target, app, signal);
  } finally {
    waited();
  }

  // The proxy's counts at each boundary: the app's start-up calls are not the baseline's.
  const marks: { load?: TrafficCounts; faultStart?: TrafficCounts; faultEnd?: TrafficCounts } = {};
  proxy.on("fault", (event) => {
    if (event.type === "start") marks.faultStart = proxy.traffic();
    else marks.faultEnd = proxy.traffic();
  });
  const load$ = httpLoadSource(load, TASK);
  let stopping = false;
  const source: typeof load$ = {
    ...load$,
    async start(onLine, onError) {
      marks.load = proxy.traffic();
      await load$.start(onLine, onError);
      void app?.exited.then((e) => {
        if (!stopping && app) {
          onError(new EnvironmentFailure(`your app (${app.command}) ${exitText(e)} during the run${appLines(app)}`));
        }
      });
    },
    async stop(graceMs) {
      stopping = true;
      return load$.stop(graceMs);
    },
  };
  const injector = proxyInjector(proxy);
  // Registered last, so released first: the fault goes before anything else.
  resources.add("the latency fault", () => injector.stop(), { fault: true });

  const appText = app ? `app pid ${app.pid} (${app.command})` : `your app at ${target.readyUrl}`;
  const ports: ExperimentPorts = {
    targets: {
      resolve: async () => [
        {
          id: app ? `pid:${app.pid}` : TASK,
          description: `${appText}, load ${load.ratePerSecond}/s at ${load.urls.join(", ")}`,
        },
      ],
    },
    injector,
    source,
    evidence: {
      conclude: (timeline, window) => {
        const seen = conclude(timeline, window, marks, proxy.traffic(), load$.summary());
        if (app) seen.findings.push(`your app's output: ${app.outputFile}`);
        return seen;
      },
    },
    clock: systemClock,
  };
  if (target.healthUrl) ports.health = healthPoller(target.healthUrl, HEALTH_POLL_MS);
  const environment: Report["environment"] = {
    kind: "local",
    target: `${appText} -> latency proxy :${proxy.port} (--seed ${proxy.seed}) -> ${dynamoText}`,
    injector: injector.description,
    seed: proxy.seed as number,
    proxyPort: proxy.port,
    ...(dynamoPort !== undefined ? { dynamoPort } : {}),
    app: {
      ...(app ? { command: app.command, pid: app.pid, output: app.outputFile } : {}),
      dynamodbEndpoint: dynamodbUrl,
      urls: load.urls,
      ratePerSecond: load.ratePerSecond,
    },
  };
  return {
    plan: {
      request,
      probe: request.probe,
      healthPollMs: HEALTH_POLL_MS,
      lateLineGraceMs: 0,
      // How a new connection pays the fault through the local proxy: the fault's kind knows.
      traits: faultKind(request.fault).localTraits(request.fault, request.probe),
    },
    ports,
    environment,
  };
}

/** Ready when the URL answers anything but a connection error; an app that exits first ends it. */
async function waitUntilReady(target: LocalAppTarget, app: AppProcess | undefined, signal: AbortSignal) {
  const deadline = performance.now() + target.readyTimeoutMs;
  let lastError = "";
  for (;;) {
    if (signal.aborted) throw new Error("interrupted while waiting for the app");
    const exit = app?.exitedWith();
    if (app && exit) {
      throw new FislatError(
        `your app (${app.command}) ${exitText(exit)} before it was ready${appLines(app)}`,
        EXIT.environment,
      );
    }
    try {
      await httpGet(target.readyUrl, AbortSignal.any([signal, AbortSignal.timeout(2000)]));
      return;
    } catch (error) {
      lastError = getFailure(error);
    }
    if (performance.now() >= deadline) {
      throw new FislatError(
        `${target.readyUrl} did not answer within ${target.readyTimeoutMs / 1000} s (--app-ready-timeout; last: ${lastError})${app ? appLines(app) : ": is your app running?"}`,
        EXIT.environment,
      );
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, READY_POLL_MS);
      const exitWatch = app?.exited.then(done);
      void exitWatch;
      signal.addEventListener("abort", done, { once: true });
      function done() {
        clearTimeout(timer);
        signal.removeEventListener("abort", done);
        resolve();
      }
    });
  }
}

type Counts = Omit<TrafficCounts, "opaqueConnections">;
const minus = (a: TrafficCounts, b: TrafficCounts | undefined): Counts => ({
  connections: a.connections - (b?.connections ?? 0),
  requests: a.requests - (b?.requests ?? 0),
  bytesUp: a.bytesUp - (b?.bytesUp ?? 0),
  bytesDown: a.bytesDown - (b?.bytesDown ?? 0),
});

function conclude(
  timeline: Timeline,
  window: { startedAt?: Date; endedAt?: Date },
  marks: { load?: TrafficCounts; faultStart?: TrafficCounts; faultEnd?: TrafficCounts },
  now: TrafficCounts,
  summary: ReturnType<ReturnType<typeof httpLoadSource>["summary"]>,
): EnvironmentEvidence {
  const findings: string[] = [];
  const inconclusive: string[] = [];
  const start = marks.faultStart ?? now;
  const end = marks.faultEnd ?? now;
  const dynamodb: Record<PhaseName, Counts> = {
    baseline: minus(start, marks.load),
    injection: minus(end, start),
    recovery: minus(now, end),
  };
  // The app's requests by when they were due, each phase's status classes beside its DynamoDB calls.
  const faultStart = window.startedAt?.getTime();
  const faultEnd = window.endedAt?.getTime();
  const byPhase = Object.fromEntries(
    PHASES.map((p) => [p, { requests: 0, noAnswer: 0 } as Record<string, number>]),
  ) as Record<PhaseName, Record<string, number>>;
  for (const r of timeline.roundTrips) {
    const at = Date.parse(r.ts);
    const phase: PhaseName =
      faultStart === undefined || at < faultStart
        ? "baseline"
        : faultEnd === undefined || at < faultEnd
          ? "injection"
          : "recovery";
    const counts = byPhase[phase];
    counts.requests = (counts.requests ?? 0) + 1;
    const key = r.httpStatus === undefined ? "noAnswer" : `${Math.floor(r.httpStatus / 100)}xx`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  const perRequest = (p: PhaseName) => {
    const n = byPhase[p].requests ?? 0;
    return n === 0 ? null : Math.round((dynamodb[p].requests / n) * 100) / 100;
  };
  const faultRan = window.startedAt !== undefined;
  const opaque = now.opaqueConnections > 0;
  if (faultRan) {
    const inj = dynamodb.injection;
    const none = opaque ? inj.bytesUp === 0 : inj.requests === 0;
    if (none) {
      inconclusive.push(
        `your app sent no DynamoDB traffic through the latency proxy during the injection (${byPhase.injection.requests} of its requests were served then): the fault was not on its path, so its verdict would say nothing. Check that the app's DynamoDB client reads AWS_ENDPOINT_URL_DYNAMODB (AWS SDKs do), or pass the variable it reads with --app-env NAME={dynamodb}; a cache in front of DynamoDB also explains it`,
      );
    }
    const classes = (p: PhaseName) =>
      Object.entries(byPhase[p])
        .filter(([k, n]) => k !== "requests" && n > 0)
        .map(([k, n]) => `${n} ${k === "noAnswer" ? "without an answer" : k}`)
        .join(", ") || "none";
    findings.push(`your app's answers: ${PHASES.map((p) => `${p} ${classes(p)}`).join("; ")}`);
    findings.push(
      `DynamoDB calls through the proxy: ${PHASES.map((p) => `${p} ${dynamodb[p].requests}${perRequest(p) === null ? "" : ` (${perRequest(p)} per request)`}`).join(", ")}`,
    );
  }
  if (opaque)
    findings.push(
      `${now.opaqueConnections} DynamoDB connection(s) were not plain HTTP/1.1: their calls are counted as bytes only`,
    );
  if (summary && summary.dropped > 0) {
    findings.push(
      `${summary.dropped} request(s) were not sent: --max-in-flight requests were already in flight when they were due (not judged; raise --max-in-flight or lower --rate)`,
    );
  }
  const details = {
    dynamodb: Object.fromEntries(PHASES.map((p) => [p, { ...dynamodb[p], callsPerRequest: perRequest(p) }])),
    app: {
      byPhase,
      ...(summary
        ? {
            load: {
              scheduled: summary.scheduled,
              sent: summary.sent,
              dropped: summary.dropped,
              connectionsOpened: summary.connectionsOpened,
              latenessMs: summary.lateness,
            },
          }
        : {}),
    },
  };
  return { findings, inconclusive, details };
}
