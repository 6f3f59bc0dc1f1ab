// fislat config: every value `fislat run` would use and where it came from (a flag, the config
// file, the environment, or a default, including the defaults run fills in itself), so a
// surprise is found before an experiment starts. --output json gives the same as one document.

import Table from "cli-table3";
import type { Command } from "commander";
import { type CommandContext, lineWriter, widthOf } from "../context.js";
import { formatDuration, parseDuration } from "../durations.js";
import { FAULT_KINDS, faultKind } from "../engine/fault.js";
import type { ExperimentRequest } from "../engine/plan.js";
import { AWS_ONLY, ENVIRONMENT_DEFAULTS, flagKey, planExperiment } from "../engine/planner.js";
import { EXIT, type ExitCode } from "../errors.js";
import { widthOf as layoutWidth } from "../render/layout.js";
import { wrapProse } from "../render/wrap.js";
import { loadExperimentSource, planRun, type RunFlags } from "./run-options.js";

const SOURCES: Record<string, string> = { cli: "flag", config: "config file", default: "default", env: "environment" };
/** Options about this command's own output, not about the run. */
const OWN_OPTIONS = new Set(["config", "output"]);

export interface Setting {
  flag: string;
  /** null: not set, and nothing fills it in. */
  value: string | number | boolean | string[] | null;
  source: string;
}

/** What run fills in for a flag left unset, read from the plan run would make. */
const PLANNED: Record<string, (r: ExperimentRequest) => string> = {
  scenario: (r) => r.name,
  baseline: (r) => formatDuration(r.phases.baselineMs),
  duration: (r) => formatDuration(r.phases.injectionMs),
  recovery: (r) => formatDuration(r.phases.recoveryMs),
  interval: (r) => formatDuration(r.probe.intervalMs),
  healthFailure: (r) => formatDuration(r.probe.healthFailureMs),
  connectionTimeout: (r) => `${r.probe.connectionTimeoutMs} ms`,
  readTimeout: (r) => `${r.probe.readTimeoutMs} ms`,
  // The fault's own fields, as its kind reports them (delay: "800 ms").
  ...Object.fromEntries(
    Object.values(FAULT_KINDS).flatMap((k) =>
      Object.entries(k.fields).map(([field, { flag }]) => [
        flagKey(flag),
        (r: ExperimentRequest) => faultKind(r.fault).shownFields(r.fault)[field] ?? "(another fault kind's)",
      ]),
    ),
  ),
};

const PHASE_KEYS = new Set(["baseline", "duration", "recovery"]);

function runDefault(
  key: string,
  values: Record<string, unknown>,
  planned: Planned | undefined,
): { value: string; source: string } | undefined {
  if (key === "region" || key === "profile") return { value: "the SDK's default", source: "AWS SDK" };
  const read = PLANNED[key];
  if (!read || !planned?.request) return undefined;
  if (key === "scenario" && values.experiment) return undefined;
  // On AWS the interval and health window are the running task's own, unless --launch sets them.
  if (!values.local && !values.launch && (key === "interval" || key === "healthFailure")) {
    return { value: "the task's", source: "default (from the probe's task)" };
  }
  const mode = values.local ? "local" : "AWS";
  if (!planned.complete && !values.local && PHASE_KEYS.has(key) && !values.experiment) {
    const phase = ENVIRONMENT_DEFAULTS.aws[key as "baseline" | "duration" | "recovery"];
    return { value: formatDuration(parseDuration(`--${key}`, phase)), source: `default (${mode})` };
  }
  const from = values.experiment ? "experiment file or default" : "default";
  return { value: read(planned.request), source: `${from} (${planned.request.source}, ${mode})` };
}

interface Planned {
  /** Absent when even what run fills in cannot be worked out (run would refuse these flags). */
  request?: ExperimentRequest;
  /** False when run would refuse these flags as they stand (on AWS: no target yet). */
  complete: boolean;
  refusal?: string;
}

/** The request run would plan from these flags; without a target, what it would fill in anyway. */
function plan(values: Record<string, unknown>, cwd: string): Planned | undefined {
  try {
    return { request: planRun(values as RunFlags, cwd), complete: true };
  } catch (error) {
    const refusal = error instanceof Error ? error.message : String(error);
    try {
      // What run fills in (scenario, fault, timeouts) does not depend on where it runs.
      const local = Object.fromEntries(
        Object.entries(values).filter(([k]) => !(AWS_ONLY as readonly string[]).includes(k)),
      );
      const request = planExperiment(
        { ...local, local: true } as RunFlags,
        loadExperimentSource(values as RunFlags, cwd),
      );
      return { request, complete: false, refusal };
    } catch {
      return { complete: false, refusal };
    }
  }
}

