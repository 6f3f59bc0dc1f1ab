// A command context on in-memory streams: a test runs a command with it and reads what the
// command wrote, instead of spying on process.stdout. Everything else is the CLI's own by default
// (the live process.env, so vi.stubEnv reaches it; the system clock, which fake timers drive;
// signals.ts's interrupt hook, so a signal sent to the test process reaches the command; a fresh
// cleanup owner; the real AWS client factory, whose clients aws-sdk-client-mock intercepts).
import type { AwsClients } from "../../src/aws/clients.js";
import { type CommandContext, commandContext, type Output } from "../../src/context.js";
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
  const base = {
    stdout: memoryOutput(),
    stderr: memoryOutput(),
    env: process.env,
    cwd: process.cwd(),
    clock: systemClock,
    onInterrupt,
    settle: settleOnSignal,
    host: { execPath: process.execPath, kill: (pid: number, signal: NodeJS.Signals | 0) => process.kill(pid, signal) },
  };
  return { ...commandContext({ ...base, ...over }), ...over } as TestContext;
}

/**
 * An AWS client factory that hands out the test's own clients (a dynalite DynamoDB, a recorded
 * CloudFormation), whatever the settings; `settings` records each request's --profile/--region.
 */
export function clientsOf(clients: Partial<AwsClients>, settings: { profile?: string; region?: string }[] = []) {
  return async (asked: { profile?: string; region?: string }) => {
    settings.push(asked);
    return new Proxy(clients, {
      get(target, name) {
        if (name === "destroy") return () => {};
        // Not a client: what `await` and inspection look for.
        if (typeof name !== "string" || name === "then" || name === "toJSON") return undefined;
        if (!(name in target)) throw new Error(`this test gives the command no ${String(name)} client`);
        return target[name as keyof AwsClients];
      },
    }) as AwsClients;
  };
}
