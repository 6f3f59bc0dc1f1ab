// AWS failures said so a person can act: which service and call, what went wrong (the endpoint
// that could not be reached, the profile that does not exist, the permission that was denied),
// and what to do. Each client gets a middleware that tags its errors with the call and endpoint.
import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describeQuotaError } from "./quota-errors.js";

/** The environment variables a message is written for: the command context's. */
type Env = Readonly<Record<string, string | undefined>>;

export interface AwsCallContext {
  service: string;
  operation: string;
  /** The IAM action the call needs, e.g. ecs:ListTasks. */
  action: string;
  endpoint?: string;
  /** The profile the client was made with (--profile), when not the environment's AWS_PROFILE. */
  profile?: string;
}

const CALL = Symbol.for("fislat.awsCall");

/** Display name and IAM prefix per SDK client class. */
const SERVICES: Record<string, { name: string; prefix: string }> = {
  ECSClient: { name: "ECS", prefix: "ecs" },
  FisClient: { name: "FIS", prefix: "fis" },
  CloudWatchLogsClient: { name: "CloudWatch Logs", prefix: "logs" },
  STSClient: { name: "STS", prefix: "sts" },
  CloudFormationClient: { name: "CloudFormation", prefix: "cloudformation" },
  ECRClient: { name: "ECR", prefix: "ecr" },
  ElasticLoadBalancingV2Client: { name: "Elastic Load Balancing", prefix: "elasticloadbalancing" },
  IAMClient: { name: "IAM", prefix: "iam" },
  DynamoDBClient: { name: "DynamoDB", prefix: "dynamodb" },
};

interface MiddlewareClient {
  middlewareStack: {
    add(
      middleware: (next: (args: unknown) => Promise<unknown>, context: Record<string, unknown>) => unknown,
      options: { step: string; name: string; priority?: string },
    ): void;
  };
}

/** Tags every error the client throws with its call, the endpoint it tried and its --profile. */
export function tagAwsErrors<T>(client: T, profile?: string): T {
  const stack = (client as unknown as MiddlewareClient).middlewareStack;
  stack.add(
    (next, context) => async (args: unknown) => {
      try {
        return await next(args);
      } catch (error) {
        if (error && typeof error === "object" && !(CALL in error)) {
          const clientName = String(context.clientName ?? "");
          const service = SERVICES[clientName] ?? { name: clientName.replace(/Client$/, ""), prefix: "" };
          const operation = String(context.commandName ?? "").replace(/Command$/, "");
          const call: AwsCallContext = {
            service: service.name,
            operation,
            action: service.prefix ? `${service.prefix}:${operation}` : operation,
          };
          if (typeof context.fislatEndpoint === "string") call.endpoint = context.fislatEndpoint;
          if (profile) call.profile = profile;
          Object.defineProperty(error, CALL, { value: call });
        }
        throw error;
      }
    },
    { step: "initialize", name: "fislatErrorContext", priority: "high" },
  );
  stack.add(
    (next, context) => async (args: unknown) => {
      const request = (args as { request?: { protocol?: string; hostname?: string; port?: number; path?: string } })
        .request;
      if (request?.hostname) {
        context.fislatEndpoint = `${request.protocol ?? "https:"}//${request.hostname}${request.port ? `:${request.port}` : ""}`;
      }
      return next(args);
    },
    { step: "build", name: "fislatEndpoint", priority: "low" },
  );
  return client;
}

export function awsCallOf(error: unknown): AwsCallContext | undefined {
  return error && typeof error === "object" ? (error as { [CALL]?: AwsCallContext })[CALL] : undefined;
}

const NETWORK_CODES = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "ECONNRESET", "EHOSTUNREACH"]);
const DENIED = /^(AccessDenied(Exception)?|UnauthorizedOperation|AuthorizationError|UnauthorizedException)$/;
const REJECTED_CREDENTIALS =
  /^(ExpiredToken(Exception)?|UnrecognizedClientException|InvalidClientTokenId|InvalidSignatureException|SignatureDoesNotMatch)$/;

