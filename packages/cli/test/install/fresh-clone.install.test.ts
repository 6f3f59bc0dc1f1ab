// The README's setup, followed exactly on a fresh clone (install from the lockfile, then build),
// leaves `pnpm exec fislat` working: the bin is a committed file, so pnpm links it at install
// time although dist/ does not exist yet. Clones the committed HEAD of this repository.
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
const dir = mkdtempSync(path.join(os.tmpdir(), "fislat-clone-"));
// Thousands of installed files: removed without blocking the worker, with time to do it.
afterAll(() => rm(dir, { recursive: true, force: true }), 180_000);

// Asynchronous: a minute-long synchronous call would starve the test worker's own messages.
const run = (command: string, args: string[], cwd: string) =>
  promisify(execFile)(command, args, { cwd, encoding: "utf8", env: { ...process.env, CI: "true" } });
const sh = async (command: string, args: string[], cwd: string) => (await run(command, args, cwd)).stdout;

describe("a fresh clone, set up as the README says", () => {
  it("installs without warnings and runs `pnpm exec fislat --version` and `--help`", { timeout: 300_000 }, async () => {
    const clone = path.join(dir, "fislat");
    await sh("git", ["clone", "--quiet", REPO, clone], dir);
    const install = await run("pnpm", ["install", "--frozen-lockfile", "--prefer-offline"], clone);
    // Every package's bin is a committed file: no "Failed to create bin" warnings on first install.
    expect(`${install.stdout}${install.stderr}`).not.toMatch(/WARN/);
    await sh("pnpm", ["build"], clone);
    expect(await sh("pnpm", ["exec", "fislat-latency-proxy", "--help"], clone)).toMatch(/usage: fislat-latency-proxy/);
    expect((await sh("pnpm", ["exec", "fislat", "--version"], clone)).trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(await sh("pnpm", ["exec", "fislat", "--help"], clone)).toMatch(/Usage: fislat/);
  });
});
