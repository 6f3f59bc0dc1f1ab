// --profile and --region travel in the request to the AWS clients' own configuration; nothing is
// written into process.env (a library caller or a test running several commands keeps its own).
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { describeAwsError } from "../src/aws/aws-errors.js";
import { awsClients, awsSettingsOf } from "../src/aws/clients.js";
import { type RunCommandFlags, runCommand } from "../src/commands/run.js";
import { EXIT, FislatError } from "../src/errors.js";
import { useAwsRunSetup } from "./support/aws-run-setup.js";
import { drive, ROLE_ARN, SimulatedAws } from "./support/simulated-aws.js";
import { tempDir } from "./support/temp-dir.js";

afterEach(() => {
  vi.unstubAllEnvs();
});

/** A shared config file with one profile, `ci`, in eu-north-1. */
function configWithProfile(): string {
  const file = path.join(tempDir("fislat-aws-config-"), "config");
  writeFileSync(file, "[profile ci]\nregion = eu-north-1\n");
  return file;
}

describe("awsClients and awsSettingsOf", () => {
  it("--region reaches every client, and AWS_REGION stays as it was", async () => {
    vi.stubEnv("AWS_REGION", "us-east-1");
    const clients = awsClients(awsSettingsOf({ region: "eu-west-3" }, process.env));
    try {
      expect(await clients.ecs.config.region()).toBe("eu-west-3");
      expect(await clients.logs.config.region()).toBe("eu-west-3");
      expect(process.env.AWS_REGION).toBe("us-east-1");
    } finally {
      clients.destroy();
    }
  });

  it("--profile reaches the clients (its region included), and AWS_PROFILE stays unset", async () => {
    vi.stubEnv("AWS_CONFIG_FILE", configWithProfile());
    vi.stubEnv("AWS_PROFILE", undefined);
    vi.stubEnv("AWS_REGION", undefined);
    const clients = awsClients(awsSettingsOf({ profile: "ci" }, process.env));
    try {
      expect((clients.sts.config as { profile?: string }).profile).toBe("ci");
      expect(await clients.sts.config.region()).toBe("eu-north-1");
      expect(process.env.AWS_PROFILE).toBeUndefined();
    } finally {
      clients.destroy();
    }
  });

  it("refuses a profile that does not exist, as bad input, before any client exists", () => {
    vi.stubEnv("AWS_CONFIG_FILE", configWithProfile());
    vi.stubEnv("AWS_SHARED_CREDENTIALS_FILE", path.join(path.dirname(process.env.AWS_CONFIG_FILE ?? ""), "none"));
    let error: unknown;
    try {
      awsSettingsOf({ profile: "nosuch" }, process.env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(FislatError);
    expect((error as FislatError).exitCode).toBe(EXIT.badInput);
    expect((error as FislatError).message).toMatch(/no such AWS profile "nosuch"/);
    expect(process.env.AWS_PROFILE).toBeUndefined();
  });

  it("a credentials failure names the --profile the client was made with", async () => {
    vi.stubEnv("AWS_CONFIG_FILE", configWithProfile());
    vi.stubEnv("AWS_SHARED_CREDENTIALS_FILE", path.join(path.dirname(process.env.AWS_CONFIG_FILE ?? ""), "none"));
    vi.stubEnv("AWS_PROFILE", undefined);
    vi.stubEnv("AWS_ACCESS_KEY_ID", undefined);
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", undefined);
    vi.stubEnv("AWS_ENDPOINT_URL", "http://127.0.0.1:9");
    const clients = awsClients({ profile: "ci" });
    try {
      const { GetCallerIdentityCommand } = await import("@aws-sdk/client-sts");
      const error = await clients.sts.send(new GetCallerIdentityCommand({})).catch((e: unknown) => e);
      expect(describeAwsError(error, process.env)).toMatch(/no AWS credentials for profile "ci"/);
    } finally {
      clients.destroy();
    }
  });
});

describe("fislat run --region", () => {
  let sim: SimulatedAws | undefined;
  const setup = useAwsRunSetup(() => sim?.reset());

  it("runs in the request's region, and leaves AWS_REGION as it was", async () => {
    sim = new SimulatedAws({});
    const flags: RunCommandFlags = {
      scenario: "timeout",
      cluster: "FIS",
      service: "dynamodb-test-service",
      roleArn: ROLE_ARN,
      baseline: "20s",
      duration: "2m",
      recovery: "20s",
      region: "eu-west-1",
      json: path.join(setup.dir, "report.json"),
    };
    expect(await drive(runCommand(setup.ctx, flags))).toBe(EXIT.passed);
    expect(setup.stderr()).toMatch(/, region eu-west-1\n/);
    expect(process.env.AWS_REGION).toBe("us-east-1");
  });
});
