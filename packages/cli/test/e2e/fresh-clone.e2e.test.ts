// The README's setup, followed exactly on a fresh clone (install from the lockfile, then build),
// leaves `pnpm exec fislat` working: the bin is a committed file, so pnpm links it at install
// time although dist/ does not exist yet. Clones the committed HEAD of this repository.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
const dir = mkdtempSync(path.join(os.tmpdir(), "fislat-clone-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sh = (command: string, args: string[], cwd: string) =>
  execFileSync(command, args, {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, CI: "true" },
  });

describe("a fresh clone, set up as the README says", () => {
  it("runs `pnpm exec fislat --version` and `--help`", { timeout: 300_000 }, () => {
    const clone = path.join(dir, "fislat");
    sh("git", ["clone", "--quiet", REPO, clone], dir);
    sh("pnpm", ["install", "--frozen-lockfile", "--prefer-offline"], clone);
    sh("pnpm", ["build"], clone);
    expect(sh("pnpm", ["exec", "fislat", "--version"], clone).trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(sh("pnpm", ["exec", "fislat", "--help"], clone)).toMatch(/Usage: fislat/);
  });
});
