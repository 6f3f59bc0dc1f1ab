// A fake AWS on 127.0.0.1, over real HTTP, for the built CLI running as a child process (where
// aws-sdk-client-mock cannot reach): only the calls of the simplest `fislat run` (found tasks of a
// service, --no-live-tail), in each service's own wire protocol as the SDK models in node_modules
// define it. STS is the query protocol (form-encoded POST, XML answer); ECS, CloudWatch Logs and
// SSM are JSON 1.1 (X-Amz-Target); FIS is REST-JSON. Time is the real clock, as the child's is:
// each task writes one Round trip line a second (timeouts while the FIS action runs), visible a
// second later. Every request is recorded (operation and body) for the test to assert on. FIS, ECS
// (and SSM's view of its tasks), CloudWatch Logs and the probe are each one model every test shares
// (fis-model.ts, ecs-model.ts, logs-model.ts, probe-model.ts), as the in-process simulation's are:
// this is their HTTP transport.
import { EventEmitter } from "node:events";
import { writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { ACCOUNT, EcsModel, REGION } from "./ecs-model.js";
import { FisModel } from "./fis-model.js";
import { LogsModel } from "./logs-model.js";
import { ModelError, type Operations } from "./model.js";
import { ProbeModel, probeTaskDefinition } from "./probe-model.js";
import { requestProblems } from "./sdk-schema.js";

export { ACCOUNT, CLUSTER, REGION, SERVICE, taskArn } from "./ecs-model.js";
export { LOG_GROUP, streamOf } from "./logs-model.js";
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/fisExperimentRole`;

/** A line is visible to FilterLogEvents this long after it was written (no 5 s batching: a quick test). */
const INGESTION_MS = 1000;
/** By default FIS starts the action this long after StartExperiment ("initiating", action "pending" until then). */
const ACTION_START_MS = 1000;

export type AwsService = "sts" | "ecs" | "logs" | "ssm" | "fis" | "unknown";

export interface AwsCall {
  service: AwsService;
  /** The API operation, e.g. "StopExperiment"; "Unknown" for a request the fake does not serve. */
  operation: string;
  /** The request's parameters: the JSON body, the form fields, or FIS's path parameter as `id`. */
  body: Record<string, unknown>;
  /** What the fake answered (absent for an error). */
  answer?: unknown;
  method: string;
  path: string;
  at: number;
}

/** Timestamps are epoch seconds on the wire, in REST-JSON (FIS) and JSON 1.1 (ECS, CloudWatch Logs) alike. */
function epochSeconds(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  return raw instanceof Date ? raw.getTime() / 1000 : value;
}

export class FakeAws {
  readonly calls: AwsCall[] = [];
  /** Calls the fake does not serve (answered with UnknownOperationException): fislat made a call this test did not expect. */
  readonly unserved: AwsCall[] = [];
  /** What the SDK's model says was wrong with a request (answered with ValidationException). */
  readonly refused: string[] = [];
  readonly tasks: string[];
  private readonly server: Server;
  private readonly events = new EventEmitter();
  /** FIS, as every test models it (fis-model.ts): a stop reads "stopping" once, then "stopped". */
  private readonly fisModel: FisModel;
  private readonly ecsModel: EcsModel;
  private readonly logsModel: LogsModel;
  private readonly probes: ProbeModel;
  private url = "";

  constructor(options: { tasks?: string[]; actionStartMs?: number } = {}) {
    this.tasks = options.tasks ?? ["0123456789abcdef0123456789abcdef"];
    const now = () => Date.now();
    this.ecsModel = new EcsModel({ tasks: this.tasks, taskDefinition: () => probeTaskDefinition({}) }, now);
    this.logsModel = new LogsModel({ ingestionDelayMs: INGESTION_MS }, now);
    this.fisModel = new FisModel(
      { actionStartMs: options.actionStartMs ?? ACTION_START_MS, stoppingReads: 1 },
      (target) => this.ecsModel.resolveTarget(target),
    );
    this.probes = new ProbeModel(this.ecsModel, this.logsModel, this.fisModel);
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        res.writeHead(500, { "content-type": "text/plain" });
        res.end(String(error));
      });
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get endpoint(): string {
    return this.url;
  }

  get port(): number {
    return (this.server.address() as AddressInfo | null)?.port ?? 0;
  }

  /** Closes the server and any keep-alive connection a client left open. */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /**
   * The environment a child process needs to reach this fake, and only it: every service's
   * endpoint, static credentials, and empty config and credentials files in `dir` (so no profile,
   * SSO or instance metadata of this machine is read).
   */
  env(dir: string): Record<string, string | undefined> {
    const config = path.join(dir, "aws-config");
    const credentials = path.join(dir, "aws-credentials");
    writeFileSync(config, "");
    writeFileSync(credentials, "");
    return {
      AWS_ENDPOINT_URL: this.url,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
      AWS_SESSION_TOKEN: undefined,
      AWS_PROFILE: undefined,
      AWS_DEFAULT_PROFILE: undefined,
      AWS_DEFAULT_REGION: undefined,
      AWS_CONFIG_FILE: config,
      AWS_SHARED_CREDENTIALS_FILE: credentials,
      AWS_EC2_METADATA_DISABLED: "true",
      HOME: dir,
    };
  }

  /** The recorded calls of one operation, in order. */
  called(operation: string): AwsCall[] {
    return this.calls.filter((c) => c.operation === operation);
  }

  /** The experiment's status in each GetExperiment answer, in order. */
  experimentStates(): string[] {
    return this.called("GetExperiment").map(
      (c) =>
        (c.answer as { experiment?: { state?: { status?: string } } } | undefined)?.experiment?.state?.status ??
        "error",
    );
  }

  /** Resolves with the first recorded call (past or future) of `operation` that satisfies `match`. */
  waitForCall(operation: string, match: (call: AwsCall) => boolean = () => true): Promise<AwsCall> {
    const found = this.calls.find((c) => c.operation === operation && match(c));
    if (found) return Promise.resolve(found);
    return new Promise((resolve) => {
      const listener = (call: AwsCall) => {
        if (call.operation !== operation || !match(call)) return;
        this.events.off("call", listener);
        resolve(call);
      };
      this.events.on("call", listener);
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const method = req.method ?? "GET";
    const url = new URL(req.url ?? "/", "http://localhost");
    const target = req.headers["x-amz-target"];
    const call: AwsCall = {
      service: "fis",
      operation: "Unknown",
      body: {},
      method,
      path: url.pathname,
      at: Date.now(),
    };
    try {
      if (typeof target === "string") {
        const [prefix = "", operation = ""] = target.split(".");
        const [service, operations] = this.json11()[prefix] ?? ["unknown", {} as Operations];
        call.service = service;
        call.operation = operation;
        call.body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
        this.record(call);
        // Checked against the SDK's own model of the operation, as AWS validates it.
        const problems = requestProblems(call.service, operation, call.body);
        if (problems.length > 0) {
          this.refused.push(...problems);
          throw new ModelError("ValidationException", problems.join("; "));
        }
        const answer = this.serve(operations[operation], `${service}:${operation}`, call.body);
        call.answer = answer;
        res.writeHead(200, { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": "fake" });
        res.end(JSON.stringify(answer, epochSeconds));
        return;
      }
      if (String(req.headers["content-type"] ?? "").startsWith("application/x-www-form-urlencoded")) {
        const form = Object.fromEntries(new URLSearchParams(text));
        call.service = "sts";
        call.operation = form.Action ?? "Unknown";
        call.body = form;
        this.record(call);
        const answer = this.sts(call.operation);
        call.answer = answer;
        res.writeHead(200, { "content-type": "text/xml" });
        res.end(answer);
        return;
      }
      const answer = this.fis(call, method, url, text);
      call.answer = answer;
      res.writeHead(200, { "content-type": "application/json", "x-amzn-requestid": "fake" });
      res.end(JSON.stringify(answer, epochSeconds));
    } catch (error) {
      if (!this.calls.includes(call)) this.record(call);
      // A model's error as the service answers it; anything else is the fake's own failure.
      const e = error instanceof ModelError ? error : new ModelError("InternalFailure", String(error), 500);
      if (e.name === "UnknownOperationException") this.unserved.push(call);
      // The JSON protocols' error shape (the query protocol is never answered with an error here).
      res.writeHead(e.status, { "content-type": "application/json", "x-amzn-errortype": e.name });
      res.end(JSON.stringify({ __type: e.name, message: e.message }));
    }
  }

  private record(call: AwsCall): void {
    this.calls.push(call);
    this.events.emit("call", call);
  }

  private sts(operation: string): string {
    if (operation !== "GetCallerIdentity")
      throw new ModelError("UnknownOperationException", `not served: STS ${operation}`);
    return [
      '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">',
      "<GetCallerIdentityResult>",
      `<Arn>arn:aws:iam::${ACCOUNT}:user/operator</Arn><UserId>AIDAFAKE</UserId><Account>${ACCOUNT}</Account>`,
      "</GetCallerIdentityResult>",
      "<ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata>",
      "</GetCallerIdentityResponse>",
    ].join("");
  }

  /** The JSON 1.1 services by their X-Amz-Target prefix, and the model operations each serves. */
  private json11(): Record<string, [AwsService, Operations]> {
    return {
      AmazonEC2ContainerServiceV20141113: ["ecs", this.ecsModel.operations],
      AmazonSSM: ["ssm", this.ecsModel.ssmOperations],
      Logs_20140328: ["logs", this.logsModel.operations],
    };
  }

  /** A FIS request: its REST route names the operation and, in the path, its id. */
  private fis(call: AwsCall, method: string, url: URL, text: string): unknown {
    const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    const route = `${method} /${parts[0] ?? ""}${parts.length > 1 ? "/{id}" : ""}${parts[2] ? `/${parts[2]}` : ""}`;
    // Each route's operation, and its path parameter's name.
    const routes: Record<string, [string, string?]> = {
      "POST /experimentTemplates": ["CreateExperimentTemplate"],
      "DELETE /experimentTemplates/{id}": ["DeleteExperimentTemplate"],
      "POST /experiments": ["StartExperiment"],
      "GET /experiments/{id}": ["GetExperiment"],
      "DELETE /experiments/{id}": ["StopExperiment"],
      "GET /experiments/{id}/resolvedTargets": ["ListExperimentResolvedTargets", "experimentId"],
    };
    const [operation, param = "id"] = routes[route] ?? ["Unknown"];
    call.service = "fis";
    call.operation = operation;
    call.body = parts[1] === undefined ? body : { ...body, [param]: parts[1] };
    this.record(call);
    const served: Operations = this.fisModel.operations(() => Date.now());
    return this.serve(served[operation], `FIS ${method} ${url.pathname}`, call.body, 404);
  }

  /** The model's answer, its probes' lines written up to now first; UnknownOperationException if none serves it. */
  private serve(operation: Operations[string] | undefined, what: string, body: object, status = 400) {
    if (!operation) throw new ModelError("UnknownOperationException", `not served: ${what}`, status);
    this.probes.advance(Date.now());
    return operation(body as never);
  }
}
