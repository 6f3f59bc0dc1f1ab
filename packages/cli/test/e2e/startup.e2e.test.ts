// What fislat loads before it does anything: --help and --version load no AWS SDK client, no
// table library and no colour library (commands import what they use when they run), while a
// local run loads what it draws with and still no SDK client.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CLI } from "../support/cli.js";

const HOOK = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../support/loaded-modules.mjs");

function packagesLoadedBy(args: string[]): string[] {
  const run = spawnSync(process.execPath, ["--import", HOOK, CLI, ...args], { encoding: "utf8" });
  const line = run.stderr.split("\n").find((l) => l.startsWith("loaded-packages "));
  if (!line) throw new Error(`no list of loaded packages; stderr:\n${run.stderr}`);
  return JSON.parse(line.slice("loaded-packages ".length)) as string[];
}

describe("fislat at start-up", () => {
  it("loads no SDK client, table or colour library for --help and --version", () => {
    for (const args of [["--help"], ["--version"], ["run", "--help"]]) {
      const loaded = packagesLoadedBy(args);
      expect(loaded, args.join(" ")).not.toContain("cli-table3");
      expect(loaded, args.join(" ")).not.toContain("chalk");
      expect(
        loaded.filter((p) => p.startsWith("@aws-sdk/")),
        args.join(" "),
      ).toEqual([]);
    }
  });

  it("loads what a refused local run prints with, and still no SDK client", () => {
    const loaded = packagesLoadedBy(["run", "--local", "--baseline", "1s"]);
    expect(loaded).toContain("chalk");
    expect(loaded.filter((p) => p.startsWith("@aws-sdk/"))).toEqual([]);
  });
});
