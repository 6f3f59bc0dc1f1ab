// `fislat run`'s inputs made ready for the planner, and the checks that need the file system:
// the experiment file read (or a built-in scenario picked), and the report targets checked before
// anything starts. Every refusal names the input and what is allowed, and exits 2. A relative
// path is the command context's folder's (`cwd`), as the user typed it in their shell.
import { accessSync, constants, lstatSync, readFileSync, realpathSync, statSync } from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { isAppRun } from "../engine/app-run.js";
import { ExperimentFileError, parseErrorText, parseExperimentText } from "../engine/experiment-file.js";
import { quoted } from "../engine/limits.js";
import type { ExperimentRequest, ReportTargets } from "../engine/plan.js";
import { type ExperimentSource, planExperiment, type RunFlags } from "../engine/planner.js";
import { defaultScenario, isScenarioName, SCENARIO_NAMES, scenarioFile } from "../engine/scenario.js";
import { checkTables, TablesError } from "../engine/tables.js";
import { badInput } from "../errors.js";
import { TEMP_NAME_EXTRA_BYTES } from "../render/atomic-write.js";
import { FILE_FORMATS, fileFlag, reportFilesOf } from "../reporters/index.js";

export type { RunFlags };

/** Experiment files are small; a bigger one is a mistake (a log, a binary). */
const MAX_FILE_BYTES = 1_000_000;

/**
 * `named`: how refusals name the file, as the user gave it: `--experiment` to run and sweep, "the
 * experiment file" to `experiment check`, whose argument it is.
 */
export function loadExperimentSource(
  flags: Pick<RunFlags, "scenario" | "experiment" | "local" | "app" | "url" | "proxyPort" | "fault">,
  cwd: string,
  named = "--experiment",
): ExperimentSource {
  if (flags.experiment !== undefined) {
    if (flags.scenario !== undefined) {
      throw badInput(
        `${named} and --scenario both name the experiment: give one (a scenario is a built-in experiment file)`,
      );
    }
    return { kind: "file", name: flags.experiment, data: readExperimentFile(flags.experiment, cwd, named) };
  }
  // Your own app with no experiment file: its thresholds come from --threshold, or the default
  // hypothesis (app-run.ts); the probe's scenarios do not apply to it.
  // Locally or on AWS (the user's ECS service, environments/aws-service.ts).
  if (flags.scenario === undefined && isAppRun(flags, {})) {
    return { kind: "file", name: "your app", data: { name: "your-app" } };
  }
  // No scenario named: the --fault kind's own (errors -> throttled), else timeout.
  const name = flags.scenario ?? defaultScenario(flags.fault);
  if (!isScenarioName(name)) {
    throw badInput(`--scenario ${quoted(name)} is not a scenario: expected one of ${SCENARIO_NAMES.join(", ")}`);
  }
  return { kind: "scenario", name, data: scenarioFile(name) };
}