export function configSettings(
  command: Command,
  configPath: string | undefined,
  env: CommandContext["env"],
  planned: Planned | undefined,
): Setting[] {
  const values = command.opts();
  const settings: Setting[] = [];
  for (const option of command.options) {
    const key = option.attributeName();
    if (OWN_OPTIONS.has(key)) continue;
    // --no-live-tail is shown as what it sets: live tail on or off.
    const flag = option.negate ? `--${option.long?.replace(/^--no-/, "")}` : (option.long ?? key);
    let value = values[key] as Setting["value"] | undefined;
    let source = SOURCES[command.getOptionValueSource(key) ?? ""] ?? "unset";
    if (source === "config file" && configPath) source = `config file (${configPath})`;
    // Region and profile left unset fall to the SDK's own resolution.
    const envName = key === "region" ? "AWS_REGION" : key === "profile" ? "AWS_PROFILE" : undefined;
    if (value === undefined && envName && env[envName]) {
      value = env[envName];
      source = `environment (${envName})`;
    }
    if (value === undefined || (Array.isArray(value) && value.length === 0)) {
      const fallback = runDefault(key, values, planned);
      if (fallback) ({ value, source } = fallback);
      else if (option.isBoolean()) {
        value = false;
        source = "default";
      } else {
        value = null;
        source = "unset";
      }
    }
    settings.push({ flag, value: value ?? null, source });
  }
  return settings;
}

const show = (value: Setting["value"]) =>
  value === null
    ? ""
    : value === true
      ? "on"
      : value === false
        ? "off"
        : Array.isArray(value)
          ? value.join(", ")
          : String(value);

/**
 * The settings as a table within `width` columns: as wide as its content when that fits, else the
 * flag column whole and the value and its source wrapped at word boundaries in what is left.
 */
function settingsTable(rows: string[][], width: number): string {
  const style = { head: [], border: [] };
  const head = ["setting", "value", "from"];
  const natural = new Table({ head, style });
  natural.push(...rows);
  const text = natural.toString();
  if (layoutWidth(text) <= width) return text;
  // Four borders; each column pads one space on either side (cli-table3's colWidths include it).
  const flagColumn = Math.max(...[head[0] as string, ...rows.map((r) => r[0] as string)].map((t) => t.length)) + 2;
  const rest = Math.max(20, width - 4 - flagColumn);
  const valueColumn = Math.max(10, Math.floor(rest * 0.45));
  const widths = [flagColumn, valueColumn, rest - valueColumn];
  const fitted = new Table({ head, style, colWidths: widths });
  fitted.push(...rows.map((row) => row.map((cell, i) => wrapCell(cell, (widths[i] as number) - 2))));
  return fitted.toString();
}

/** A cell's text in lines of at most `width`: at spaces, and a word longer than a line cut into pieces. */
function wrapCell(text: string, width: number): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    for (let piece = word; piece.length > 0; piece = piece.slice(width)) {
      const joined = line === "" ? piece.slice(0, width) : `${line} ${piece.slice(0, width)}`;
      if (joined.length <= width) line = joined;
      else {
        lines.push(line);
        line = piece.slice(0, width);
      }
    }
  }
  lines.push(line);
  return lines.join("\n");
}

export function configCommand(
  ctx: CommandContext,
  {
    command,
    configPath,
    output = "text",
  }: {
    /** The `config` command as parsed: its values, and where each came from. */
    command: Command;
    configPath: string | undefined;
    output?: "text" | "json";
  },
): ExitCode {
  const say = lineWriter(ctx.stdout);
  const planned = plan(command.opts(), ctx.cwd);
  const settings = configSettings(command, configPath, ctx.env, planned);
  const runWouldRefuse = planned?.refusal ?? null;
  if (output === "json") {
    say(JSON.stringify({ configFile: configPath ?? null, settings, runWouldRefuse }, null, 2));
    return EXIT.passed;
  }
  const width = widthOf(ctx, ctx.stdout);
  const rows = settings.map((s) => [s.flag, show(s.value), s.source]);
  say(settingsTable(rows, width));
  if (runWouldRefuse) say(wrapProse(`run would refuse these settings as they stand: ${runWouldRefuse}`, width));
  say(
    wrapProse(
      configPath
        ? `config file: ${configPath}`
        : "config file: none (fislat.config.json in this folder, or --config FILE)",
      width,
    ),
  );
  return EXIT.passed;
}
