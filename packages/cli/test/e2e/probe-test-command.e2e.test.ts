// fislat test against the real probe (a child process) and dynalite over real HTTP.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import readline from "node:readline";
import { LOCAL_AWS_ENV, type LocalDynamo, startLocalDynamo } from "@fislat/dynamo-local";
import { probeNodeArgs } from "@fislat/probe/launch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT } from "../../src/errors.js";
import { runCli } from "../support/cli.js";

let db: LocalDynamo;
const probes: ChildProcess[] = [];

async function probe(env: Record<string, string>): Promise<number> {
  const child = spawn(process.execPath, probeNodeArgs(), {
    env: {
      PATH: process.env.PATH ?? "",
      ...LOCAL_AWS_ENV,
      PORT: "0",
      TEST_INTERVAL_SECONDS: "60",
      AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
      ...env,
    },
    stdio: ["ignore", "pipe", "ignore"],
  });
  probes.push(child);
  return new Promise((resolve) => {
    readline.createInterface({ input: child.stdout as NonNullable<ChildProcess["stdout"]> }).on("line", (l) => {
      if (l.includes('"Probe started"')) resolve(Number(JSON.parse(l).port));
    });
  });
}

beforeAll(async () => {
  db = await startLocalDynamo();
});
afterAll(async () => {
  for (const p of probes) p.kill("SIGKILL");
  await db.close();
});

describe("fislat test", () => {
  it("prints one round trip through /test and exits 0", async () => {
    const port = await probe({});
    const { code, stdout } = await runCli(["test", "--url", `http://127.0.0.1:${port}/test`]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ok in \d+\.\d ms \(GetItem on MyTestTable, task .+, (new|reused) connection\)$/m);
  });

  it("exits 1 with the error kind when the probe's round trip fails; finds /test beside --health-url", async () => {
    const port = await probe({ TABLE_NAME: "NoSuchTable" });
    const { code, stdout } = await runCli(["test", "--health-url", `http://127.0.0.1:${port}/health`]);
    expect(code).toBe(1);
    expect(stdout).toMatch(
      /^table_not_found after \d+\.\d ms \(GetItem on NoSuchTable, .*\): ResourceNotFoundException/m,
    );
  });

  it("names the URL and its status when the probe runs in HTTP mode (TARGET_URL)", async () => {
    const service = http.createServer((_req, res) => res.writeHead(204).end());
    service.listen(0, "127.0.0.1");
    await once(service, "listening");
    try {
      const url = `http://127.0.0.1:${(service.address() as AddressInfo).port}/orders/42`;
      const port = await probe({ TARGET_URL: `${url}?k=v` });
      const { code, stdout } = await runCli(["test", "--url", `http://127.0.0.1:${port}/test`]);
      expect(code).toBe(0);
      expect(stdout).toContain(`(GET ${url}, HTTP 204, task `);
    } finally {
      service.close();
    }
  });

  it("exits 6 when the probe cannot be reached, and 2 without a URL", async () => {
    expect((await runCli(["test", "--url", "http://127.0.0.1:1/test"])).code).toBe(EXIT.environment);
    const none = await runCli(["test"]);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--url http:\/\/<load balancer>\/test is required/);
  });
});
