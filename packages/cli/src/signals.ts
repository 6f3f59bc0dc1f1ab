// Ctrl-C, SIGTERM and SIGHUP (a closed terminal) at any moment of fislat's life end in a
// documented exit code: installed before anything else, so no signal ever meets Node's default.
import { EXIT } from "./errors.js";

/** What a command does on a signal: `count` is 1 for the first since it registered. */
export type InterruptHandler = (signal: NodeJS.Signals, count: number) => void;

export const HANDLED_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

export const SIGNALS_HELP = `Signals (Ctrl-C, SIGTERM, SIGHUP when the terminal closes):
  during a run: the fault is removed, everything stops, reports are marked interrupted, exit 4;
  a second one says what is still pending. Before anything started: exit 4, no report.
  After the result is known: exit with that result's code.`;

let handler: InterruptHandler | undefined;
let count = 0;
let installed = false;
let settled: number | undefined;
let lastSignal: { signal: NodeJS.Signals; at: number } | undefined;

/**
 * One Ctrl-C can arrive twice: the terminal sends SIGINT to the whole foreground group, and a
 * wrapper in that group passes its own copy on, not always as the same signal (pnpm exec 10 sends
 * SIGTERM about 20 ms after the terminal's SIGINT). Any handled signal again this soon is that
 * echo, not a person pressing twice.
 */
export const ECHO_MS = 300;

function onSignal(signal: NodeJS.Signals): void {
  // The result is decided and its reports are written: stopping now must not change the code.
  if (settled !== undefined) process.exit(settled);
  if (handler) {
    // Wall clock, not monotonic: it is what fake timers drive in the tests, and a clock jump
    // within a Ctrl-C's echo costs at most one "still stopping" line.
    const now = Date.now();
    const echo = lastSignal !== undefined && now - lastSignal.at < ECHO_MS;
    lastSignal = { signal, at: now };
    if (echo) return;
    count += 1;
    handler(signal, count);
    return;
  }
  // No command is holding anything: either nothing has started (interrupted, nothing to undo)
  // or the command is over and its exit code already says what its report says.
  const decided = process.exitCode;
  if (decided === undefined || decided === null) {
    writeQuietly(`fislat: ${signal}: stopped before anything was started\n`);
    process.exit(EXIT.interrupted);
  }
  process.exit(decided);
}

function writeQuietly(text: string): void {
  try {
    process.stderr.write(text);
  } catch {
    // The terminal may be gone (SIGHUP): the exit code still tells.
  }
}

/** Called once, first thing in cli.ts. Idempotent. */
export function installSignalHandlers(): void {
  if (installed) return;
  installed = true;
  for (const signal of HANDLED_SIGNALS) process.on(signal, onSignal);
}

/**
 * Makes `next` the receiver of signals until the returned function is called. One command runs
 * at a time, so there is one receiver; the count starts again for each.
 */
export function onInterrupt(next: InterruptHandler): () => void {
  handler = next;
  count = 0;
  lastSignal = undefined;
  settled = undefined;
  // Used as a library (the tests run commands in-process): listen only while registered.
  const temporary = !installed;
  if (temporary) for (const signal of HANDLED_SIGNALS) process.on(signal, onSignal);
  return () => {
    if (handler === next) handler = undefined;
    if (temporary) for (const signal of HANDLED_SIGNALS) process.off(signal, onSignal);
  };
}

/** The command's result is decided and reported: from now on a signal exits with `code` at once. */
export function settleOnSignal(code: number): void {
  settled = code;
}
