// fislat installs as a CLI tool: scripts/pack-cli.mjs makes one tarball, npm installs it into an
// empty folder (no workspace, nothing unpublished), and the installed command runs a short local
// experiment, starting the bundled probe as a child process.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
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

const env = { ...process.env, CI: "true", NO_COLOR: "1", npm_config_update_notifier: "false" };
// Asynchronous: a minute-long synchronous call would starve the test worker's own messages.
const sh = async (command: string, args: string[], cwd: string) =>
  (await promisify(execFile)(command, args, { cwd, encoding: "utf8", env })).stdout;

describe("the packed tarball", () => {
  it("installs with npm into an empty folder, runs --version, --help and run --local, and its probe-context builds", {
    timeout: 300_000,
  }, async () => {
    const tarball = (await sh(process.execPath, [path.join(REPO, "scripts/pack-cli.mjs"), "--out", dir], REPO)).trim();
    expect(path.basename(tarball)).toMatch(/^fislat-\d+\.\d+\.\d+\.tgz$/);
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
    const { version } = JSON.parse(readFileSync(path.join(REPO, "packages/cli/package.json"), "utf8"));
    expect((await sh(fislat, ["--version"], app)).trim()).toBe(version);
    expect(await sh(fislat, ["--help"], app)).toMatch(/Usage: fislat/);

    const report = path.join(dir, "report.json");
    let code = 0;
    try {
      await sh(fislat, ["run", "--local", ...SHORT_PHASES, "--json", report], app);
    } catch (error) {
      code = (error as { code: number }).code;
    }
    const written = JSON.parse(readFileSync(report, "utf8"));
    expect(written.exitCode).toBe(code);
    expect(written.outcome).toBe("passed");
    expect(written.phases.injection.count).toBeGreaterThan(0);

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
});
