// A command context on in-memory streams: a test runs a command with it and reads what the
// command wrote, instead of spying on process.stdout. Everything else is the CLI's own by default
// (the live process.env, so vi.stubEnv reaches it; the system clock, which fake timers drive;
// signals.ts's interrupt hook, so a signal sent to the test process reaches the command).
import type { CommandContext, Output } from "../../src/context.js";
import { systemClock } from "../../src/engine/ports.js";
import { onInterrupt, settleOnSignal } from "../../src/signals.js";

export interface MemoryOutput extends Output {
  /** Everything written so far. */
  text(): string;
  /** What was written as lines, without the last line's newline. */
  lines(): string[];
}

/** A stream that keeps what is written to it; `onWrite` sees each chunk as it comes. */
export function memoryOutput(onWrite?: (text: string) => void): MemoryOutput {
  let text = "";
  return {
    isTTY: false,
    write(chunk) {
      const s = typeof chunk === "string" ? chunk : Buffer.from(chunk).toString();
      text += s;
      onWrite?.(s);
      return true;
    },
    text: () => text,
    lines: () => (text === "" ? [] : text.replace(/\n$/, "").split("\n")),
  };
}

export interface TestContext extends CommandContext {
  readonly stdout: MemoryOutput;
  readonly stderr: MemoryOutput;
}

export function testContext(over: Partial<CommandContext> = {}): TestContext {
  return {
    stdout: memoryOutput(),
    stderr: memoryOutput(),
    env: process.env,
    cwd: process.cwd(),
    clock: systemClock,
    onInterrupt,
    settle: settleOnSignal,
    ...over,
  } as TestContext;
}
