// Runs the built fislat CLI inside a pseudo-terminal (Python's pty module, through
// pty-driver.py), so keys typed by a person (Ctrl-C as byte 0x03) reach it the way a terminal
// delivers them, not as signals sent with kill.
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CLI } from "./cli.js";

const DRIVER = path.join(path.dirname(fileURLToPath(import.meta.url)), "pty-driver.py");

export interface PtyRun {
  driver: ChildProcess;
  /** Everything written to the terminal so far, escape sequences included. */
  output: () => string;
  /** Resolves when the terminal has shown text matching `pattern`. */
  waitFor(pattern: RegExp): Promise<void>;
  /** Types into the terminal, e.g. "\x03" for Ctrl-C. */
  type(text: string): void;
  exit: Promise<number | null>;
}

export function startInPty(
  args: string[],
  size: { columns: number; rows: number },
  env: Record<string, string | undefined> = {},
  /** How the user starts fislat: the built CLI by default, or e.g. ["pnpm", "exec", "fislat"]. */
  launcher: { command: string[]; cwd?: string } = { command: [process.execPath, CLI] },
): PtyRun {
  const { CI: _ci, NO_COLOR: _noColor, FORCE_COLOR: _force, ...inherited } = process.env;
  const command = [...launcher.command, ...args];
  const driver = spawn("python3", [DRIVER, String(size.columns), String(size.rows), ...command], {
    env: { ...inherited, TERM: "xterm-256color", ...env },
    stdio: ["pipe", "pipe", "inherit"],
    ...(launcher.cwd ? { cwd: launcher.cwd } : {}),
  });
  let out = "";
  const waiters: { pattern: RegExp; resolve: () => void }[] = [];
  driver.stdout?.setEncoding("utf8").on("data", (d: string) => {
    out += d;
    for (const w of waiters.splice(0)) {
      if (w.pattern.test(out)) w.resolve();
      else waiters.push(w);
    }
  });
  const exit = once(driver, "exit").then(([code]) => code as number | null);
  const ended = exit.then((code) => {
    throw new Error(`fislat ended (exit ${code}) before showing the text waited for; it showed:\n${out}`);
  });
  ended.catch(() => {});
  return {
    driver,
    output: () => out,
    waitFor: (pattern) =>
      pattern.test(out)
        ? Promise.resolve()
        : Promise.race([new Promise<void>((resolve) => waiters.push({ pattern, resolve })), ended]),
    type: (text) => driver.stdin?.write(text),
    exit,
  };
}
