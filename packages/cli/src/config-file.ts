// fislat.config.json (in the working directory, or --config FILE): values for any flag, by the
// flag's camelCase name ("cluster", "roleArn", "stopAlarm"). Flags win; the file fills in what
// they left out; commander records where each value came from, which `fislat config` prints.
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Command, Option } from "commander";
import { oneLine } from "./engine/limits.js";
import { AWS_ONLY } from "./engine/planner.js";
import { badInput } from "./errors.js";

export const CONFIG_FILE = "fislat.config.json";

/** Options that name the same thing different ways: a flag for one silences the file for all. */
const ALTERNATIVES = [["service", "task", "tag"]];
const OWN_SERVICE_SKIPS = ["service", "healthUrl"];

export interface ConfigFile {
  path?: string;
  values: Record<string, unknown>;
}

export function loadConfigFile(explicit: string | undefined, cwd: string): ConfigFile {
  const file = path.resolve(cwd, explicit ?? CONFIG_FILE);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    if (explicit) throw badInput(`--config ${JSON.stringify(explicit)}: no such file`);
    return { values: {} };
  }
  let values: unknown;
  try {
    values = JSON.parse(text);
  } catch (error) {
    throw badInput(`${file} is not valid JSON: ${oneLine((error as Error).message)}`);
  }
  if (typeof values !== "object" || values === null || Array.isArray(values)) {
    throw badInput(`${file} must hold a JSON object of flag names to values, e.g. {"cluster": "FIS"}`);
  }
  return { path: file, values: values as Record<string, unknown> };
}

function coerce(option: Option, key: string, value: unknown, file: string): unknown {
  const where = `${file}: "${key}"`;
  if (option.isBoolean()) {
    if (typeof value !== "boolean") throw badInput(`${where} must be true or false`);
    return value;
  }
  if (option.variadic || Array.isArray(option.defaultValue)) {
    const list = Array.isArray(value) ? value : [value];
    if (!list.every((v) => typeof v === "string")) throw badInput(`${where} must be a string or a list of strings`);
    return list;
  }
  if (typeof value !== "string" && typeof value !== "number") throw badInput(`${where} must be a string or a number`);
  return String(value);
}

/**
 * Fills the command's options the flags left unset from the file. Keys no fislat command knows
 * are refused (a typo must not silently do nothing); keys of other commands are left alone.
 */
export function applyConfigFile(command: Command, config: ConfigFile, knownKeys: Set<string>): void {
  if (!config.path) return;
  const unknown = Object.keys(config.values).filter((k) => !knownKeys.has(k));
  if (unknown.length > 0) {
    throw badInput(
      `${config.path}: unknown key(s) ${unknown.join(", ")}; allowed: ${[...knownKeys].sort().join(", ")}`,
    );
  }
  const fromFlags = (key: string) => command.getOptionValueSource(key) === "cli";
  for (const option of command.options) {
    const key = option.attributeName();
    if (!(key in config.values) || key === "config") continue;
    const source = command.getOptionValueSource(key);
    if (source !== undefined && source !== "default") continue;
    // A flag naming the tasks one way overrides the file's other ways too (--task beats "service").
    // A run against your own service (--url): the file's service and healthUrl name fislat's probe
    // (fislat deploy writes them), not your service, so they do not apply.
    if (fromFlags("url") && OWN_SERVICE_SKIPS.includes(key)) continue;
    // --local: the file's AWS settings (fislat deploy writes cluster, roleArn, region, healthUrl...)
    // are for runs against AWS; they neither apply here nor make --local refuse them as flags.
    if (fromFlags("local") && (AWS_ONLY as readonly string[]).includes(key)) continue;
    const group = ALTERNATIVES.find((g) => g.includes(key));
    if (group?.some((other) => other !== key && fromFlags(other))) continue;
    command.setOptionValueWithSource(key, coerce(option, key, config.values[key], config.path), "config");
  }
}

/** Every option name across the program's commands, nested ones too: what a config file may set. */
export function configKeys(program: Command): Set<string> {
  const keys = new Set<string>();
  const visit = (command: Command) => {
    for (const option of command.options) keys.add(option.attributeName());
    for (const sub of command.commands) visit(sub);
  };
  visit(program);
  keys.delete("config");
  keys.delete("debug");
  return keys;
}
