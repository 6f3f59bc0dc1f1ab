// fislat run --local against the user's own app: the sample app in test/fixtures/sample-app
// (Node, the AWS SDK v3, its own DynamoDB timeout) run through the whole loop with real parts:
// dynalite with the tables file, the latency proxy, the app as a child process, real HTTP load.
// Each run checks that nothing of it is left (the app's process group is gone).

import { once } from "node:events";
import { existsSync, readFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { EXIT_FOR } from "../../src/engine/outcome.js";
import type { Report } from "../../src/engine/report.js";
import { EXIT } from "../../src/errors.js";
import { startCli } from "../support/cli.js";
import { expectHeadlineAgreesWithTable } from "../support/headline.js";
import { portRefuses, reportFolder } from "../support/local-run.js";
import { type PtyRun, startInPty } from "../support/pty.js";

const APP_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../fixtures/sample-app");
const APP = `node ${path.join(APP_DIR, "server.mjs")}`;
const TABLES = path.join(APP_DIR, "tables.json");
const PHASES = ["--baseline", "2s", "--duration", "4s", "--recovery", "2s"];

const reports = reportFolder();
const running: ReturnType<typeof startCli>[] = [];
const terminals: PtyRun[] = [];
afterAll(() => {
  for (const r of running) r.child.kill("SIGKILL");
  for (const t of terminals) t.driver.kill("SIGKILL");
  reports.remove();
});

async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((r) => server.close(r));
  return port;
}

/** Whether any process of this group is still alive. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** fislat with the app's output (a temp file) kept in the test's folder. */
function fislat(args: string[]) {
  const run = startCli(args, { TMPDIR: reports.dir });
  running.push(run);
  return run;
}

async function appRun(name: string, port: number, extra: string[]) {
  const args = [
    "run",
    "--local",
    "--app",
    APP,
    "--app-env",
    `PORT=${port}`,
    "--url",
    `http://127.0.0.1:${port}/orders/42`,
    "--rate",
    "20",
    ...PHASES,
    "--json",
    reports.file(name),
    ...extra,
  ];
  const run = fislat(args);
  const code = await run.exit;
  return { code, run };
}

