#!/usr/bin/env node
// fislat: the operator CLI. Wiring only: flags to commands, and the one place where errors
// become exit codes. Commands load what they need lazily, so --help stays fast.
import { Command, CommanderError, Option } from "commander";
import { SCENARIO_NAMES } from "./engine/scenario.js";
import { EXIT, EXIT_CODES_HELP, FislatError } from "./errors.js";

const program = new Command("fislat")
  .description("Latency fault-injection experiments against DynamoDB, with a verdict")
  .option("--debug", "print stack traces of unexpected errors")
  .addHelpText("after", `\n${EXIT_CODES_HELP}`)
  .exitOverride();

program
  .command("run")
  .description("run a latency experiment: baseline, fault injected, recovery, verdict")
  .option("--local", "run everything on this machine: dynalite, the real probe, a latency proxy")
  .addOption(new Option("--scenario <name>", "hypothesis to test").choices(SCENARIO_NAMES).default("timeout"))
  .option("--baseline <duration>", "time before the fault (e.g. 10s, 1m, PT30S)")
  .option("--duration <duration>", "how long the fault is injected")
  .option("--recovery <duration>", "time after the fault")
  .option("--interval <duration>", "time between the probe's round trips")
  .option("--delay <ms>", "injected delay in milliseconds", "800")
  .option("--jitter <ms>", "injected jitter in milliseconds (uniform over delay +/- jitter)", "50")
  .option("--connection-timeout <ms>", "probe connection timeout, overriding the scenario's")
  .option("--read-timeout <ms>", "probe read timeout, overriding the scenario's")
  .option("--health-failure <duration>", "continuous failure time after which /health answers 503", "30s")
  .option("--json <file>", "write the full report as JSON")
  .option("--junit <file>", "write one JUnit test case per assertion")
  .option("--markdown <file>", "write a Markdown summary (for a CI job summary page)")
  .addHelpText(
    "after",
    `
Scenarios (800 ms +/- 50 ms injected unless --delay/--jitter say otherwise):
  timeout   500/500 ms timeouts: round trips time out; /health turns 503 after the failure window
  succeed   2000/2000 ms timeouts: round trips succeed at about delay + baseline; /health stays 200
  edge      850/850 ms timeouts: a mix; the timeout fraction agrees with the prediction
Local defaults: --baseline 10s --duration 40s --recovery 10s --interval 1s

${EXIT_CODES_HELP}`,
  )
  .action(async (flags) => {
    const { runCommand } = await import("./commands/run.js");
    process.exitCode = await runCommand(flags);
  });

async function main(): Promise<void> {
  try {
    await program.parseAsync();
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit 0; usage errors are bad input.
      process.exitCode = error.exitCode === 0 ? 0 : EXIT.badInput;
      return;
    }
    if (error instanceof FislatError) {
      process.stderr.write(`fislat: ${error.message}\n`);
      process.exitCode = error.exitCode;
      return;
    }
    process.stderr.write(`fislat: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`);
    if (program.opts().debug && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    else process.stderr.write("fislat: run again with --debug for the stack trace\n");
    process.exitCode = EXIT.environment;
  }
}

await main();
