#!/usr/bin/env node
// Packs fislat as one tarball that installs with npm anywhere: the unpublished workspace packages
// it uses (@fislat/probe, @fislat/latency-proxy, @fislat/dynamo-local) go inside it as
// bundledDependencies, their own dependencies become fislat's, and the probe image's Docker build
// context ships as probe-context/. Run after `pnpm build`.
//
// usage: node scripts/pack-cli.mjs [--out <folder>]   (default: out/); prints the tarball's path
//        node scripts/pack-cli.mjs --stage <folder>   only lays the package out in <folder> (the
//          cli package's prepack does this, so `pnpm pack`/`pnpm publish` in packages/cli pack
//          the same package through publishConfig.directory)
//
// Why bundledDependencies and not a bundler: every package keeps the file layout it has in the
// repository, so what resolves files from import.meta.url (the probe's entry, which fislat starts
// as a child process; the CloudFormation template; package.json) works unchanged, and the
// installed code is the code the tests ran. dynalite's native level store (classic-level) stays
// a normal dependency: npm installs its prebuilt binary for the user's platform.
//
// The bundled packages keep no `dependencies` of their own: theirs become fislat's. npm counts a
// bundled package's dependencies as part of the bundle, and a global install (`npm install
// --global`, which lays packages out shallow) then leaves them empty: dynalite, level,
// classic-level, base64-js... were missing, and classic-level's install script found no
// node-gyp-build. Node resolves them from fislat's own node_modules all the same.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CLI = path.join(ROOT, "packages/cli");
const WORKSPACE = "workspace:";

const option = (name) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const out = path.resolve(option("--out") ?? path.join(ROOT, "out"));
const stageOnly = option("--stage");

const readJson = (file) => JSON.parse(readFileSync(file, "utf8"));
const workspacePackages = Object.fromEntries(
  ["probe", "latency-proxy", "dynamo-local"].map((dir) => {
    const folder = path.join(ROOT, "packages", dir);
    return [readJson(path.join(folder, "package.json")).name, folder];
  }),
);

/** The package's own files (its `files`, else dist/) without build bookkeeping. */
function copyPackage(from, to) {
  const manifest = readJson(path.join(from, "package.json"));
  for (const entry of manifest.files ?? ["dist"]) {
    const source = path.join(from, entry);
    if (!existsSync(source)) throw new Error(`${manifest.name}: ${entry} is missing; run pnpm build first`);
    cpSync(source, path.join(to, entry), {
      recursive: true,
      filter: (f) => !f.endsWith(".tsbuildinfo"),
    });
  }
  return manifest;
}

/** Adds `deps` to `into`, refusing two versions of one package. */
function mergeDependencies(into, deps = {}, owner) {
  for (const [name, version] of Object.entries(deps)) {
    if (version.startsWith(WORKSPACE)) continue;
    if (into[name] && into[name] !== version) {
      throw new Error(`${owner} needs ${name}@${version} but fislat has ${into[name]}: align them first`);
    }
    into[name] = version;
  }
}

/** The probe image's build context: the Dockerfile and every path its build stage COPYs. */
function copyProbeContext(to) {
  const dockerfile = readFileSync(path.join(ROOT, "Dockerfile"), "utf8");
  mkdirSync(to, { recursive: true });
  for (const file of ["Dockerfile", ".dockerignore"]) cpSync(path.join(ROOT, file), path.join(to, file));
  for (const line of dockerfile.split("\n")) {
    const words = line.trim().split(/\s+/);
    if (words[0] !== "COPY" || words.some((w) => w.startsWith("--from"))) continue;
    for (const source of words.slice(1, -1).filter((w) => !w.startsWith("--"))) {
      cpSync(path.join(ROOT, source), path.join(to, source), {
        recursive: true,
        filter: (f) => !/(^|\/)(node_modules|dist)(\/|$)|\.tsbuildinfo$/.test(path.relative(ROOT, f)),
      });
    }
  }
}

/** Lays out the package as it is published, in `stage`. */
function stagePackage(stage) {
  const manifest = copyPackage(CLI, stage);
  const dependencies = {};
  mergeDependencies(dependencies, manifest.dependencies, manifest.name);
  const bundled = [];
  for (const name of Object.keys(manifest.dependencies)) {
    if (!manifest.dependencies[name].startsWith(WORKSPACE)) continue;
    const folder = workspacePackages[name];
    if (!folder) throw new Error(`fislat depends on ${name}, which this script does not know how to bundle`);
    const target = path.join(stage, "node_modules", name);
    const inner = copyPackage(folder, target);
    mergeDependencies(dependencies, inner.dependencies, name);
    // Inside the tarball it is only fislat's: no dev tooling, no workspace references, and its
    // dependencies are fislat's (merged above), for npm's global installs (see the top).
    const { devDependencies: _dev, scripts: _scripts, dependencies: _deps, ...kept } = inner;
    writeFileSync(path.join(target, "package.json"), `${JSON.stringify(kept, null, 2)}\n`);
    bundled.push(name);
    // npm packs a bundled package only if it is also a dependency, at the version it has.
    dependencies[name] = inner.version;
  }
  const { devDependencies: _dev, scripts: _scripts, publishConfig: _publish, ...rest } = manifest;
  const files = [...new Set([...(manifest.files ?? []), "probe-context"])];
  const published = { ...rest, files, dependencies, bundleDependencies: bundled };
  writeFileSync(path.join(stage, "package.json"), `${JSON.stringify(published, null, 2)}\n`);
  for (const file of ["README.md", "LICENSE"]) {
    if (existsSync(path.join(ROOT, file))) cpSync(path.join(ROOT, file), path.join(stage, file));
  }
  copyProbeContext(path.join(stage, "probe-context"));
}

if (stageOnly) {
  const stage = path.resolve(stageOnly);
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });
  stagePackage(stage);
} else {
  const stage = mkdtempSync(path.join(os.tmpdir(), "fislat-pack-"));
  try {
    stagePackage(stage);
    mkdirSync(out, { recursive: true });
    const packed = execFileSync("npm", ["pack", "--silent", "--pack-destination", out], {
      cwd: stage,
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    })
      .trim()
      .split("\n")
      .at(-1);
    process.stdout.write(`${path.join(out, packed)}\n`);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}