describe("fislat run --local --app", () => {
  it("passes an app that holds under 300 ms of DynamoDB latency, with its tables, and shows its DynamoDB calls per request", async () => {
    const port = await freePort();
    const { code, run } = await appRun("holds", port, [
      "--tables",
      TABLES,
      "--app-env",
      "TABLE=Orders",
      "--app-env",
      "DDB_TIMEOUT_MS=1500",
      "--delay",
      "300",
      "--jitter",
      "0",
      "--threshold",
      "injection.rtt:p(99)<1500",
      "--threshold",
      "injection.failed:rate<0.01",
    ]);
    expect(run.stderr()).toContain("app: node");
    expect(code).toBe(EXIT.passed);
    const report = reports.read("holds");
    expect(report.outcome).toBe("passed");
    // GET /orders/42 answered 200 only because the tables file's item was loaded.
    const app = (report.evidence as { app: { byPhase: Record<string, Record<string, number>> } }).app;
    expect(app.byPhase.injection?.["2xx"]).toBe(app.byPhase.injection?.requests);
    const dynamodb = (report.evidence as { dynamodb: Record<string, { requests: number; callsPerRequest: number }> })
      .dynamodb;
    for (const phase of ["baseline", "injection", "recovery"])
      expect(dynamodb[phase]?.callsPerRequest).toBeCloseTo(1, 0);
    // The app's requests under the fault carried the delay.
    expect(report.phases.injection.latency?.p50).toBeGreaterThanOrEqual(300);
    expect(run.stdout()).toMatch(/DynamoDB calls through the proxy: baseline \d+ \([\d.]+ per request\)/);
    // The report speaks of the app's requests: no probe, no read timeout it did not have.
    const unwrapped = run.stdout().replace(/\n {2,}(?=\S)/g, " ");
    expect(unwrapped).toMatch(/local twin: the proxy delays each chunk your app sends to DynamoDB/);
    expect(report.parameters.fault.fidelity).not.toMatch(/probe|read timeout/);
    expectHeadlineAgreesWithTable(unwrapped, report, "requests");
    const pid = report.environment.app?.pid as number;
    expect(groupAlive(pid)).toBe(false);
    expect(report.environment.app?.output).toMatch(/fislat-app-.*\.log$/);
  });

  it("fails an app whose own 400 ms DynamoDB timeout cannot hold 800 ms, naming the threshold", async () => {
    const port = await freePort();
    const { code, run } = await appRun("fails", port, [
      "--app-env",
      "DDB_TIMEOUT_MS=400",
      "--url",
      `http://127.0.0.1:${port}/orders/test1`,
      "--threshold",
      "injection.failed:rate<0.01",
      "--threshold",
      "injection.status_5xx:rate<0.5",
    ]);
    expect(code).toBe(EXIT.failed);
    const report = reports.read("fails");
    // The app answered 503 when its own DynamoDB deadline passed: failed, and in the 5xx class.
    expect(report.reasons).toEqual(["injection.failed: rate<0.01", "injection.status_5xx: rate<0.5"]);
    expect(run.stdout()).toMatch(/FAIL injection\.failed: rate<0\.01: observed 100\.0%/);
    expect(groupAlive(report.environment.app?.pid as number)).toBe(false);
  });

  it("calls a run inconclusive when the app made no DynamoDB calls under the fault, saying so", async () => {
    const port = await freePort();
    const { code, run } = await appRun("no-dynamodb", port, ["--app-env", "SAMPLE_MODE=no-dynamodb"]);
    expect(code).toBe(EXIT_FOR.inconclusive);
    const report = reports.read("no-dynamodb");
    expect(report.outcome).toBe("inconclusive");
    expect(report.reasons[0]).toMatch(
      /your app sent no DynamoDB traffic through the latency proxy during the injection/,
    );
    expect(run.stdout()).toMatch(/INCONCLUSIVE/);
  });

  it("ends with an environment error showing the app's last lines when it crashes at start", async () => {
    const port = await freePort();
    const { code, run } = await appRun("crash", port, ["--app-env", "SAMPLE_MODE=crash"]);
    expect(code).toBe(EXIT.environment);
    expect(run.stderr()).toMatch(/your app \(node .*server\.mjs\) exited with code 3 before it was ready/);
    expect(run.stderr()).toContain("sample-app: cannot read config/orders.yaml: ENOENT");
  });

  it("ends with an environment error naming the URL when the app is not ready in time, and stops it", async () => {
    const port = await freePort();
    const run = fislat([
      "run",
      "--local",
      "--app",
      "echo starting up; sleep 30",
      "--url",
      `http://127.0.0.1:${port}/orders/42`,
      "--rate",
      "5",
      "--app-ready-timeout",
      "6s",
    ]);
    expect(await run.exit).toBe(EXIT.environment);
    expect(run.stderr()).toContain(
      `http://127.0.0.1:${port}/orders/42 did not answer within 6 s (--app-ready-timeout; last: ECONNREFUSED)`,
    );
    // While it waited, the progress said for what and how long it would still wait (5 s in: about 1 s).
    expect(run.stderr()).toMatch(
      new RegExp(
        `waiting for http://127\\.0\\.0\\.1:${port}/orders/42 to answer: [\\d.]+ (s|ms) left of --app-ready-timeout 6 s`,
      ),
    );
    expect(run.stderr()).not.toMatch(/starting 0 ms left|no round trip yet/);
    expect(run.stderr()).toContain("starting up");
    const pid = Number(/\(pid (\d+)\); its output/.exec(run.stderr())?.[1]);
    expect(groupAlive(pid)).toBe(false);
  });

  it("ends the run with an environment error when the app exits mid-run, never a hang", async () => {
    const port = await freePort();
    const { code, run } = await appRun("mid-run", port, ["--app-env", "EXIT_AFTER_MS=3000"]);
    expect(code).toBe(EXIT.environment);
    const report = reports.read("mid-run");
    expect(report.outcome).toBe("error");
    expect(report.summary).toMatch(/exited with code 7 during the run/);
    expect(report.summary).toContain("sample-app: out of memory (simulated)");
    expect(report.fault.removal === "confirmed" || report.fault.removal === "not-started").toBe(true);
    expect(run.stdout()).toMatch(/exit 3|exit 6/);
  });

  it("stops on a Ctrl-C typed in a terminal mid-run: fault removed, app stopped, exit 4, nothing left", async () => {
    const port = await freePort();
    const t = startInPty(
      [
        "run",
        "--local",
        "--app",
        APP,
        "--app-env",
        `PORT=${port}`,
        "--url",
        `http://127.0.0.1:${port}/orders/test1`,
        "--rate",
        "20",
        "--baseline",
        "2s",
        "--duration",
        "30s",
        "--json",
        reports.file("ctrl-c"),
      ],
      { columns: 100, rows: 30 },
      { TMPDIR: reports.dir },
    );
    terminals.push(t);
    await t.waitFor(/injection [\d.]+ \w+ left/);
    t.type("\u0003");
    // From the Ctrl-C on, the status says it is stopping (what a second Ctrl-C sees), never "judging 0 ms left".
    await t.waitFor(/stopping \| last/);
    expect(await t.exit).toBe(EXIT.interrupted);
    expect(t.output()).not.toMatch(/judging 0 ms left/);
    const report = reports.read("ctrl-c");
    expect(report).toMatchObject({ outcome: "interrupted", interrupted: { reason: "SIGINT received" } });
    expect(report.fault.removal).toBe("confirmed");
    expect(groupAlive(report.environment.app?.pid as number)).toBe(false);
    const [, proxyPort, dynamoPort] =
      /latency proxy :(\d+) \(--seed \d+\) -> dynalite :(\d+)/.exec(report.environment.target) ?? [];
    expect(await portRefuses(Number(proxyPort))).toBe(true);
    expect(await portRefuses(Number(dynamoPort))).toBe(true);
    expect(await portRefuses(port)).toBe(true);
  });

  it("leaves nothing when fislat is killed with kill -9 (the keeper stops the app)", async () => {
    const port = await freePort();
    const run = fislat([
      "run",
      "--local",
      "--app",
      APP,
      "--app-env",
      `PORT=${port}`,
      "--url",
      `http://127.0.0.1:${port}/orders/test1`,
      "--rate",
      "20",
      "--baseline",
      "60s",
    ]);
    await run.waitForStderr(/baseline for/);
    const pid = Number(/\(pid (\d+)\); its output/.exec(run.stderr())?.[1]);
    expect(groupAlive(pid)).toBe(true);
    run.child.kill("SIGKILL");
    await run.exit;
    // Nothing to wait on but the group itself: poll it, with a bound (the keeper's grace is 5 s).
    const deadline = Date.now() + 15_000;
    while (groupAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(groupAlive(pid)).toBe(false);
  });

  it("judges an app already running (--proxy-port, no --app) and starts none", async () => {
    const appPort = await freePort();
    const proxyPort = await freePort();
    const { spawn } = await import("node:child_process");
    const app = spawn(process.execPath, [path.join(APP_DIR, "server.mjs")], {
      env: {
        ...process.env,
        PORT: String(appPort),
        AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${proxyPort}`,
        AWS_REGION: "us-east-1",
        AWS_ACCESS_KEY_ID: "x",
        AWS_SECRET_ACCESS_KEY: "x",
      },
      stdio: "ignore",
    });
    try {
      const run = fislat([
        "run",
        "--local",
        "--proxy-port",
        String(proxyPort),
        "--url",
        `http://127.0.0.1:${appPort}/orders/test1`,
        "--rate",
        "20",
        ...PHASES,
        "--delay",
        "200",
        "--json",
        reports.file("external"),
      ]);
      expect(await run.exit).toBe(EXIT.passed);
      const report: Report = reports.read("external");
      expect(report.environment.app?.pid).toBeUndefined();
      expect(report.environment.target).toMatch(new RegExp(`latency proxy :${proxyPort} `));
      const dynamodb = (report.evidence as { dynamodb: Record<string, { requests: number }> }).dynamodb;
      expect(dynamodb.injection?.requests).toBeGreaterThan(0);
      expect(app.exitCode).toBeNull();
    } finally {
      app.kill("SIGKILL");
    }
  });

  it("puts the fault in front of the user's own local DynamoDB with --dynamodb, creating no tables", async () => {
    const { startLocalDynamo } = await import("@fislat/dynamo-local");
    // "Their" DynamoDB: a dynalite of the test's own, with the sample's Orders table.
    const theirs = await startLocalDynamo({
      tables: [
        {
          TableName: "Orders",
          KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
          AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
          Items: [{ id: { S: "42" } }],
        },
      ],
    });
    try {
      const port = await freePort();
      const { code } = await appRun("their-dynamodb", port, [
        "--dynamodb",
        `http://127.0.0.1:${theirs.port}`,
        "--app-env",
        "TABLE=Orders",
        "--delay",
        "200",
        "--jitter",
        "0",
      ]);
      expect(code).toBe(EXIT.passed);
      const report = reports.read("their-dynamodb");
      expect(report.environment.target).toMatch(new RegExp(`-> your DynamoDB http://127.0.0.1:${theirs.port}$`));
      const dynamodb = (report.evidence as { dynamodb: Record<string, { requests: number }> }).dynamodb;
      expect(dynamodb.injection?.requests).toBeGreaterThan(0);
    } finally {
      await theirs.close();
    }
  });

  it("starts an experiment file's target.app in the file's folder, not the one fislat runs in", async () => {
    const { mkdirSync, writeFileSync } = await import("node:fs");
    const folder = path.join(reports.dir, "team");
    mkdirSync(folder);
    // An app found only beside the file: it answers every request and records where it started.
    writeFileSync(
      path.join(folder, "app.mjs"),
      `import { createServer } from "node:http";
import { writeFileSync } from "node:fs";
writeFileSync("started-in.txt", process.cwd());
createServer((_q, r) => r.end("ok")).listen(Number(process.env.PORT), "127.0.0.1");
`,
    );
    const port = await freePort();
    writeFileSync(
      path.join(folder, "exp.yaml"),
      `version: 1
name: team-app
target: { app: node app.mjs, url: "http://127.0.0.1:${port}/", env: { PORT: "${port}" } }
load: { rate: 5 }
`,
    );
    // fislat runs in the report folder; the file is named relative to it.
    const run = startCli(
      ["run", "--local", "--experiment", "team/exp.yaml", ...PHASES],
      { TMPDIR: reports.dir },
      {
        cwd: reports.dir,
      },
    );
    running.push(run);
    // The app sends no DynamoDB traffic, so the run cannot judge it: what matters is that it started.
    expect(await run.exit).toBe(EXIT_FOR.inconclusive);
    expect(readFileSync(path.join(folder, "started-in.txt"), "utf8")).toBe(folder);
    expect(run.stderr()).toContain(`app: node app.mjs (pid `);
    expect(run.stderr()).toContain(`, in ${folder}); its output:`);
  });

  it("says a --dynamodb that nothing answers at before starting the proxy or the app (environment error)", async () => {
    const closed = await freePort();
    const marker = reports.file("app-started", "txt");
    const run = fislat([
      "run",
      "--local",
      "--app",
      `node -e "require('fs').writeFileSync('${marker}', 'x')"`,
      "--url",
      "http://127.0.0.1:1/",
      "--rate",
      "5",
      "--dynamodb",
      `http://127.0.0.1:${closed}`,
    ]);
    expect(await run.exit).toBe(EXIT.environment);
    expect(run.stderr()).toMatch(
      new RegExp(`--dynamodb http://127.0.0.1:${closed}: nothing answers at 127.0.0.1:${closed} \\(ECONNREFUSED\\)`),
    );
    expect(existsSync(marker)).toBe(false);
  });

  it("names a --proxy-port already in use (environment error)", async () => {
    const taken = net.createServer().listen(0, "127.0.0.1");
    await once(taken, "listening");
    const port = (taken.address() as net.AddressInfo).port;
    try {
      const run = fislat([
        "run",
        "--local",
        "--proxy-port",
        String(port),
        "--url",
        "http://127.0.0.1:1/",
        "--rate",
        "5",
      ]);
      expect(await run.exit).toBe(EXIT.environment);
      expect(run.stderr()).toContain(`--proxy-port ${port}: 127.0.0.1:${port} is already in use`);
    } finally {
      await new Promise((r) => taken.close(r));
    }
  });

  it("refuses a bad tables file before starting anything, naming the place and what is allowed (exit 2)", async () => {
    const { writeFileSync } = await import("node:fs");
    const bad = reports.file("bad-tables", "json");
    writeFileSync(
      bad,
      JSON.stringify([
        {
          TableName: "Orders",
          KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
          AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }],
          Items: [{ id: { N: "1" } }],
        },
      ]),
    );
    const run = fislat([
      "run",
      "--local",
      "--app",
      "node -e 0",
      "--url",
      "http://127.0.0.1:1/",
      "--rate",
      "5",
      "--tables",
      bad,
    ]);
    expect(await run.exit).toBe(EXIT.badInput);
    expect(run.stderr()).toMatch(/\[0\]\.Items\[0\]\.id: must be of type S, as AttributeDefinitions says/);
    expect(run.stderr()).not.toMatch(/app:/);
  });
});
