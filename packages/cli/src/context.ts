// The one context every command runs in: where it writes, what environment and folder it sees,
// its clock and the Ctrl-C hook. cli.ts builds it once from `process`; a test builds it from
// in-memory streams. No file under commands/ touches `process`: what it needs is here.
import type { Clock } from "./engine/ports.js";
import { makeChalk, outputWidth } from "./render/style.js";
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
