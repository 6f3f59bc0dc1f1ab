// AWS failures as a person meets them, through real HTTP on loopback: each message names the
// service and the call, what went wrong and what to do; the SDK's Node-version warning is one
// line at most; a profile that does not exist is named as such.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EXIT } from "../../src/errors.js";
import { runCli } from "../support/cli.js";

const home = mkdtempSync(path.join(os.tmpdir(), "fislat-home-"));
let denying: Server;
let denyingUrl = "";
let closedUrl = "";

beforeAll(async () => {
  // Answers every call as AWS does when the identity lacks the permission.
  denying = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(400, {
        "content-type": "application/x-amz-json-1.1",
        "x-amzn-errortype": "AccessDeniedException",
      });
      res.end(JSON.stringify({ __type: "AccessDeniedException", message: "User is not authorized to perform this" }));
    });
  });
  await new Promise<void>((resolve) => denying.listen(0, "127.0.0.1", resolve));
  denyingUrl = `http://127.0.0.1:${(denying.address() as AddressInfo).port}`;
  // A port that was just free: nothing listens there.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  closedUrl = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
  await new Promise((resolve) => probe.close(resolve));
});
afterAll(async () => {
  await new Promise((resolve) => denying.close(resolve));
  rmSync(home, { recursive: true, force: true });
});

const env = () => ({
  HOME: home,
  AWS_REGION: "us-east-1",
  AWS_ACCESS_KEY_ID: "fislat-test",
  AWS_SECRET_ACCESS_KEY: "fislat-test",
  AWS_PROFILE: "",
  AWS_MAX_ATTEMPTS: "1",
});

describe("AWS errors", () => {
  it("names the call and the endpoint it could not reach, exit 6", async () => {
    const { code, stderr } = await runCli(["list"], { ...env(), AWS_ENDPOINT_URL_FIS: closedUrl });
    expect(code).toBe(EXIT.environment);
    expect(stderr).toContain(`FIS ListExperiments: could not reach ${closedUrl} (ECONNREFUSED)`);
    expect(stderr).not.toMatch(/unexpected error/);
  });

  it("doctor blames the endpoint, not the credentials, when AWS cannot be reached", async () => {
    const { code, stdout } = await runCli(["doctor"], { ...env(), AWS_ENDPOINT_URL: closedUrl });
    expect(code).toBe(EXIT.environment);
    expect(stdout).toMatch(/could not reach|ECONNREFUSED/);
    expect(stdout).toMatch(/AWS_ENDPOINT_URL \/ AWS_ENDPOINT_URL_<SERVICE>/);
    expect(stdout).not.toMatch(/aws sso login/);
  });

  it("doctor names a missing region as its own finding, not as a credentials problem", async () => {
    const { code, stdout } = await runCli(["doctor"], { ...env(), AWS_REGION: "", AWS_ENDPOINT_URL: closedUrl });
    expect(code).toBe(EXIT.environment);
    expect(stdout).toBe(
      "FAIL region: no AWS region\n     fix: set AWS_REGION or --region, or a region in the profile (aws configure set region <region> --profile <name>)\n",
    );
    expect(stdout).not.toMatch(/credentials|aws sso login|Region is missing/);
  });

  it("names the permission that was denied, and prints the SDK's Node-version note at most once, on one line", async () => {
    const { code, stderr } = await runCli(["tail", "--cluster", "c", "--service", "s"], {
      ...env(),
      AWS_ENDPOINT_URL_ECS: denyingUrl,
      AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: denyingUrl,
    });
    expect(code).toBe(EXIT.environment);
    expect(stderr).toMatch(/ECS \w+: access denied \(User is not authorized to perform this\): allow ecs:\w+ /);
    expect(stderr).not.toMatch(/NodeVersionSupportWarning|To continue receiving updates/);
    expect(stderr.split("\n").filter((l) => /AWS SDK/.test(l)).length).toBeLessThanOrEqual(1);
  });

  it("says a profile does not exist, before any call, exit 2", async () => {
    const { code, stderr } = await runCli(["list", "--profile", "nosuch"], env());
    expect(code).toBe(2);
    expect(stderr).toContain('no such AWS profile "nosuch"');
  });

  it("says an AWS_PROFILE that does not exist is no such profile, not missing credentials", async () => {
    const { code, stderr } = await runCli(["list"], {
      ...env(),
      AWS_ACCESS_KEY_ID: "",
      AWS_SECRET_ACCESS_KEY: "",
      AWS_PROFILE: "nosuch",
    });
    expect(code).toBe(EXIT.environment);
    expect(stderr).toContain('no such AWS profile "nosuch"');
  });
});
