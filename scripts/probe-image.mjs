#!/usr/bin/env node
// Builds and starts the probe image without a Docker engine, by executing the root Dockerfile's
// own instructions: every stage gets a folder standing for its file system, WORKDIR/COPY/ENV/CMD
// are applied to it and the build stage's RUN lines run in it, so this is the image's build, not a
// paraphrase of it. The final stage's RUN lines are OS setup (apt, setcap) and are reported, not run.
//
//   node scripts/probe-image.mjs build [--out DIR]   build into DIR (default out/probe-image)
//   node scripts/probe-image.mjs start [--out DIR]   start the built image's CMD, environment passed through
//   --context DIR: build from another context than this checkout (e.g. an installed fislat's probe-context)
import { execFileSync, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

let repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

function fail(message) {
  process.stderr.write(`probe-image: ${message}\n`);
  process.exit(2);
}

/** Instructions of a Dockerfile, continuation lines joined, comments dropped. */
export function parseDockerfile(text) {
  const joined = text.replace(/\\\r?\n/g, " ");
  const instructions = [];
  for (const raw of joined.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const [, op, rest] = /^(\S+)\s+(.*)$/.exec(line) ?? [];
    if (!op) continue;
    instructions.push({ op: op.toUpperCase(), args: rest.trim() });
  }
  return instructions;
}

function expandArgs(value, vars) {
  return value.replace(/\$\{(\w+)\}|\$(\w+)/g, (m, a, b) => vars[a ?? b] ?? m);
}

function build(outDir) {
  const dockerfile = parseDockerfile(readFileSync(path.join(repo, "Dockerfile"), "utf8"));
  rmSync(outDir, { recursive: true, force: true });
  const vars = {};
  const stages = [];
  const stageCount = dockerfile.filter((i) => i.op === "FROM").length;
  let stage;
  const at = (s, containerPath) =>
    path.join(s.root, path.posix.isAbsolute(containerPath) ? containerPath : path.posix.join(s.workdir, containerPath));
  const say = (text) => process.stderr.write(`${text}\n`);

  for (const { op, args } of dockerfile) {
    if (op === "ARG") {
      const [name, value = ""] = args.split("=");
      vars[name] ??= value;
      continue;
    }
    if (op === "FROM") {
      const [, image, name] = /^(\S+)(?:\s+AS\s+(\S+))?/i.exec(args);
      stage = {
        name: name ?? String(stages.length),
        image: expandArgs(image, vars),
        root: path.join(outDir, `stage-${stages.length}`),
        workdir: "/",
        env: {},
        cmd: undefined,
        user: "root",
      };
      stages.push(stage);
      mkdirSync(stage.root, { recursive: true });
      say(`== stage ${stage.name} (${stage.image})`);
      continue;
    }
    if (!stage) fail(`Dockerfile: ${op} before FROM`);
    const final = stages.length === stageCount;
    switch (op) {
      case "WORKDIR":
        stage.workdir = path.posix.resolve(stage.workdir, args);
        mkdirSync(at(stage, stage.workdir), { recursive: true });
        break;
      case "ENV":
        for (const [, k, v] of args.matchAll(/(\w+)=(\S+)/g)) stage.env[k] = v;
        break;
      case "USER":
        stage.user = args;
        break;
      case "CMD":
        stage.cmd = JSON.parse(args);
        break;
      case "COPY": {
        const words = args.split(/\s+/);
        const from = words[0].startsWith("--from=") ? words.shift().slice("--from=".length) : undefined;
        const dest = words.pop();
        const source = from ? stages.find((s) => s.name === from) : undefined;
        if (from && !source) fail(`Dockerfile: COPY --from=${from}: no such stage`);
        // Docker's rules: a directory's contents go into dest; a file goes into dest/ or becomes dest.
        for (const src of words) {
          const origin = source ? at(source, src) : path.join(repo, src);
          const isDir = statSync(origin).isDirectory();
          const into = at(stage, dest);
          const target =
            isDir || !(dest.endsWith("/") || words.length > 1) ? into : path.join(into, path.basename(src));
          mkdirSync(isDir ? target : path.dirname(target), { recursive: true });
          // .dockerignore keeps build output and node_modules out of the context.
          const filter = source
            ? undefined
            : (p) => !/(^|[\\/])(node_modules|dist)([\\/]|$)/.test(path.relative(repo, p));
          cpSync(origin, target, { recursive: true, filter });
        }
        say(`COPY ${args}`);
        break;
      }
      case "RUN": {
        if (final) {
          say(`RUN (OS setup of the runtime image, not reproduced here): ${args.slice(0, 80)}...`);
          break;
        }
        const pnpmPin = /^npm install --global pnpm@(\S+)$/.exec(args);
        if (pnpmPin && tryVersion("pnpm") === pnpmPin[1]) {
          say(`RUN ${args} (pnpm ${pnpmPin[1]} is already installed)`);
          break;
        }
        if (pnpmPin) {
          // In the image this installs pnpm globally; here that would replace the machine's own
          // pnpm. The stage's later RUN lines get a `pnpm` that runs the pinned version with npx.
          const bin = path.join(stage.root, ".pnpm-shim");
          mkdirSync(bin, { recursive: true });
          writeFileSync(path.join(bin, "pnpm"), `#!/bin/sh\nexec npx --yes pnpm@${pnpmPin[1]} "$@"\n`, { mode: 0o755 });
          stage.env.PATH = `${bin}${path.delimiter}${stage.env.PATH ?? process.env.PATH ?? ""}`;
          say(`RUN ${args} (here: pnpm ${pnpmPin[1]} through npx, the machine's pnpm left alone)`);
          break;
        }
        say(`RUN ${args}`);
        execFileSync("bash", ["-c", args], {
          cwd: at(stage, stage.workdir),
          stdio: ["ignore", 2, 2],
          env: { ...process.env, ...stage.env, CI: "true" },
        });
        break;
      }
      default:
        say(`${op} ${args}`);
    }
  }
  const final = stages.at(-1);
  const manifest = {
    appDir: at(final, final.workdir),
    cmd: final.cmd,
    env: final.env,
    user: final.user,
    image: final.image,
  };
  writeFileSync(path.join(outDir, "image.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  say(`built: ${manifest.appDir} (CMD ${JSON.stringify(manifest.cmd)})`);
  return manifest;
}

function tryVersion(command) {
  try {
    return execFileSync(command, ["--version"], { encoding: "utf8" }).trim();
  } catch {
    return undefined;
  }
}

function start(outDir) {
  const file = path.join(outDir, "image.json");
  if (!existsSync(file)) fail(`no image in ${outDir}: run 'node scripts/probe-image.mjs build --out ${outDir}' first`);
  const manifest = JSON.parse(readFileSync(file, "utf8"));
  const [command, ...args] = manifest.cmd;
  const child = spawn(command === "node" ? process.execPath : command, args, {
    cwd: manifest.appDir,
    env: { ...process.env, ...manifest.env },
    stdio: "inherit",
  });
  for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { out: { type: "string" }, context: { type: "string" } },
});
if (values.context) repo = path.resolve(values.context);
const outDir = path.resolve(values.out ?? path.join(repo, "out", "probe-image"));
const [command = "build"] = positionals;
if (command === "build") build(outDir);
else if (command === "start") start(outDir);
else fail(`unknown command ${JSON.stringify(command)}: expected build or start`);
