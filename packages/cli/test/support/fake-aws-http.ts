// A fake AWS on 127.0.0.1, over real HTTP, for the built CLI running as a child process (where
// aws-sdk-client-mock cannot reach): only the calls of the simplest `fislat run` (found tasks of a
// service, --no-live-tail), in each service's own wire protocol as the SDK models in node_modules
// define it. STS is the query protocol (form-encoded POST, XML answer); ECS, CloudWatch Logs and
// SSM are JSON 1.1 (X-Amz-Target); FIS is REST-JSON. Time is the real clock, as the child's is:
// each task writes one Round trip line a second (timeouts while the FIS action runs), visible a
// second later. Every request is recorded (operation and body) for the test to assert on. FIS is
// the one model every test shares (fis-model.ts), as the in-process simulation's is.
import { EventEmitter } from "node:events";
import { writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { RoundTripRecord } from "@fislat/probe/record";
import { FisError, FisModel, type TemplateInput } from "./fis-model.js";
import { requestProblems } from "./sdk-schema.js";

export const ACCOUNT = "000000000000";
export const REGION = "us-east-1";
export const CLUSTER = "FIS";
export const SERVICE = "dynamodb-test-service";
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/fisExperimentRole`;
export const LOG_GROUP = "/ecs/dynamodb-latency-test";
const LOG_GROUP_ARN = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${LOG_GROUP}`;
const CONTAINER = "fis-latency-test-to-ddb-app";
const STREAM_PREFIX = "ecs";
const TASK_DEF_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/dynamodb-latency-test:7`;
export const taskArn = (id: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${CLUSTER}/${id}`;
export const streamOf = (id: string) => `${STREAM_PREFIX}/${CONTAINER}/${id}`;

/** The probe's loop interval in the task definition (TEST_INTERVAL_SECONDS). */
const INTERVAL_MS = 1000;
/** A line is visible to FilterLogEvents this long after it was written (no 5 s batching: a quick test). */
const INGESTION_MS = 1000;
/** By default FIS starts the action this long after StartExperiment ("initiating", action "pending" until then). */
const ACTION_START_MS = 1000;
/** Lines exist from this long before the fake started: the tasks have been running a while. */
const HISTORY_MS = 60_000;

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

interface LogEvent {
  eventId: string;
  logStreamName: string;
  timestamp: number;
  ingestionTime: number;
  message: string;
}

class AwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/** REST-JSON timestamps are epoch seconds on the wire (the SDK's default for FIS's timestamps). */
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
  private readonly lines: LogEvent[] = [];
  private readonly seq = new Map<string, number>();
  private writtenUntil: number;
  private url = "";

  constructor(options: { tasks?: string[]; actionStartMs?: number } = {}) {
    this.tasks = options.tasks ?? ["0123456789abcdef0123456789abcdef"];
    this.fisModel = new FisModel({ actionStartMs: options.actionStartMs ?? ACTION_START_MS, stoppingReads: 1 }, () =>
      this.tasks.map(taskArn),
    );
    this.writtenUntil = Math.ceil((Date.now() - HISTORY_MS) / INTERVAL_MS) * INTERVAL_MS;
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
        const [prefix, operation = ""] = target.split(".");
        call.service =
          prefix === "AmazonEC2ContainerServiceV20141113"
            ? "ecs"
            : prefix === "Logs_20140328"
              ? "logs"
              : prefix === "AmazonSSM"
                ? "ssm"
                : "unknown";
        call.operation = operation;
        call.body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
        this.record(call);
        // Checked against the SDK's own model of the operation, as AWS validates it.
        const problems = requestProblems(call.service, operation, call.body);
        if (problems.length > 0) {
          this.refused.push(...problems);
          throw new AwsError("ValidationException", problems.join("; "));
        }
        const answer = this.json11(call.service, operation, call.body);
        call.answer = answer;
        res.writeHead(200, { "content-type": "application/x-amz-json-1.1", "x-amzn-requestid": "fake" });
        res.end(JSON.stringify(answer));
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
      const e = error instanceof AwsError ? error : new AwsError("InternalFailure", String(error), 500);
      if (e.type === "UnknownOperationException") this.unserved.push(call);
      // The JSON protocols' error shape (the query protocol is never answered with an error here).
      res.writeHead(e.status, { "content-type": "application/json", "x-amzn-errortype": e.type });
      res.end(JSON.stringify({ __type: e.type, message: e.message }));
    }
  }

  private record(call: AwsCall): void {
    this.calls.push(call);
    this.events.emit("call", call);
  }

  private sts(operation: string): string {
    if (operation !== "GetCallerIdentity")
      throw new AwsError("UnknownOperationException", `not served: STS ${operation}`);
    return [
      '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">',
      "<GetCallerIdentityResult>",
      `<Arn>arn:aws:iam::${ACCOUNT}:user/operator</Arn><UserId>AIDAFAKE</UserId><Account>${ACCOUNT}</Account>`,
      "</GetCallerIdentityResult>",
      "<ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata>",
      "</GetCallerIdentityResponse>",
    ].join("");
  }

  private json11(service: AwsService, operation: string, body: Record<string, unknown>): unknown {
    const key = `${service}:${operation}`;
    switch (key) {
      case "ecs:ListTasks":
        return { taskArns: this.tasks.map(taskArn) };
      case "ecs:DescribeTasks":
        return {
          tasks: (body.tasks as string[])
            .map((t) => (t.startsWith("arn:") ? t : taskArn(t)))
            .filter((arn) => this.tasks.map(taskArn).includes(arn))
            .map((arn, i) => ({
              taskArn: arn,
              clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${CLUSTER}`,
              taskDefinitionArn: TASK_DEF_ARN,
              lastStatus: "RUNNING",
              desiredStatus: "RUNNING",
              launchType: "FARGATE",
              enableExecuteCommand: false,
              group: `service:${SERVICE}`,
              tags: [{ key: "Environment", value: "test" }],
              attachments: [
                {
                  type: "ElasticNetworkInterface",
                  status: "ATTACHED",
                  details: [{ name: "privateIPv4Address", value: `10.0.0.${i + 10}` }],
                },
              ],
            })),
          failures: [],
        };
      case "ecs:DescribeTaskDefinition":
        return { taskDefinition: taskDefinition() };
      case "ecs:DescribeServices":
        return {
          services: [
            {
              serviceName: SERVICE,
              clusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${CLUSTER}`,
              status: "ACTIVE",
              taskDefinition: TASK_DEF_ARN,
              launchType: "FARGATE",
              platformVersion: "LATEST",
              enableExecuteCommand: false,
              loadBalancers: [],
              networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-a"], securityGroups: ["sg-a"] } },
            },
          ],
          failures: [],
        };
      case "ssm:DescribeInstanceInformation": {
        const filter = (body.Filters as { Key: string; Values: string[] }[] | undefined)?.find(
          (f) => f.Key === "tag:ECS_TASK_ARN",
        );
        const ours = new Set(this.tasks.map(taskArn));
        return {
          InstanceInformationList: (filter?.Values ?? [])
            .filter((arn) => ours.has(arn))
            .map((arn) => ({
              InstanceId: `mi-${(arn.split("/").at(-1) ?? "").slice(0, 17)}`,
              PingStatus: "Online",
              ResourceType: "ManagedInstance",
            })),
        };
      }
      case "logs:DescribeLogGroups":
        return {
          logGroups: [{ logGroupName: LOG_GROUP, logGroupArn: LOG_GROUP_ARN, arn: `${LOG_GROUP_ARN}:*` }],
        };
      case "logs:FilterLogEvents":
        return { events: this.filter(body), searchedLogStreams: [] };
      default:
        throw new AwsError("UnknownOperationException", `not served: ${key}`);
    }
  }

  private fis(call: AwsCall, method: string, url: URL, text: string): unknown {
    const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    const route = `${method} /${parts[0] ?? ""}${parts.length > 1 ? "/{id}" : ""}${parts[2] ? `/${parts[2]}` : ""}`;
    const operation = {
      "POST /experimentTemplates": "CreateExperimentTemplate",
      "DELETE /experimentTemplates/{id}": "DeleteExperimentTemplate",
      "POST /experiments": "StartExperiment",
      "GET /experiments/{id}": "GetExperiment",
      "DELETE /experiments/{id}": "StopExperiment",
      "GET /experiments/{id}/resolvedTargets": "ListExperimentResolvedTargets",
    }[route];
    call.service = "fis";
    call.operation = operation ?? "Unknown";
    call.body = parts[1] === undefined ? body : { ...body, id: parts[1] };
    this.record(call);
    const id = parts[1] ?? "";
    const now = Date.now();
    try {
      switch (operation) {
        case "CreateExperimentTemplate":
          return { experimentTemplate: this.fisModel.createTemplate(body as unknown as TemplateInput, now) };
        case "DeleteExperimentTemplate":
          return { experimentTemplate: this.fisModel.deleteTemplate(id) };
        case "StartExperiment":
          return {
            experiment: this.fisModel.startExperiment(
              body as { experimentTemplateId: string; tags?: Record<string, string> },
              now,
            ),
          };
        case "GetExperiment":
          return { experiment: this.fisModel.getExperiment(id, now) };
        case "StopExperiment":
          return { experiment: this.fisModel.stopExperiment(id, now) };
        case "ListExperimentResolvedTargets":
          return { resolvedTargets: this.fisModel.resolvedTargets(id) };
        default:
          throw new AwsError("UnknownOperationException", `not served: FIS ${method} ${url.pathname}`, 404);
      }
    } catch (error) {
      if (error instanceof FisError) throw new AwsError(error.name, error.message, error.status);
      throw error;
    }
  }

  /** Whether the latency is on at `t`: an action runs, and no stop has been asked for. */
  private faultOn(t: number): boolean {
    return [...this.fisModel.experiments.values()].some((e) => this.fisModel.actionActive(e, t));
  }

  /** Each task's lines up to now, written as the probe writes them: one round trip a second. */
  private advance(): void {
    const now = Date.now();
    for (; this.writtenUntil <= now; this.writtenUntil += INTERVAL_MS) {
      const t = this.writtenUntil;
      const fault = this.faultOn(t);
      for (const id of this.tasks) {
        const seq = (this.seq.get(id) ?? 0) + 1;
        this.seq.set(id, seq);
        const rttMs = fault ? 501 : 8;
        const record: RoundTripRecord = {
          ts: new Date(t).toISOString(),
          level: fault ? "warn" : "info",
          msg: "Round trip",
          ok: !fault,
          rttMs,
          op: "GetItem",
          table: "MyTestTable",
          seq,
          src: "loop",
          task: taskArn(id),
          conn: "reused",
          healthy: true,
          ...(fault ? { errorKind: "timeout" as const, error: "TimeoutError: timed out after 500 ms" } : {}),
        };
        this.lines.push({
          eventId: `${id}-${seq}`,
          logStreamName: streamOf(id),
          timestamp: t,
          ingestionTime: t + rttMs + INGESTION_MS,
          message: JSON.stringify(record),
        });
      }
    }
  }

  /** FilterLogEvents: the ingested events of the named streams (or prefix) in [startTime, endTime]. */
  private filter(body: Record<string, unknown>): LogEvent[] {
    this.advance();
    const now = Date.now();
    const names = body.logStreamNames as string[] | undefined;
    const prefix = body.logStreamNamePrefix as string | undefined;
    const from = (body.startTime as number | undefined) ?? Number.NEGATIVE_INFINITY;
    const to = (body.endTime as number | undefined) ?? Number.POSITIVE_INFINITY;
    return this.lines.filter(
      (e) =>
        e.ingestionTime <= now &&
        e.timestamp >= from &&
        e.timestamp <= to &&
        (!names || names.includes(e.logStreamName)) &&
        (!prefix || e.logStreamName.startsWith(prefix)),
    );
  }
}