export function readExperimentFile(file: string, cwd: string, named = "--experiment") {
  let text: string;
  try {
    const stat = statSync(path.resolve(cwd, file));
    if (!stat.isFile()) throw badInput(`${named} ${quoted(file)} is not a regular file`);
    if (stat.size > MAX_FILE_BYTES)
      throw badInput(`${named} ${quoted(file)} is ${stat.size} bytes: an experiment file is at most 1 MB`);
    text = readFileSync(path.resolve(cwd, file), "utf8");
  } catch (error) {
    if ((error as { exitCode?: number }).exitCode !== undefined) throw error;
    throw badInput(
      `${named} ${quoted(file)}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  try {
    return parseExperimentText(text, file);
  } catch (error) {
    if (error instanceof ExperimentFileError) throw badInput(error.message);
    throw error;
  }
}

const NAME_MAX = 255;

/**
 * Report targets checked before the run: a folder that exists and can be written (not /proc or
 * /sys), a name short enough for its temporary file, no two reports to one file (by their real
 * path), and nothing there but a regular file (no symlink, device node or folder to replace).
 */
export function checkReportTargets(reports: ReportTargets, inputs: ReportInput[], cwd: string): ReportTargets {
  const seen = new Map<string, string>();
  const read = new Map(inputs.map((input) => [realPathOf(path.resolve(cwd, input.file)), input] as const));
  const checked: ReportTargets = {};
  for (const key of FILE_FORMATS) {
    const file = reports[key];
    if (file === undefined) continue;
    const flag = fileFlag(key);
    const resolved = checkReportPath(flag, file, cwd);
    const input = read.get(resolved);
    if (input) {
      throw badInput(
        `${flag} ${quoted(file)} names the ${input.what} being read, ${quoted(input.file)} (${resolved}): writing the report there would overwrite it; give each report its own file`,
      );
    }
    const other = seen.get(resolved);
    if (other)
      throw badInput(
        `${flag} ${quoted(file)} and ${other} name the same file ${resolved}: give each report its own file`,
      );
    seen.set(resolved, flag);
    checked[key] = resolved;
  }
  return checked;
}

/** A file the command reads (a report, an experiment file): no report may be written over it. */
export interface ReportInput {
  /** What it is, in a refusal: "report", "BASE report", "experiment file". */
  what: string;
  file: string;
}

/** An absolute path's real path (symlinks and ./ resolved), as a report target's is; as given if it does not exist. */
function realPathOf(absolute: string): string {
  try {
    return realpathSync(absolute);
  } catch {
    return absolute;
  }
}

function checkReportPath(flag: string, file: string, cwd: string): string {
  if (file.trim() === "") throw badInput(`${flag} needs a file name`);
  // Not stdout, as `-` is for some tools: a file named "-" would be a surprise either way.
  if (file === "-") {
    throw badInput(
      `${flag} "-": reports are written to files, give a file name (run, sweep and compare print their JSON on stdout with --output json)`,
    );
  }
  const absolute = path.resolve(cwd, file);
  let dir: string;
  try {
    dir = realpathSync(path.dirname(absolute));
    if (!statSync(dir).isDirectory()) throw new Error();
    accessSync(dir, constants.W_OK);
  } catch {
    throw badInput(
      `${flag} ${quoted(file)}: the folder ${quoted(path.dirname(absolute))} does not exist or cannot be written`,
    );
  }
  if (/^\/(proc|sys|dev)(\/|$)/.test(dir)) {
    throw badInput(`${flag} ${quoted(file)}: ${dir} is not a place for files; write the report to an ordinary folder`);
  }
  const base = path.basename(absolute);
  if (Buffer.byteLength(base) + TEMP_NAME_EXTRA_BYTES > NAME_MAX) {
    throw badInput(
      `${flag} ${quoted(file)}: the file name is too long (at most ${NAME_MAX - TEMP_NAME_EXTRA_BYTES} bytes, leaving room for the temporary file written first)`,
    );
  }
  const resolved = path.join(dir, base);
  const existing = lstatSync(resolved, { throwIfNoEntry: false });
  if (existing?.isDirectory()) throw badInput(`${flag} ${quoted(file)} is a folder: give a file name`);
  if (existing && !existing.isFile()) {
    throw badInput(
      `${flag} ${quoted(file)} is ${existing.isSymbolicLink() ? "a symbolic link" : "not a regular file (a device, pipe or socket)"}: fislat replaces only regular files; give another name`,
    );
  }
  return resolved;
}

/**
 * How `run` turns flags into a request for this source: the planner, with the tables file it names
 * read once (not per call). `fislat sweep` plans each of its levels with it, so a level is exactly
 * the run its flags would give.
 */
export function requestPlanner(
  flags: RunFlags,
  source: ExperimentSource,
  cwd: string,
): (flags: RunFlags) => ExperimentRequest {
  let tables: ReturnType<typeof readTablesFile> | null | undefined;
  return (levelFlags) => {
    // The request first, then the file: a refusal of the flags comes before one of the tables.
    const request = planExperiment(levelFlags, source);
    if (tables === undefined) {
      const file = tablesFileOf(flags, source, cwd);
      tables = file ? readTablesFile(file.path, file.where) : null;
    }
    return tables ? { ...request, target: { ...request.target, tables } } : request;
  };
}

/** Flags (config file folded in) -> the validated request, report targets checked: nothing started yet. */
export function planRun(flags: RunFlags, cwd: string, experimentNamed?: string): ExperimentRequest {
  const source = loadExperimentSource(flags, cwd, experimentNamed);
  const request = requestPlanner(flags, source, cwd)(flags);
  // Every format in the reporters' table has its flag; the planner needs to know none of them.
  return {
    ...request,
    reports: checkReportTargets(
      { ...request.reports, ...reportFilesOf(flags as Record<string, unknown>) },
      inputsOf(flags),
      cwd,
    ),
  };
}

/** The files a run reads, which its reports must not overwrite. */
export function inputsOf(flags: RunFlags): ReportInput[] {
  const inputs: ReportInput[] = [];
  if (flags.experiment !== undefined) inputs.push({ what: "experiment file", file: flags.experiment });
  if (flags.tables !== undefined) inputs.push({ what: "tables file", file: flags.tables });
  return inputs;
}

/** The tables file to read, if any: --tables, or the experiment file's `tables` path (relative to the file). */
function tablesFileOf(
  flags: RunFlags,
  source: ExperimentSource,
  cwd: string,
): { path: string; where: string } | undefined {
  if (flags.tables !== undefined)
    return { path: path.resolve(cwd, flags.tables), where: `--tables ${quoted(flags.tables)}` };
  const fromFile = source.data.tables;
  if (typeof fromFile !== "string" || source.kind !== "file") return undefined;
  return {
    path: path.resolve(cwd, path.dirname(source.name), fromFile),
    where: `${source.name}: tables ${quoted(fromFile)}`,
  };
}

export function readTablesFile(file: string, where: string) {
  let text: string;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw badInput(`${where} is not a regular file`);
    if (stat.size > 10 * MAX_FILE_BYTES)
      throw badInput(`${where} is ${stat.size} bytes: a tables file is at most 10 MB`);
    text = readFileSync(file, "utf8");
  } catch (error) {
    if ((error as { exitCode?: number }).exitCode !== undefined) throw error;
    throw badInput(`${where}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let data: unknown;
  const json = /\.json$/i.test(file);
  try {
    data = json ? JSON.parse(text) : parseYaml(text, { uniqueKeys: true, maxAliasCount: 100 });
  } catch (error) {
    throw badInput(`${where} is not valid ${json ? "JSON" : "YAML"}: ${parseErrorText(error)}`);
  }
  try {
    return checkTables(data, where);
  } catch (error) {
    if (error instanceof TablesError) throw badInput(error.message);
    throw error;
  }
}
