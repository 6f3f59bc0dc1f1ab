// fislat synth: the probe environment's CloudFormation template, for teams that deploy through
// their own pipeline. It was synthesized from packages/infra at build time and ships with the CLI.
import { readFileSync } from "node:fs";
import type { CommandContext } from "../context.js";
import { EXIT, type ExitCode, FislatError } from "../errors.js";

// From the package root, so the path is the same from dist/commands (the CLI) and src/commands (tests).
export const TEMPLATE_URL = new URL("../../dist/probe-environment.template.json", import.meta.url);

export function readEnvironmentTemplate(): string {
  try {
    return readFileSync(TEMPLATE_URL, "utf8");
  } catch {
    throw new FislatError(
      "the environment template is missing from this build of fislat: run pnpm build",
      EXIT.environment,
    );
  }
}

export function synthCommand(ctx: CommandContext): ExitCode {
  ctx.stdout.write(readEnvironmentTemplate());
  return EXIT.passed;
}
