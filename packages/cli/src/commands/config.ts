// fislat config: every value `fislat run` would use and where it came from (a flag, the config
// file, the environment, or a default, including the defaults run fills in itself), so a
// surprise is found before an experiment starts. --output json gives the same as one document.

import Table from "cli-table3";
import type { Command } from "commander";
import { SCENARIOS } from "../engine/scenario.js";
import { EXIT, type ExitCode } from "../errors.js";
import { AWS_DEFAULTS, LOCAL_DEFAULTS } from "./run-options.js";

const SOURCES: Record<string, string> = { cli: "flag", config: "config file", default: "default", env: "environment" };
/** Options about this command's own output, not about the run. */
const OWN_OPTIONS = new Set(["config", "output"]);

export interface Setting {
  flag: string;
  /** null: not set, and nothing fills it in. */
  value: string | number | boolean | string[] | null;
  source: string;
}

/** The defaults `fislat run` applies after parsing, where commander has none. */
function runDefault(key: string, values: Record<string, unknown>): { value: string; source: string } | undefined {
  const phases = values.local ? LOCAL_DEFAULTS : AWS_DEFAULTS;
  const mode = values.local ? "local" : "AWS";
  if (key in phases) {
    // On AWS the interval and health window are the running task's own, unless --launch sets them.
    if (!values.local && !values.launch && (key === "interval" || key === "healthFailure")) {
      return { value: "the task's", source: "default (from the probe's task)" };
    }
    return { value: phases[key as keyof typeof phases], source: `default (${mode})` };
  }
  const scenario = SCENARIOS[String(values.scenario ?? "timeout")];
  if (scenario && key === "connectionTimeout")
    return { value: String(scenario.connectionTimeoutMs), source: `default (scenario ${scenario.name})` };
  if (scenario && key === "readTimeout")
    return { value: String(scenario.readTimeoutMs), source: `default (scenario ${scenario.name})` };
  if (key === "region" || key === "profile") return { value: "the SDK's default", source: "AWS SDK" };
  return undefined;
}

export function configSettings(command: Command, configPath: string | undefined): Setting[] {
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
    if (value === undefined && envName && process.env[envName]) {
      value = process.env[envName];
      source = `environment (${envName})`;
    }
    if (value === undefined || (Array.isArray(value) && value.length === 0)) {
      const fallback = runDefault(key, values);
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
  value === undefined
    ? ""
    : value === true
      ? "on"
      : value === false
        ? "off"
        : Array.isArray(value)
          ? value.join(", ")
          : String(value);

export function configCommand(
  command: Command,
  configPath: string | undefined,
  say: (s: string) => void,
  output: "text" | "json" = "text",
): ExitCode {
  const settings = configSettings(command, configPath);
  if (output === "json") {
    say(JSON.stringify({ configFile: configPath ?? null, settings }, null, 2));
    return EXIT.passed;
  }
  const table = new Table({ head: ["setting", "value", "from"], style: { head: [], border: [] } });
  for (const s of settings) table.push([s.flag, show(s.value), s.source]);
  say(table.toString());
  say(
    configPath
      ? `config file: ${configPath}`
      : "config file: none (fislat.config.json in this folder, or --config FILE)",
  );
  return EXIT.passed;
}
