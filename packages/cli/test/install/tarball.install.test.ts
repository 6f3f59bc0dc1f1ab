// fislat installs as a CLI tool: scripts/pack-cli.mjs (pnpm pack:cli) makes one tarball, and
// `pnpm pack` in packages/cli (so `pnpm publish`) makes the same one. npm installs it into an
// empty folder, globally into an empty prefix, and runs it with npx (no workspace, nothing
// unpublished); each installed command runs a short local experiment from an empty folder,
// starting the bundled probe as a child process.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { SHORT_PHASES } from "../support/local-run.js";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
const dir = mkdtempSync(path.join(os.tmpdir(), "fislat-install-"));
// Thousands of installed files: removed without blocking the worker, with time to do it.
afterAll(() => rm(dir, { recursive: true, force: true }), 180_000);
// `pnpm pack` lays the package out in packages/cli/pack-stage (publishConfig.directory).
afterAll(() => rm(path.join(REPO, "packages/cli/pack-stage"), { recursive: true, force: true }));

const env = { ...process.env, CI: "true", NO_COLOR: "1", npm_config_update_notifier: "false" };
// Asynchronous: a minute-long synchronous call would starve the test worker's own messages.
const sh = async (command: string, args: string[], cwd: string) =>
  (await promisify(execFile)(command, args, { cwd, encoding: "utf8", env })).stdout;

const { version } = JSON.parse(readFileSync(path.join(REPO, "packages/cli/package.json"), "utf8"));
const pinnedPnpm = JSON.parse(readFileSync(path.join(REPO, "package.json"), "utf8")).packageManager as string;
const packed = { cli: path.join(dir, "pack-cli"), pnpm: path.join(dir, "pnpm-pack") };
/** pnpm pack:cli's tarball: made once, for the global and npx installs. */
let tarball: string;

/** A short local run of an installed fislat, from an empty folder: its report says it passed. */
async function runsLocally(fislat: string, args: string[] = []) {
  const empty = mkdtempSync(path.join(dir, "empty-"));
  const report = path.join(dir, `${path.basename(empty)}.json`);
  let code = 0;
  try {
    await sh(fislat, [...args, "run", "--local", ...SHORT_PHASES, "--json", report], empty);
  } catch (error) {
    code = (error as { code: number }).code;
  }
  const written = JSON.parse(readFileSync(report, "utf8"));
  expect(written.exitCode).toBe(code);
  expect(written.outcome).toBe("passed");
  expect(written.phases.injection.count).toBeGreaterThan(0);
}

/** The tarball's files and manifest, to compare two packs of the same package. */
async function contents(file: string) {
  const list = (await sh("tar", ["-tzf", file], dir)).split("\n").filter(Boolean).sort();
  const manifest = JSON.parse(await sh("tar", ["-xzOf", file, "package/package.json"], dir));
  return { list, manifest };
}

describe("the packed tarball", () => {
  it("pnpm pack in packages/cli (and so pnpm publish) makes the tarball pnpm pack:cli makes", async () => {
    mkdirSync(packed.cli);
    tarball = (await sh(process.execPath, [path.join(REPO, "scripts/pack-cli.mjs"), "--out", packed.cli], REPO)).trim();
    expect(path.basename(tarball)).toMatch(/^fislat-\d+\.\d+\.\d+\.tgz$/);
    // The pinned pnpm through npx, as the README runs it (its prepack builds and lays the package out).
    await sh("npx", ["-y", pinnedPnpm, "pack", "--pack-destination", packed.pnpm], path.join(REPO, "packages/cli"));
    const fromPnpm = path.join(packed.pnpm, `fislat-${version}.tgz`);
    const [a, b] = await Promise.all([contents(tarball), contents(fromPnpm)]);
    expect(b.list).toEqual(a.list);
    expect(b.manifest).toEqual(a.manifest);
    // No workspace reference or unpublished version left for npm to look up.
    expect(JSON.stringify(b.manifest)).not.toMatch(/workspace:/);
    expect(b.manifest.bundleDependencies).toEqual(["@fislat/dynamo-local", "@fislat/latency-proxy", "@fislat/probe"]);
  });

  it("pnpm pack's tarball installs with npm into an empty folder, runs --version, --help and run --local, and its probe-context builds", {
    timeout: 300_000,
  }, async () => {
    const tarball = path.join(packed.pnpm, `fislat-${version}.tgz`);
    const app = path.join(dir, "app");
    await sh("mkdir", ["-p", app], dir);
    writeFileSync(path.join(app, "package.json"), '{ "private": true }\n');
    await sh("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", tarball], app);

    // Nothing from the workspace leaked in: the bundled packages are inside fislat's own folder.
    const installed = path.join(app, "node_modules/fislat");
    expect(existsSync(path.join(installed, "node_modules/@fislat/probe/dist/main.js"))).toBe(true);
    expect(existsSync(path.join(installed, "probe-context/Dockerfile"))).toBe(true);
    expect(existsSync(path.join(installed, "probe-context/packages/probe/src"))).toBe(true);

    const fislat = path.join(app, "node_modules/.bin/fislat");
    expect((await sh(fislat, ["--version"], app)).trim()).toBe(version);
    expect(await sh(fislat, ["--help"], app)).toMatch(/Usage: fislat/);
    await runsLocally(fislat);

    // The shipped Docker build context builds the probe image (the Dockerfile's own steps, run
    // without a Docker engine by scripts/probe-image.mjs): what `fislat image push` builds from.
    const image = path.join(dir, "image");
    await sh(
      process.execPath,
      [
        path.join(REPO, "scripts/probe-image.mjs"),
        "build",
        "--context",
        path.join(installed, "probe-context"),
        "--out",
        image,
      ],
      dir,
    );
    const manifest = JSON.parse(readFileSync(path.join(image, "image.json"), "utf8"));
    expect(existsSync(path.join(manifest.appDir, "dist/main.js"))).toBe(true);
  });

  it("installs with npm install --global into an empty prefix, and runs from an empty folder", {
    timeout: 300_000,
  }, async () => {
    // npm leaves a bundled package's own dependencies to the bundle on a global install: the
    // bundled packages must not have any (scripts/pack-cli.mjs gives them to fislat).
    const prefix = path.join(dir, "global");
    await sh(
      "npm",
      ["install", "--global", "--prefix", prefix, "--no-audit", "--no-fund", "--prefer-offline", tarball],
      dir,
    );
    const fislat = path.join(prefix, "bin/fislat");
    expect((await sh(fislat, ["--version"], dir)).trim()).toBe(version);
    await runsLocally(fislat);
  });

  it("runs with npx --package <tarball>, from an empty folder", { timeout: 300_000 }, async () => {
    const npx = ["--yes", "--prefer-offline", "--package", tarball, "fislat"];
    expect((await sh("npx", [...npx, "--version"], dir)).trim()).toBe(version);
    await runsLocally("npx", npx);
  });
});
