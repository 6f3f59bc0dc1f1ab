// The README's AWS walkthrough, end to end, through the real command line (cli.ts: commander, the
// config file, the error handling) against the simulated AWS: the commands are read from the
// README in its order with its flags, and each step's output must show, in order, every line the
// README shows for it (`<...>` stands for any text). Real parts where they can run here: DynamoDB
// (dynalite, which deploy seeds), the probe process behind the load balancer's /test, a docker
// stand-in on PATH. Every AWS call made on the way is then checked against `fislat policy`.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CreateChangeSetCommand } from "@aws-sdk/client-cloudformation";
import { ECRClient, GetAuthorizationTokenCommand } from "@aws-sdk/client-ecr";
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from "@aws-sdk/client-elastic-load-balancing-v2";
import { IAMClient, SimulatePrincipalPolicyCommand } from "@aws-sdk/client-iam";
import { LOCAL_AWS_ENV, type LocalDynamo, startLocalDynamo } from "@fislat/dynamo-local";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type ProbeProcess, startProbeProcess } from "../../probe/test/support/probe-process.js";
import { operatorPolicy } from "../src/aws/operator-policy.js";
import { authorizationsOf } from "./support/authorization.js";
import { FakeCloudFormation } from "./support/fake-cloudformation.js";
import { allows, type PolicyStatement, simulatePrincipalPolicy } from "./support/iam-simulator.js";
import { fisRoleStatements } from "./support/shipped-roles.js";
import { ACCOUNT, drive, LOG_GROUP, on, REGION, SimulatedAws, sent } from "./support/simulated-aws.js";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const README = path.resolve(HERE, "../../../README.md");

/** What the README's placeholders stand for here; the image URI is what image push printed. */
const PLACEHOLDERS: Record<string, string> = {
  "<vpc-id>": "vpc-f1a7f1a7",
  "<subnet-a>": "subnet-aaaa0001",
  "<subnet-b>": "subnet-aaaa0002",
  "<your-ip>": "203.0.113.7",
};

interface Step {
  command: string;
  expected: string[];
}

/** The console blocks of the README's walkthrough: `$ pnpm exec fislat ...` and what it prints. */
export function walkthroughSteps(readme: string): Step[] {
  const start = readme.indexOf("### The whole environment from one command");
  const section = readme.slice(start, readme.indexOf("\n## ", start));
  const steps: Step[] = [];
  for (const block of section.matchAll(/```console\n([\s\S]*?)```/g)) {
    for (const line of (block[1] ?? "").split("\n")) {
      if (line.startsWith("$ ")) steps.push({ command: line.slice(2), expected: [] });
      else if (line.trim() && line.trim() !== "…" && !line.startsWith("#")) steps.at(-1)?.expected.push(line);
    }
  }
  return steps;
}

/** Whether `expected` lines appear in `actual`, in order; `<...>` in an expected line is any text. */
function missingLines(expected: string[], actual: string[]): string[] {
  const patterns = expected.map(
    (e) =>
      new RegExp(
        `^${e
          .split(/<[^>]+>/)
          .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
          .join(".+?")}$`,
      ),
  );
  let at = 0;
  const missing: string[] = [];
  patterns.forEach((pattern, i) => {
    const found = actual.findIndex((line, j) => j >= at && pattern.test(line));
    if (found === -1) missing.push(expected[i] as string);
    else at = found + 1;
  });
  return missing;
}