/** The probe's task definition as fislat deploy registers it: fault injection on, the SSM sidecar, awslogs. */
function taskDefinition() {
  return {
    taskDefinitionArn: TASK_DEF_ARN,
    family: "dynamodb-latency-test",
    revision: 7,
    status: "ACTIVE",
    enableFaultInjection: true,
    pidMode: "task",
    networkMode: "awsvpc",
    requiresCompatibilities: ["FARGATE"],
    runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
    containerDefinitions: [
      {
        name: CONTAINER,
        image: "probe:latest",
        essential: true,
        environment: [
          { name: "CONNECTION_TIMEOUT_MS", value: "500" },
          { name: "READ_TIMEOUT_MS", value: "500" },
          { name: "TEST_INTERVAL_SECONDS", value: String(INTERVAL_MS / 1000) },
          { name: "TABLE_NAME", value: "MyTestTable" },
        ],
        logConfiguration: {
          logDriver: "awslogs",
          options: {
            "awslogs-group": LOG_GROUP,
            "awslogs-region": REGION,
            "awslogs-stream-prefix": STREAM_PREFIX,
          },
        },
      },
      {
        name: "amazon-ssm-agent",
        image: "public.ecr.aws/amazon-ssm-agent/amazon-ssm-agent:latest",
        essential: false,
        environment: [{ name: "MANAGED_INSTANCE_ROLE_NAME", value: "fislat-ssm-managed-instance" }],
      },
    ],
  };
}
