// The one context every command runs in: where it writes, what environment and folder it sees,
// its clock, the Ctrl-C hook, the cleanup owner of everything it starts and the AWS clients it
// talks through. cli.ts builds it from `process` for each command; a test builds it from
// in-memory streams. Only cli.ts, startup.ts and signals.ts touch `process`: what the rest
// needs is here.
import type { AwsClients, AwsSettings } from "./aws/clients.js";
import type { Clock } from "./engine/ports.js";
import { makeChalk, outputWidth } from "./render/style.js";
import { wrapProse } from "./render/wrap.js";
import { Resources } from "./resources.js";
import type { InterruptHandler } from "./signals.js";

/** Where a command writes: process.stdout/stderr in the CLI, a string collector in a test. */
export interface Output {
  write(chunk: string | Uint8Array): unknown;
  /** A terminal (colour, a spinner) rather than a pipe or a file. */
  isTTY?: boolean;
  columns?: number;
}

/**
 * What every command gets, first argument of each `xCommand(ctx, ...)`. Kept small on purpose:
 *
 *   stdout, stderr  where the command writes (results on stdout, messages on stderr)
 *   env             the environment variables it reads (NO_COLOR, AWS_REGION, ...); never written
 *   cwd             the folder relative paths and fislat.config.json are read from
 *   clock           monotonic time, wall time and sleeps (the fake one in tests)
 *   onInterrupt     makes a handler the receiver of Ctrl-C/SIGTERM/SIGHUP until the returned
 *                   function is called (signals.ts's in the CLI)
 *   settle          the result is decided and reported: a signal from now on exits with `code`
 *   signal          aborted on the first Ctrl-C, for the commands cli.ts runs under one (the
 *                   AWS ones: tail, deploy, destroy); absent otherwise
 *   confirm         asks a yes/no question on a terminal; absent when there is none
 *   resources       the cleanup owner: what the command starts (a process, a port, a fault, AWS
 *                   clients) is registered here the moment it exists and released in reverse
 *                   order; a command may release early (run does, before its report), and
 *                   whoever ran the command releases what is left when it returns or throws
 *   aws             the AWS clients for the request's --profile and --region (unset: the SDK's
 *                   defaults), made on first use and registered with `resources`; the module
 *                   with the SDK clients is loaded only when a command asks
 *   host            the Node.js binary children are started with, and how a process group is
 *                   signalled: the two things of this process the local environment needs
 *
 * Colour and width come from `chalkFor` and `widthOf` below, so they follow `env`, not `process.env`.
 */
export interface CommandContext {
  readonly stdout: Output;
  readonly stderr: Output;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly clock: Clock;
  onInterrupt(handler: InterruptHandler): () => void;
  settle(code: number): void;
  readonly signal?: AbortSignal;
  readonly confirm?: (question: string) => Promise<boolean>;
  readonly resources: Resources;
  aws(settings: AwsSettings): Promise<AwsClients>;
  readonly host: Host;
}

/** What the local environment needs of the process fislat runs in. */
export interface Host {
  /** The Node.js binary: the probe and the app's keeper run with the same one as fislat. */
  readonly execPath: string;
  /** Sends `signal` to `pid` (negative: to its process group); throws when there is none. */
  kill(pid: number, signal: NodeJS.Signals | 0): void;
}

/** What a context is made of before a command runs: everything but its own cleanup owner and clients. */
export type ContextBase = Omit<CommandContext, "resources" | "aws">;

/**
 * A command's own context: a fresh cleanup owner, and AWS clients made on request and registered
 * with it (destroyed when it is released). The SDK clients' module is imported here, on the first
 * request, so `--help` and `--local` never load it.
 */
export function commandContext(base: ContextBase): CommandContext {
  const resources = new Resources();
  return {
    ...base,
    resources,
    async aws(settings) {
      const { awsClients, awsSettingsOf } = await import("./aws/clients.js");
      const clients = awsClients(awsSettingsOf(settings, base.env));
      resources.add("AWS clients", () => clients.destroy());
      return clients;
    },
  };
}

/**
 * Runs `command` in its own context and releases what it left held, when it returns and when it
 * throws; what could not be released is said on stderr (a run releases its fault itself, before
 * its report, so a failure there is in the report and its exit code).
 */
export async function runInContext<T>(base: ContextBase, command: (ctx: CommandContext) => Promise<T> | T): Promise<T> {
  const ctx = commandContext(base);
  try {
    return await command(ctx);
  } finally {
    for (const f of await ctx.resources.releaseAll()) sayError(ctx, `could not release ${f.name}: ${f.error}`);
  }
}

/**
 * "fislat: MESSAGE" on stderr, for a person: on a terminal of known width wrapped at spaces, as
 * progress lines are (a long message broken mid-word by the terminal is hard to read); in a pipe
 * or a CI log one line per message, for grep.
 */
export function sayError(ctx: Pick<CommandContext, "stderr">, message: string): void {
  const width = ctx.stderr.isTTY ? (ctx.stderr.columns ?? 0) : 0;
  const text = `fislat: ${message}`;
  ctx.stderr.write(`${width > 0 ? wrapProse(text, width) : text}\n`);
}

/** A line writer on `stream`: what used to be each command's own `say`. */
export function lineWriter(stream: Output): (line: string) => void {
  return (line) => {
    stream.write(`${line}\n`);
  };
}

/** chalk for `stream`, coloured as NO_COLOR/FORCE_COLOR/TERM in the context's environment say. */
export function chalkFor(ctx: CommandContext, stream: Output) {
  return makeChalk(stream, ctx.env);
}

/** The width to lay `stream`'s output out in (the terminal's, else COLUMNS, else 80). */
export function widthOf(ctx: CommandContext, stream: Output): number {
  return outputWidth(stream, ctx.env);
}