/**
 * What to tell a person about an AWS failure, or undefined when it is not one. `env` is where
 * AWS_PROFILE and the shared config file locations are read.
 */
export const UNREACHABLE_FIX =
  "check the network, a proxy, the region, or AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_<SERVICE> pointing elsewhere";

/** The Node network error code (ECONNREFUSED, ENOTFOUND, ...) behind an AWS call's failure, if any. */
export function networkErrorCode(error: unknown): string | undefined {
  const e = (error ?? {}) as { code?: string; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code;
  return code && NETWORK_CODES.has(code) ? code : undefined;
}

export function describeAwsError(error: unknown, env: Env): string | undefined {
  const e = (error ?? {}) as {
    name?: string;
    message?: string;
    code?: string;
    $metadata?: { httpStatusCode?: number };
  };
  const call = awsCallOf(error);
  const where = call ? `${call.service} ${call.operation}` : "AWS";
  const message = e.message ?? String(error);

  if (/Region is missing/i.test(message)) {
    return `${where}: no AWS region: pass --region, set AWS_REGION, or set a region in your AWS profile`;
  }
  if (e.name === "CredentialsProviderError" || /Could not load credentials|could not be found/i.test(message)) {
    const profile = call?.profile ?? env.AWS_PROFILE;
    if (profile && !profileExists(profile, env)) return noSuchProfile(profile, env);
    return `${where}: no AWS credentials${profile ? ` for profile "${profile}"` : ""} (${message}): sign in (aws sso login, or set AWS_PROFILE / --profile), then try again`;
  }
  const code = networkErrorCode(error);
  if (code) {
    const endpoint = call?.endpoint ?? "the AWS endpoint";
    return `${where}: could not reach ${endpoint} (${code}): ${UNREACHABLE_FIX}`;
  }
  if (e.name === "TimeoutError") {
    return `${where}: ${call?.endpoint ?? "the AWS endpoint"} did not answer in time (${message}): check the network and try again`;
  }
  if (!call) return undefined;
  const quota = describeQuotaError(error);
  if (quota) return quota;
  if (DENIED.test(e.name ?? "") || e.$metadata?.httpStatusCode === 403) {
    return `${where}: access denied (${message}): allow ${call.action} for the identity you run as (docs/ci.md has a least-privilege policy), or use another --profile`;
  }
  if (REJECTED_CREDENTIALS.test(e.name ?? "")) {
    return `${where}: AWS rejected the credentials (${e.name}: ${message}): sign in again (aws sso login, or fresh keys)`;
  }
  return `${where} failed: ${e.name && e.name !== "Error" ? `${e.name}: ` : ""}${message}`;
}

function noSuchProfile(profile: string, env: Env): string {
  const { config, credentials } = sharedFiles(env);
  return `no such AWS profile "${profile}" in ${config} or ${credentials}: name an existing one with --profile or AWS_PROFILE, or create it (aws configure --profile ${profile})`;
}

function sharedFiles(env: Env) {
  const home = env.HOME ?? os.homedir();
  return {
    config: env.AWS_CONFIG_FILE ?? path.join(home, ".aws", "config"),
    credentials: env.AWS_SHARED_CREDENTIALS_FILE ?? path.join(home, ".aws", "credentials"),
  };
}

/** The profile is a section of the shared config file (`[profile x]`, or `[default]`) or credentials file (`[x]`). */
export function profileExists(profile: string, env: Env): boolean {
  const { config, credentials } = sharedFiles(env);
  const sections = (file: string) =>
    existsSync(file)
      ? [...readFileSync(file, "utf8").matchAll(/^\s*\[\s*([^\]]+?)\s*\]\s*$/gm)].map((m) => m[1] ?? "")
      : [];
  const inConfig = sections(config).some(
    (s) => s === `profile ${profile}` || (profile === "default" && s === "default"),
  );
  return inConfig || sections(credentials).includes(profile);
}

/** For --profile: a profile that does not exist is bad input, said before any call. */
export function checkProfile(profile: string, env: Env): string | undefined {
  return profileExists(profile, env) ? undefined : noSuchProfile(profile, env);
}