function argv(command: string): string[] {
  const words = command.match(/(?:[^\s"]+|"[^"]*")+/g) ?? [];
  return words.map((w) => w.replace(/^"|"$/g, ""));
}

let dir: string;
let bin: string;
let dynamo: LocalDynamo;
let probe: ProbeProcess;
let balancer: http.Server;
let sim: SimulatedAws;
let cfn: FakeCloudFormation;
let stubs: ReturnType<typeof mockClient>[] = [];
const cwd = process.cwd();

/** The load balancer in front of the probe: /test reaches the real probe; /health follows the simulated tasks. */
function startBalancer(): Promise<number> {
  balancer = http.createServer((req, res) => {
    if (req.url === "/test") {
      http
        .get(probe.url("/test"), (upstream) => {
          res.writeHead(upstream.statusCode ?? 502, upstream.headers);
          upstream.pipe(res);
        })
        .on("error", () => res.writeHead(502).end());
      return;
    }
    // The probe's /health: 503 from 30 s into a fault (HEALTH_FAILURE_SECONDS) until the fault ends.
    const now = Date.now();
    const unhealthy = [...sim.experiments.values()].some((e) => {
      const end = Math.min(e.actionStartAt + e.durationMs, e.stoppedAt ?? Number.POSITIVE_INFINITY);
      return now >= e.actionStartAt + 30_000 && now < end;
    });
    res.writeHead(unhealthy ? 503 : 200, { "content-type": "application/json" });
    res.end(JSON.stringify({ status: unhealthy ? "unhealthy" : "healthy" }));
  });
  balancer.listen(0, "127.0.0.1");
  return new Promise((resolve) => balancer.once("listening", () => resolve((balancer.address() as AddressInfo).port)));
}

/** A docker stand-in: answers version, records the rest. */
function fakeDocker() {
  bin = mkdtempSync(path.join(os.tmpdir(), "fislat-walk-docker-"));
  writeFileSync(
    path.join(bin, "docker"),
    `#!/bin/sh\nif [ "$1" = "version" ]; then echo "28.2.2"; exit 0; fi\nif [ "$1" = "login" ]; then cat >/dev/null; fi\necho "$*" >> "${bin}/calls.log"\n`,
  );
  chmodSync(path.join(bin, "docker"), 0o755);
}

const CLI_MODULE = new URL("../src/cli.ts", import.meta.url).href;
let loads = 0;
/** A fresh instance of cli.ts (it parses process.argv when it loads), as a new process would run it. */
function loadCli(): Promise<unknown> {
  return import(/* @vite-ignore */ `${CLI_MODULE}?run=${++loads}`);
}

const realSetTimeout = globalThis.setTimeout;

/**
 * Stands in for the process around one cli.ts instance: stdout and stderr collected (each write's
 * callback called, as cli.ts waits for its output to flush), and process.exit, with which cli.ts
 * ends, a no-op that leaves process.exitCode to read.
 */
function captureProcessOutput(collect: (text: string) => void) {
  const write = (chunk: string | Uint8Array, ...rest: unknown[]) => {
    collect(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString());
    const callback = rest.find((r) => typeof r === "function") as (() => void) | undefined;
    callback?.();
    return true;
  };
  return [
    vi.spyOn(process.stdout, "write").mockImplementation(write as never),
    vi.spyOn(process.stderr, "write").mockImplementation(write as never),
    vi.spyOn(process, "exit").mockImplementation((() => undefined) as never),
  ];
}

/**
 * Drives a step on the fake clock: virtual time moves only while something waits on it (a timer
 * is pending); otherwise the step waits on real I/O (loading a command's modules, dynalite, the
 * probe), which gets real time. Bounded by a virtual day and a real minute.
 */
async function driveSteps<T>(work: Promise<T>): Promise<T> {
  let settled = false;
  const mark = () => {
    settled = true;
  };
  work.then(mark, mark);
  const startedAt = process.hrtime.bigint();
  for (let virtual = 0; !settled; ) {
    if (virtual > 86_400_000 || process.hrtime.bigint() - startedAt > 60_000_000_000n)
      throw new Error(`step still running after ${virtual} ms of virtual time`);
    if (vi.getTimerCount() === 0) {
      await new Promise((resolve) => realSetTimeout(resolve, 2));
    } else {
      await new Promise((resolve) => setImmediate(resolve));
      await vi.advanceTimersByTimeAsync(250);
      virtual += 250;
    }
  }
  return work;
}

interface StepResult {
  code: number;
  lines: string[];
}

/** Runs `fislat <args>` through cli.ts in this process, on the fake clock; collects stdout and stderr lines. */
async function fislat(args: string[]): Promise<StepResult> {
  let out = "";
  const spies = captureProcessOutput((text) => {
    out += text;
  });
  const argvBefore = process.argv;
  process.argv = [process.execPath, "fislat", ...(process.env.FISLAT_WALKTHROUGH_PRINT ? ["--debug"] : []), ...args];
  process.exitCode = 0;
  try {
    // A fresh copy of cli.ts per step (it parses process.argv when it loads), as a new process would.
    await driveSteps(loadCli());
    return { code: Number(process.exitCode ?? 0), lines: out.split("\n").filter((l) => l.trim() !== "") };
  } finally {
    process.exitCode = 0;
    process.argv = argvBefore;
    for (const s of spies) s.mockRestore();
  }
}

beforeAll(async () => {
  // Everything the commands import on demand, loaded before the fake clock runs: module loading is
  // real I/O, which virtual time would race past.
  await Promise.all(
    [
      "../src/aws/clients.js",
      "../src/aws/environment.js",
      "../src/commands/deploy.js",
      "../src/commands/image.js",
      "../src/commands/doctor.js",
      "../src/commands/probe-test.js",
      "../src/commands/run.js",
      "../src/commands/tail.js",
      "../src/commands/stop.js",
      "../src/engine/ports.js",
    ].map((m) => import(/* @vite-ignore */ new URL(m, import.meta.url).href)),
  );
  const argvBefore = process.argv;
  const quiet = captureProcessOutput(() => {});
  process.argv = [process.execPath, "fislat", "--help"];
  await loadCli();
  process.argv = argvBefore;
  process.exitCode = 0;
  for (const spy of quiet) spy.mockRestore();
  dir = mkdtempSync(path.join(os.tmpdir(), "fislat-walk-"));
  dynamo = await startLocalDynamo({ seed: false });
  // Generous timeouts: `fislat test`'s one round trip must not time out on a loaded machine (it
  // once did, with the default 5 s, under four test processes on two cores).
  probe = await startProbeProcess(dynamo.endpoint, {
    TEST_INTERVAL_SECONDS: "3600",
    TABLE_NAME: "MyTestTable",
    CONNECTION_TIMEOUT_MS: "30000",
    READ_TIMEOUT_MS: "30000",
  });
  const port = await startBalancer();
  fakeDocker();
  vi.useFakeTimers({
    now: new Date("2026-11-25T10:00:00.000Z"),
    toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date", "performance"],
  });
  vi.stubEnv("AWS_REGION", REGION);
  vi.stubEnv("AWS_ACCESS_KEY_ID", LOCAL_AWS_ENV.AWS_ACCESS_KEY_ID);
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", LOCAL_AWS_ENV.AWS_SECRET_ACCESS_KEY);
  vi.stubEnv("AWS_ENDPOINT_URL_DYNAMODB", dynamo.endpoint);
  vi.stubEnv("PATH", `${bin}:${process.env.PATH}`);
  vi.stubEnv("NO_COLOR", "1");
  sim = new SimulatedAws({ liveTail: true });
  cfn = new FakeCloudFormation();
  cfn.loadBalancerDns = `127.0.0.1:${port}`;
  // The simulated ECS runs the probe's tasks in cluster FIS and logs to the original setup's group.
  cfn.clusterName = "FIS";
  const ecr = mockClient(ECRClient);
  on(ecr as never, GetAuthorizationTokenCommand).resolves({
    authorizationData: [
      {
        authorizationToken: Buffer.from("AWS:s3cret").toString("base64"),
        proxyEndpoint: `https://${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com`,
      },
    ],
  });
  const iam = mockClient(IAMClient);
  on(iam as never, SimulatePrincipalPolicyCommand).callsFake((input: Parameters<typeof simulatePrincipalPolicy>[1]) =>
    simulatePrincipalPolicy(fisRoleStatements({ region: REGION, account: ACCOUNT }), input),
  );
  const elb = mockClient(ElasticLoadBalancingV2Client);
  on(elb as never, DescribeTargetHealthCommand).resolves({
    TargetHealthDescriptions: [{ TargetHealth: { State: "healthy" } }],
  });
  stubs = [ecr, iam, elb];
  // The stack's table, as CloudFormation would create it, for deploy to seed.
  mkdirSync(dir, { recursive: true });
  process.chdir(dir);
});

afterAll(async () => {
  process.chdir(cwd);
  vi.useRealTimers();
  vi.unstubAllEnvs();
  sim.reset();
  cfn.restore();
  for (const s of stubs) s.restore();
  await probe.stop();
  await new Promise<void>((resolve) => balancer.close(() => resolve()));
  await dynamo.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(bin, { recursive: true, force: true });
});

describe("the README's AWS walkthrough", () => {
  it("runs end to end with the README's commands and flags, printing what the README shows", async () => {
    const steps = walkthroughSteps(readFileSync(README, "utf8"));
    expect(steps.map((s) => s.command.replace(/ --.*$/, ""))).toEqual([
      "pnpm exec fislat deploy",
      "pnpm exec fislat image push",
      "pnpm exec fislat deploy",
      "pnpm exec fislat doctor",
      "pnpm exec fislat test",
      "pnpm exec fislat run",
      "pnpm exec fislat tail",
      "pnpm exec fislat stop",
      "pnpm exec fislat destroy",
    ]);
    const values = { ...PLACEHOLDERS };
    for (const step of steps) {
      let command = step.command;
      for (const [placeholder, value] of Object.entries(values)) command = command.split(placeholder).join(value);
      const args = argv(command).slice(3);
      if (args[0] === "deploy" && dynamo && !(await tableExists())) await createTable();
      const result = await fislat(args);
      if (process.env.FISLAT_WALKTHROUGH_PRINT)
        console.log(`$ ${command}\n${result.lines.join("\n")}\n(exit ${result.code})`);
      expect(result.code, `${command}\n${result.lines.join("\n")}`).toBe(0);
      expect(missingLines(step.expected, result.lines), `${command}\n${result.lines.join("\n")}`).toEqual([]);
      if (args[0] === "deploy" && args.includes("--image")) {
        // fislat.config.json's cluster and repository (what deploy made) must not become deploy's
        // own parameters: an "existing" cluster named like the stack's would make it drop its own.
        const update = sent(cfn.stub, CreateChangeSetCommand).at(-1) as {
          Parameters: { ParameterKey: string; ParameterValue?: string }[];
        };
        const keys = update.Parameters.filter((p) => p.ParameterValue !== undefined).map((p) => p.ParameterKey);
        expect(keys).toContain("ImageUri");
        expect(keys).not.toContain("ClusterName");
        expect(keys).not.toContain("CreateRepository");
      }
      const pushed = result.lines.find((l) => l.startsWith("pushed "));
      if (pushed) values["<the uri image push printed>"] = pushed.slice("pushed ".length);
    }
  });

  it("made only AWS calls that fislat policy allows", () => {
    const config = JSON.parse(readFileSync(path.join(dir, "fislat.config.json"), "utf8"));
    const policy = operatorPolicy({
      partition: "aws",
      region: REGION,
      account: ACCOUNT,
      stackName: config.stackName,
      cluster: config.cluster,
      service: config.service,
      taskDefinition: config.taskDefinition,
      roleArn: config.roleArn,
      repository: config.repository,
      logGroup: LOG_GROUP,
    }).Statement as PolicyStatement[];
    const where = { partition: "aws", region: REGION, account: ACCOUNT };
    const calls = [sim.ecs, sim.fis, sim.logs, sim.sts, cfn.stub, ...stubs].flatMap((s) =>
      (s as ReturnType<typeof mockClient>).calls().map((c) => {
        const command = c.args[0] as { constructor: { name: string }; input: Record<string, unknown> };
        return { name: command.constructor.name, input: command.input };
      }),
    );
    expect(calls.length).toBeGreaterThan(20);
    const denied = calls.flatMap((c) =>
      authorizationsOf(c.name, c.input, where)
        .filter((a) => !allows(policy, a.action, a.resource, a.context))
        .map((a) => `${c.name}: ${a.action} on ${a.resource}`),
    );
    expect([...new Set(denied)]).toEqual([]);
  });
});

async function tableExists(): Promise<boolean> {
  return tablesMade;
}
let tablesMade = false;
async function createTable() {
  const { CreateTableCommand, DynamoDBClient } = await import("@aws-sdk/client-dynamodb");
  const client = new DynamoDBClient({ endpoint: dynamo.endpoint });
  await drive(
    client.send(
      new CreateTableCommand({
        TableName: "MyTestTable",
        AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    ),
  );
  client.destroy();
  tablesMade = true;
}
