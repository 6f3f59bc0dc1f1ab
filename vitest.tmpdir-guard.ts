// The suite leaves nothing behind: every test process (and whatever it starts: the CLI, the
// probe, CDK's cdk.out folders) gets one fresh TMPDIR; whatever is still in it at the end, and any
// process still running this checkout's code, fails the run by name. The folder is removed anyway.
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const REPO = path.dirname(fileURLToPath(import.meta.url));

/** Processes whose command line runs code from this checkout, other than this one and its parents. */
function processesOfThisCheckout(): string[] {
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((p) => /^\d+$/.test(p));
  } catch {
    return []; // not Linux: nothing to look at
  }
  const ours = new Set<string>();
  for (let pid = String(process.pid); pid && pid !== "0"; ) {
    ours.add(pid);
    try {
      pid = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ")[1] ?? "";
    } catch {
      break;
    }
  }
  const found: string[] = [];
  for (const pid of pids) {
    if (ours.has(pid)) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      if (!/vitest/.test(cmdline) && (cmdline.includes(`${REPO}/packages/`) || cwd.startsWith(`${REPO}/`)))
        found.push(`${pid}: ${cmdline}`);
    } catch {
      // gone already, or not ours to read
    }
  }
  return found;
}

export default function setup() {
  const before = processesOfThisCheckout();
  const dir = mkdtempSync(path.join(os.tmpdir(), "fislat-test-tmp-"));
  // Workers are started after this, so they and everything they spawn inherit it.
  process.env.TMPDIR = dir;
  // pnpm (which the install and terminal tests start) turns on Node.js 22's compile cache, which
  // Node.js writes to TMPDIR/node-compile-cache and keeps: a cache of pnpm's, not a test's leftover,
  // but still something left behind. Off for everything the tests start.
  process.env.NODE_DISABLE_COMPILE_CACHE = "1";
  // The README's test command runs inside `npx -c`, which leaves its own call and packages in the
  // environment (npm_config_call, npm_config_package); an npx the tests start would read them as
  // its own and refuse its arguments (EUSAGE). The tests start npx as a user's shell would.
  delete process.env.npm_config_call;
  delete process.env.npm_config_package;
  return () => {
    const left = readdirSync(dir);
    rmSync(dir, { recursive: true, force: true });
    const running = processesOfThisCheckout().filter((p) => !before.includes(p));
    const problems = [
      ...left.map((name) => `temporary file or folder left behind: ${name}`),
      ...running.map((p) => `process left running: ${p}`),
    ];
    if (problems.length > 0) throw new Error(`the tests left things behind:\n  ${problems.join("\n  ")}`);
  };
}
