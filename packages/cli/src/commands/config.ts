// fislat config: every value `fislat run` would use and where it came from (a flag, the config
// file, the environment, or the default), so a surprise is found before an experiment starts.

import Table from "cli-table3";
import type { Command } from "commander";
import { EXIT, type ExitCode } from "../errors.js";

const SOURCES: Record<string, string> = { cli: "flag", config: "config file", default: "default", env: "environment" };

export function configCommand(command: Command, configPath: string | undefined, say: (s: string) => void): ExitCode {
  const table = new Table({ head: ["setting", "value", "from"], style: { head: [], border: [] } });
  const values = command.opts();
  for (const option of command.options) {
    const key = option.attributeName();
    if (key === "config") continue;
    let value: unknown = values[key];
    let source = SOURCES[command.getOptionValueSource(key) ?? ""] ?? "unset";
    // Region and profile left unset fall to the SDK's own resolution.
    const envName = key === "region" ? "AWS_REGION" : key === "profile" ? "AWS_PROFILE" : undefined;
    if (value === undefined && envName && process.env[envName]) {
      value = process.env[envName];
      source = `environment (${envName})`;
    }
    if (source === "config file" && configPath) source = `config file (${configPath})`;
    const shown =
      value === undefined || (Array.isArray(value) && value.length === 0)
        ? ""
        : Array.isArray(value)
          ? value.join(", ")
          : String(value);
    table.push([`--${option.long?.replace(/^--/, "") ?? key}`, shown, shown === "" ? "unset" : source]);
  }
  say(table.toString());
  say(
    configPath
      ? `config file: ${configPath}`
      : "config file: none (fislat.config.json in this folder, or --config FILE)",
  );
  return EXIT.passed;
}
