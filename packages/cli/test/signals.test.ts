// The signal policy (signals.ts), driven by calling fislat's own listener as Node would, with
// process.exit stubbed: a command's receiver gets each signal and its count, an echo of one
// Ctrl-C is not a second press, a settled result exits with its code, and with no command
// holding anything a signal exits with the code already decided, or 4 if none was.
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from "vitest";
import { EXIT } from "../src/errors.js";

type Signals = typeof import("../src/signals.js");
type Listener = (signal: NodeJS.Signals) => void;

class Exited {
  constructor(readonly code: number | string | null | undefined) {}
}

let signals: Signals;
let exit: MockInstance<typeof process.exit>;
let stderr: MockInstance<typeof process.stderr.write>;
const added: [NodeJS.Signals, Listener][] = [];

/** Fresh module state for each test: signals.ts keeps its receiver and count at module level. */
beforeEach(async () => {
  vi.resetModules();
  signals = await import("../src/signals.js");
  vi.useFakeTimers({ toFake: ["Date"] });
  exit = vi.spyOn(process, "exit").mockImplementation((code) => {
    throw new Exited(code);
  });
  stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
});

afterEach(() => {
  for (const [signal, listener] of added.splice(0)) process.off(signal, listener);
  vi.useRealTimers();
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

/** Runs `register` and returns the listener it added for `signal` (fislat's own, not the test runner's). */
function listenerAddedBy(signal: NodeJS.Signals, register: () => void): Listener {
  const before = new Set(process.listeners(signal));
  register();
  const listener = process.listeners(signal).find((l) => !before.has(l)) as Listener | undefined;
  if (!listener) throw new Error(`no listener added for ${signal}`);
  return listener;
}

/** Delivers a signal as Node does; returns the code process.exit was called with, if it was. */
function deliver(listener: Listener, signal: NodeJS.Signals): number | string | null | undefined | "no exit" {
  try {
    listener(signal);
  } catch (error) {
    if (error instanceof Exited) return error.code;
    throw error;
  }
  return "no exit";
}

describe("signals while a command runs (onInterrupt)", () => {
  it("hands each signal to the command with its count; an echo within ECHO_MS is not a second press", () => {
    const received: [NodeJS.Signals, number][] = [];
    let release = () => {};
    const listener = listenerAddedBy("SIGINT", () => {
      release = signals.onInterrupt((signal, count) => received.push([signal, count]));
    });
    expect(deliver(listener, "SIGINT")).toBe("no exit");
    // pnpm exec passes its own copy on as SIGTERM about 20 ms later: the same Ctrl-C.
    vi.advanceTimersByTime(20);
    deliver(listener, "SIGTERM");
    vi.advanceTimersByTime(signals.ECHO_MS);
    deliver(listener, "SIGHUP");
    expect(received).toEqual([
      ["SIGINT", 1],
      ["SIGHUP", 2],
    ]);
    expect(exit).not.toHaveBeenCalled();
    release();
  });

  it("the count starts again for the next command", () => {
    const counts: number[] = [];
    let release = () => {};
    const first = listenerAddedBy("SIGINT", () => {
      release = signals.onInterrupt((_s, count) => counts.push(count));
    });
    deliver(first, "SIGINT");
    release();
    const second = listenerAddedBy("SIGINT", () => {
      release = signals.onInterrupt((_s, count) => counts.push(count));
    });
    deliver(second, "SIGINT");
    release();
    expect(counts).toEqual([1, 1]);
  });

  it("once the result is settled, a signal exits with its code at once, without the command's receiver", () => {
    const receiver = vi.fn();
    let release = () => {};
    const listener = listenerAddedBy("SIGTERM", () => {
      release = signals.onInterrupt(receiver);
    });
    signals.settleOnSignal(EXIT.failed);
    expect(deliver(listener, "SIGTERM")).toBe(EXIT.failed);
    expect(receiver).not.toHaveBeenCalled();
    release();
  });

  it("used as a library (handlers not installed), it listens only while a command is registered", () => {
    const before = process.listenerCount("SIGINT");
    const release = signals.onInterrupt(() => {});
    expect(process.listenerCount("SIGINT")).toBe(before + 1);
    release();
    expect(process.listenerCount("SIGINT")).toBe(before);
  });
});

describe("signals with no command holding anything (installSignalHandlers)", () => {
  function installed(signal: NodeJS.Signals): Listener {
    const listeners = signals.HANDLED_SIGNALS.map((s) => [s, new Set(process.listeners(s))] as const);
    signals.installSignalHandlers();
    for (const [s, before] of listeners) {
      for (const l of process.listeners(s)) if (!before.has(l)) added.push([s, l as Listener]);
    }
    const listener = added.find(([s]) => s === signal)?.[1];
    if (!listener) throw new Error(`installSignalHandlers added no ${signal} listener`);
    return listener;
  }

  it("handles SIGINT, SIGTERM and SIGHUP, once however often it is installed", () => {
    installed("SIGINT");
    const counts = signals.HANDLED_SIGNALS.map((s) => process.listenerCount(s));
    signals.installSignalHandlers();
    expect(signals.HANDLED_SIGNALS.map((s) => process.listenerCount(s))).toEqual(counts);
    expect(added.map(([s]) => s)).toEqual(["SIGINT", "SIGTERM", "SIGHUP"]);
  });

  it("after a command has finished: exits with the code it decided, which its report states", () => {
    const listener = installed("SIGTERM");
    process.exitCode = EXIT.inconclusive;
    expect(deliver(listener, "SIGTERM")).toBe(EXIT.inconclusive);
    expect(stderr).not.toHaveBeenCalled();
  });

  it("before anything started: exits 4 and says so", () => {
    const listener = installed("SIGHUP");
    expect(deliver(listener, "SIGHUP")).toBe(EXIT.interrupted);
    expect(String(stderr.mock.calls[0]?.[0])).toBe("fislat: SIGHUP: stopped before anything was started\n");
  });
});
