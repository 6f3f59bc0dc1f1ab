// fislat image push: builds the probe image from fislat's Dockerfile with the local Docker, logs
// in to ECR through the SDK (no aws CLI needed), tags and pushes it, and prints the image URI for
// fislat deploy --image.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { GetAuthorizationTokenCommand } from "@aws-sdk/client-ecr";
import type { AwsSettings } from "../aws/clients.js";
import { retryThrottled } from "../aws/retry.js";
import { type CommandContext, lineWriter } from "../context.js";
import { badInput, EXIT, type ExitCode, FislatError } from "../errors.js";

export interface ImagePushFlags extends AwsSettings {
  repository?: string;
  /** --image-tag (run and tail use --tag for key=value task tags). */
  imageTag?: string;
  context?: string;
}

/** Docker's tag grammar: a word character, then up to 127 word characters, '.' or '-'. */
export const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const ECR_REPOSITORY =
  /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;

/** A value for an error line: quoted, and cut short so a huge value is not echoed whole. */
const shown = (value: string) => JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);

/** The folder name, inside the installed package, of the probe's Docker build context. */
export const SHIPPED_CONTEXT = "probe-context";

/** A folder Docker can build the probe image from: fislat's Dockerfile beside the probe's sources. */
function isProbeContext(dir: string): boolean {
  if (!existsSync(path.join(dir, "Dockerfile"))) return false;
  try {
    const manifest = JSON.parse(readFileSync(path.join(dir, "packages/probe/package.json"), "utf8")) as {
      name?: string;
    };
    return manifest.name === "@fislat/probe";
  } catch {
    return false;
  }
}

/**
 * Where to build the probe image from, without --context: the fislat checkout this CLI runs from
 * (any folder above this module), the probe-context folder shipped inside an installed package,
 * or the current folder if it is a fislat checkout. Undefined when none is.
 */
export function findBuildContext(moduleDir: string, cwd: string): string | undefined {
  const above: string[] = [];
  for (let dir = moduleDir; ; dir = path.dirname(dir)) {
    above.push(dir);
    if (path.dirname(dir) === dir) break;
  }
  for (const dir of above) if (isProbeContext(dir)) return dir;
  for (const dir of above) {
    const shipped = path.join(dir, SHIPPED_CONTEXT);
    if (existsSync(path.join(dir, "package.json")) && isProbeContext(shipped)) return shipped;
  }
  return isProbeContext(cwd) ? cwd : undefined;
}

/** Checks every flag before anything runs: nothing unchecked reaches docker or a printed command line. */
export function checkImagePushFlags(flags: ImagePushFlags, moduleDir: string, cwd: string): string {
  if (!flags.repository)
    throw badInput("--repository <uri> is required (fislat deploy writes it to fislat.config.json)");
  if (!ECR_REPOSITORY.test(flags.repository)) {
    throw badInput(
      `--repository ${shown(flags.repository)} is not an ECR repository URI (<account>.dkr.ecr.<region>.amazonaws.com/<name>)`,
    );
  }
  if (flags.imageTag !== undefined && !IMAGE_TAG.test(flags.imageTag)) {
    throw badInput(
      `--image-tag ${shown(flags.imageTag)} is not a Docker tag: 1 to 128 characters of letters, digits, '_', '.' and '-', not starting with '.' or '-'`,
    );
  }
  if (flags.context !== undefined) {
    const context = path.resolve(cwd, flags.context);
    if (!existsSync(path.join(context, "Dockerfile")))
      throw badInput(
        `--context ${shown(flags.context)}: no Dockerfile in ${context}; pass the folder of a fislat checkout`,
      );
    return context;
  }
  const found = findBuildContext(moduleDir, cwd);
  if (!found)
    throw badInput(
      `no build context for the probe image: this fislat (${moduleDir}) is neither a checkout nor carries a ${SHIPPED_CONTEXT} folder, and ${cwd} is not a fislat checkout. Pass --context <a fislat checkout> (git clone it), or build the root Dockerfile in your own pipeline and pass the image to fislat deploy --image`,
    );
  return found;
}

export type Runner = (command: string, args: string[], input?: string) => Promise<{ code: number; output: string }>;

/**
 * Runs a command in the context's environment, its output shown on the context's stderr as it
 * comes, and resolves with its exit code.
 */
export const shellRunner =
  (ctx: CommandContext): Runner =>
  (command, args, input) =>
    new Promise((resolve, reject) => {
      const child = spawn(command, args, {
        env: { ...ctx.env },
        stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
      });
      let output = "";
      const keep = (d: Buffer) => {
        output = (output + d.toString()).slice(-4000);
        ctx.stderr.write(d);
      };
      child.stdout?.on("data", keep);
      child.stderr?.on("data", keep);
      child.once("error", reject);
      child.once("close", (code) => resolve({ code: code ?? 1, output }));
      if (input !== undefined) child.stdin?.end(input);
    });

const MODULE_DIR = path.dirname(fileURLToPath(import.meta.url));

export async function imagePushCommand(
  ctx: CommandContext,
  flags: ImagePushFlags,
  deps: { run?: Runner; moduleDir?: string } = {},
): Promise<ExitCode> {
  const run = deps.run ?? shellRunner(ctx);
  const context = checkImagePushFlags(flags, deps.moduleDir ?? MODULE_DIR, ctx.cwd);

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

  const { ecr } = await ctx.aws(flags);
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

  const now = ctx.clock.wallNow();
  const tag = flags.imageTag ?? now.toISOString().replace(/[-:]/g, "").replace(/\..*$/, "").replace("T", "-");
  const image = `${flags.repository}:${tag}`;
  // Fargate runs the task definition's X86_64 platform, whatever this machine is.
  await must("build", ["build", "--platform", "linux/amd64", "--tag", image, context]);
  await must("push", ["push", image]);
  const say = lineWriter(ctx.stdout);
  say(`pushed ${image}`);
  say(`deploy it with: fislat deploy --image ${image}`);
  return EXIT.passed;
}
