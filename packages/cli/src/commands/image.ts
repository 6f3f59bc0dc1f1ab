// fislat image push: builds the probe image from fislat's Dockerfile with the local Docker, logs
// in to ECR through the SDK (no aws CLI needed), tags and pushes it, and prints the image URI for
// fislat deploy --image.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { type ECRClient, GetAuthorizationTokenCommand } from "@aws-sdk/client-ecr";
import { retryThrottled } from "../aws/retry.js";
import { badInput, EXIT, type ExitCode, FislatError } from "../errors.js";

export interface ImagePushFlags {
  repository?: string;
  tag?: string;
  context?: string;
}

export type Runner = (command: string, args: string[], input?: string) => Promise<{ code: number; output: string }>;

/** Runs a command, its output shown to the user as it comes, and resolves with its exit code. */
export const runCommand: Runner = (command, args, input) =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
    let output = "";
    const keep = (d: Buffer) => {
      output = (output + d.toString()).slice(-4000);
      process.stderr.write(d);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    child.once("error", reject);
    child.once("close", (code) => resolve({ code: code ?? 1, output }));
    if (input !== undefined) child.stdin?.end(input);
  });

/** fislat's own checkout, where the Dockerfile is, when the CLI runs from it. */
const CHECKOUT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");

export async function imagePushCommand(
  ecr: ECRClient,
  flags: ImagePushFlags,
  io: { say(s: string): void; run?: Runner; now?: () => Date },
): Promise<ExitCode> {
  const run = io.run ?? runCommand;
  if (!flags.repository)
    throw badInput("--repository <uri> is required (fislat deploy writes it to fislat.config.json)");
  if (!/^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/[a-z0-9._/-]+$/.test(flags.repository)) {
    throw badInput(
      `--repository ${JSON.stringify(flags.repository)} is not an ECR repository URI (<account>.dkr.ecr.<region>.amazonaws.com/<name>)`,
    );
  }
  const context = path.resolve(flags.context ?? (existsSync(path.join(CHECKOUT, "Dockerfile")) ? CHECKOUT : "."));
  if (!existsSync(path.join(context, "Dockerfile"))) {
    throw badInput(`no Dockerfile in ${context}: pass --context <the folder of fislat's Dockerfile>`);
  }

  try {
    const version = await run("docker", ["version", "--format", "{{.Server.Version}}"]);
    if (version.code !== 0) {
      throw new FislatError(
        `Docker is installed but its engine does not answer: start Docker and try again (${version.output.trim()})`,
        EXIT.environment,
      );
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new FislatError(
        "Docker is not installed (no docker command): install Docker, or build the image from the Dockerfile in your CI and pass its URI to fislat deploy --image",
        EXIT.environment,
      );
    }
    throw error;
  }

  const auth = (await retryThrottled(() => ecr.send(new GetAuthorizationTokenCommand({})))).authorizationData?.[0];
  if (!auth?.authorizationToken || !auth.proxyEndpoint)
    throw new FislatError("ECR returned no authorization token", EXIT.environment);
  const [user, password] = Buffer.from(auth.authorizationToken, "base64").toString("utf8").split(":");
  const must = async (what: string, args: string[], input?: string) => {
    const res = await run("docker", args, input);
    if (res.code !== 0)
      throw new FislatError(
        `docker ${what} failed (exit ${res.code}): ${res.output.trim().split("\n").at(-1)}`,
        EXIT.environment,
      );
  };
  await must("login", ["login", "--username", user ?? "AWS", "--password-stdin", auth.proxyEndpoint], password ?? "");

  const now = (io.now ?? (() => new Date()))();
  const tag = flags.tag ?? now.toISOString().replace(/[-:]/g, "").replace(/\..*$/, "").replace("T", "-");
  const image = `${flags.repository}:${tag}`;
  // Fargate runs the task definition's X86_64 platform, whatever this machine is.
  await must("build", ["build", "--platform", "linux/amd64", "--tag", image, context]);
  await must("push", ["push", image]);
  io.say(`pushed ${image}`);
  io.say(`deploy it with: fislat deploy --image ${image}`);
  return EXIT.passed;
}
