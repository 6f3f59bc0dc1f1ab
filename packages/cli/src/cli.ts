#!/usr/bin/env node
// fislat: the operator CLI. Wiring only: flags to commands, the config file applied to every
// command, and the one place where errors become exit codes. Commands are imported when they
// run, so --help stays fast and --local never loads an AWS SDK client.
// First: signal handlers and the SDK warning filter, before anything else runs.
import "./startup.js";
import { realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { Command, CommanderError, Option } from "commander";
import { describeAwsError } from "./aws/aws-errors.js";
import { appRunOptions } from "./commands/app-options.js";
import { applyConfigFile, configKeys, loadConfigFile } from "./config-file.js";
import type { CommandContext, ContextBase } from "./context.js";
import { DEFAULT_FIS_SOURCES } from "./engine/limits.js";
import { systemClock } from "./engine/ports.js";
import { SCENARIO_NAMES, SCENARIO_OF_FAULT } from "./engine/scenario.js";
import { EXIT, EXIT_CODES_HELP, FislatError } from "./errors.js";
import { FAULT_HELP, faultOptions, sweepFieldOptions } from "./fault-options.js";
import { onInterrupt, SIGNALS_HELP, settleOnSignal } from "./signals.js";

/** "the --fault kind's own: timeout for latency, lossy for packet-loss, ..." */
const SCENARIO_DEFAULT_HELP = `the --fault kind's own: ${Object.entries(SCENARIO_OF_FAULT)
  .map(([kind, scenario]) => `${scenario} for ${kind}`)
  .join(", ")}`;

const { version } = createRequire(import.meta.url)("../package.json") as { version: string };
const collect = (value: string, previous: string[]) => [...previous, value];

// A reader that goes away (`fislat list | head`, a closed terminal) must not crash a command
// halfway: a run still has a fault to remove. Output nobody can read is dropped.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE" && error.code !== "EIO") throw error;
  });
}

/** What every command's context (see context.ts) is made from: this process's streams, environment and folder. */
const ctx: ContextBase = {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  clock: systemClock,
  onInterrupt,
  settle: settleOnSignal,
  host: { execPath: process.execPath, kill: (pid, signal) => process.kill(pid, signal) },
  ...(process.stdin.isTTY ? { confirm: askOnTerminal } : {}),
};

/**
 * Runs a command in its own context (a fresh cleanup owner, AWS clients on request), releases what
 * it left held, and makes its outcome the process's exit code. `interruptible`: the first Ctrl-C
 * aborts the context's signal (the AWS commands that wait on AWS: tail, deploy, destroy, ...);
 * run and sweep take the signals themselves.
 */
async function execute(
  command: (ctx: CommandContext) => Promise<number> | number,
  { interruptible = false }: { interruptible?: boolean } = {},
): Promise<void> {
  // Loaded when a command runs: --help and --version need neither chalk nor the cleanup owner.
  const { runInContext } = await import("./context.js");
  const abort = interruptible ? new AbortController() : undefined;
  const release = abort ? ctx.onInterrupt((signal) => abort.abort(`${signal} received`)) : () => {};
  try {
    process.exitCode = await runInContext({ ...ctx, ...(abort ? { signal: abort.signal } : {}) }, command);
  } finally {
    release();
  }
}

/** A yes/no question on the terminal; Ctrl-C at the prompt means no. */
async function askOnTerminal(question: string): Promise<boolean> {
  const readline = await import("node:readline/promises");
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  // readline reads Ctrl-C itself at a prompt: there it means no, not a hang.
  const interrupted = new Promise<string>((resolve) => rl.once("SIGINT", () => resolve("")));
  const answered = rl.question(question);
  answered.catch(() => {});
  try {
    return /^y(es)?$/i.test((await Promise.race([answered, interrupted])).trim());
  } finally {
    rl.close();
  }
}

const program = new Command("fislat")
  .description("Latency fault-injection experiments against DynamoDB, with a verdict")
  .version(version, "-V, --version", "print fislat's version")
  .option("--debug", "print stack traces of unexpected errors")
  .option("--config <file>", "read defaults for any flag from this JSON file (default: ./fislat.config.json)")
  .addHelpText("after", `\n${EXIT_CODES_HELP}\n\n${SIGNALS_HELP}`)
  // Commander's own refusals (unknown option, a value not among the choices) read like fislat's.
  .configureOutput({ outputError: (text, write) => write(`fislat: ${text.replace(/^error: /, "")}`) })
  .exitOverride();

/** One flag, one meaning on every command that has it: the format of what goes to stdout. */
function outputOption(command: Command) {
  return command.addOption(
    new Option("--output <format>", "text for people, or json: one JSON document on stdout (messages on stderr)")
      .choices(["text", "json"])
      .default("text"),
  );
}

function awsOptions(command: Command) {
  return command
    .option("--profile <name>", "AWS profile (default: AWS_PROFILE)")
    .option("--region <region>", "AWS region (default: AWS_REGION, else the profile's)");
}

function targetOptions(command: Command) {
  return command
    .option("--cluster <name>", "ECS cluster of the probe's tasks")
    .option("--service <name>", "aim at the RUNNING tasks of this ECS service")
    .option("--task <arn|id>", "aim at this task (repeatable)", collect, [])
    .option("--tag <key=value>", "aim at the cluster's tasks with this tag", collect, [])
    .option("--container <name>", "the probe's container in the task definition (default: found by its variables)");
}

function runOptions(command: Command) {
  return appRunOptions(faultOptions(targetOptions(awsOptions(command))))
    .option("--local", "run everything on this machine: dynalite, the real probe, a latency proxy")
    .addOption(
      new Option("--scenario <name>", `built-in experiment to run (default: ${SCENARIO_DEFAULT_HELP})`).choices([
        ...SCENARIO_NAMES,
      ]),
    )
    .option("--experiment <file>", "run the experiment in this file (JSON or YAML; see fislat experiment init)")
    .option(
      "--threshold <scope.metric:threshold>",
      "add a threshold, e.g. 'injection.rtt:p(99)<1200' (repeatable; replaces the file's for that metric)",
      collect,
      [],
    )
    .option("--label <key=value>", "label the run in its reports (repeatable)", collect, [])
    .option("--baseline <duration>", "time before the fault (e.g. 10s, 1m, PT30S)")
    .option("--duration <duration>", "how long the fault is injected")
    .option("--recovery <duration>", "time after the fault")
    .option("--interval <duration>", "time between the probe's round trips (local, or --launch)")
    .option("--connection-timeout <ms>", "probe connection timeout, overriding the scenario's")
    .option("--read-timeout <ms>", "probe read timeout, overriding the scenario's")
    .option(
      "--health-failure <duration>",
      "failure time after which /health answers 503 (local, or --launch; default 30s)",
    )
    .option("--seed <n>", "local only: seed of the latency proxy's delay draws, to replay a run (default: random)")
    .option(
      "--launch",
      "start a fresh probe task with the scenario's timeouts (with --url: in HTTP mode, sending the load from inside the VPC), stop it at the end",
    )
    .option("--task-definition <family[:rev]>", "task definition to --launch")
    .option("--subnets <ids>", "comma-separated subnets for --launch (default: copied from --service)")
    .option("--security-groups <ids>", "comma-separated security groups for --launch")
    .option("--assign-public-ip", "give the launched task a public IP")
    .option("--role-arn <arn>", "IAM role FIS acts with")
    .option("--sources <list>", "FIS latency sources, comma-separated", DEFAULT_FIS_SOURCES)
    .option("--stop-alarm <arn>", "CloudWatch alarm that stops the experiment (repeatable)", collect, [])
    .addOption(
      new Option("--target-by <how>", "aim FIS at the task ARNs (at most 5), the service, or the --tag")
        .choices(["arns", "service", "tag"])
        .default("arns"),
    )
    .option("--selection <mode>", "which targeted tasks FIS picks: ALL, COUNT(n) or PERCENT(n)", "ALL")
    .option("--keep-template", "keep the FIS experiment template after the run")
    .option("--accept-timeouts", "judge the run by the timeouts the tasks run with, not the scenario's")
    .option("--health-url <url>", "also poll this /health (e.g. through the load balancer)")
    .option("--no-live-tail", "read the logs by polling FilterLogEvents only, not CloudWatch Logs Live Tail")
    .option("--json <file>", "write the full report as JSON")
    .option("--junit <file>", "write one JUnit test case per assertion")
    .option("--markdown <file>", "write a Markdown summary (for a CI job summary page)")
    .option("--html <file>", "write one self-contained HTML report (charts inline, no network)");
}

const SCENARIO_HELP = `
Scenarios (800 ms +/- 50 ms injected unless --delay/--jitter say otherwise). Without --scenario
or --experiment, a run is judged by its --fault kind's own scenario: timeout for latency (the
default), lossy for packet-loss, unreachable for unreachable, throttled for errors.
  timeout   500/500 ms timeouts: round trips time out; /health turns 503 after the failure window
  succeed   2000/2000 ms timeouts: round trips succeed at about delay + baseline; /health stays 200
  edge      850/850 ms timeouts: a mix; the timeout fraction agrees with the prediction
  lossy     30% packet loss, 3000/3000 ms timeouts: the p99 moves, not the median
  unreachable  DynamoDB cut off, 500/500 ms timeouts: every round trip fails, /health turns 503
  throttled ThrottlingException on half the requests (local only): the failed share agrees with 0.5
${FAULT_HELP}
Local defaults: --baseline 10s --duration 40s --recovery 10s --interval 1s
AWS defaults:   --baseline 1m --duration 5m --recovery 1m (interval and health window from the task)

Examples:
  fislat run --local
  fislat run --local --experiment slow-dynamodb.yaml --threshold 'injection.rtt:p(99)<1200' --label ci=1
  fislat run --local --app "node server.js" --url http://127.0.0.1:3000/orders/42 --rate 20 --tables tables.json
  fislat run --scenario timeout --cluster FIS --service dynamodb-test-service --role-arn <arn>
  fislat run --scenario succeed --cluster FIS --launch --task-definition dynamodb-latency-test --service dynamodb-test-service

${EXIT_CODES_HELP}

${SIGNALS_HELP}`;

outputOption(runOptions(program.command("run")))
  .description("run a latency experiment: baseline, fault injected, recovery, verdict")
  .addHelpText("after", SCENARIO_HELP)
  .action(async (flags) => {
    const { runCommand } = await import("./commands/run.js");
    await execute((ctx) => runCommand(ctx, flags));
  });

program
  .command("report")
  .description("turn a JSON report (run --json) into other formats, e.g. one HTML file; print its summary")
  .argument("<report.json>", "a report written by fislat run --json")
  .option("--json <file>", "write the report as JSON again")
  .option("--junit <file>", "write one JUnit test case per assertion")
  .option("--markdown <file>", "write a Markdown summary")
  .option("--html <file>", "write one self-contained HTML report (charts inline, no network)")
  .addHelpText(
    "after",
    `
Exit codes: 0 the report was read and every file written, whatever the run's verdict (the summary's
"(exit N)" is the run's own code, the report's exitCode field: jq -e '.exitCode == 0' FILE.json
gates on it), 2 bad input (not a report, or an output naming it; nothing written), 6 a file could
not be written`,
  )
  .action(async (file: string, flags) => {
    const { reportCommand } = await import("./commands/report.js");
    await execute((ctx) => reportCommand(ctx, { ...flags, file }));
  });

program
  .command("compare")
  .description("compare two runs' JSON reports: is RUN worse than BASE by more than chance?")
  .argument("<base.json>", "the report to compare against (e.g. the last good run)")
  .argument("<run.json>", "the report under judgement")
  .option(
    "--threshold <scope.metric:threshold>",
    "a threshold naming BASE's figure, e.g. 'injection.rtt:p(99)<base*1.2' (repeatable)",
    collect,
    [],
  )
  .addOption(
    new Option("--output <format>", "text for people, or json: the comparison as one JSON document on stdout")
      .choices(["text", "json"])
      .default("text"),
  )
  .option("--json <file>", "write the comparison as JSON")
  .option("--markdown <file>", "write the comparison as Markdown")
  .option("--html <file>", "write the comparison as one self-contained HTML file")
  .addHelpText(
    "after",
    "\nExit codes: 0 RUN is not worse, 1 RUN is worse (a test or a threshold), 2 bad input, 3 the two cannot be compared (another fault or timeouts, too few round trips)",
  )
  .action(async (base: string, run: string, flags) => {
    const { compareCommand } = await import("./commands/compare.js");
    await execute((ctx) => compareCommand(ctx, { ...flags, base, run }));
  });

const SWEEP_HELP = `
Each level is one experiment, run as \`fislat run\` runs it (the same flags, environment and
judgement), with its own baseline; levels go up, an inconclusive one is run again once, and after
the first level that breaks (and its --bisect) the rest are skipped unless --all-levels. The swept
field is the one whose flag names several levels: --delay (latency, --jitter too), --loss
(--fault packet-loss) or --error-rate (--fault errors).

Examples:
  fislat sweep --local --read-timeout 500 --connection-timeout 500 --threshold 'injection.failed:rate<0.05' \\
    --delay 100ms,200ms,400ms,800ms --bisect 25ms
  fislat sweep --local --app "node server.js" --url http://127.0.0.1:3000/orders/42 --rate 20 \\
    --delay 100ms..1600ms --threshold 'injection.rtt:p(99)<1000'
  fislat sweep --local --fault packet-loss --loss 5..80 --threshold 'injection.failed:rate<0.05' --expect-holds-at 20

Exit codes: without --expect-holds-at, 0 once any level was judged (the break point is the
finding), 3 when none could be; with it, 0 when the hypothesis holds there, 1 when it breaks at or
below it, 3 when that cannot be told. 2 bad input (nothing started), 4 interrupted (the fault
removed, the sweep report written), 5 a fault could not be confirmed removed, 6 an environment
error or a report that could not be written.`;

/** fislat sweep: run's flags (each sweepable field's flag takes a list or a range) and the sweep's own. */
function sweepOptions(command: Command) {
  const scenario = command.options.find((o) => o.long === "--scenario");
  if (scenario)
    scenario.description =
      "built-in experiment to judge (succeed, lossy and throttled can be swept; default: the --threshold flags alone)";
  return sweepFieldOptions(command)
    .option("--steps <n>", "with a range: n evenly spaced levels instead of doubling")
    .option("--bisect <precision>", "narrow down between the last level that held and the first that broke, e.g. 25ms")
    .option("--all-levels", "run every level, also above the first break")
    .option(
      "--expect-holds-at <level>",
      "CI gate: exit 1 if it breaks at or below this level, 0 if it holds there, 3 if unknown",
    )
    .option(
      "--max-duration <duration>",
      "the longest the whole sweep may take (levels that would not end in time are not started)",
    );
}

sweepOptions(outputOption(runOptions(program.command("sweep"))))
  .description("step the fault's size, one experiment per level, and find where the hypothesis stops holding")
  .addHelpText("after", SWEEP_HELP)
  .action(async (flags) => {
    const { sweepCommand } = await import("./commands/sweep.js");
    await execute((ctx) => sweepCommand(ctx, flags));
  });

targetOptions(awsOptions(program.command("tail")))
  .description("print the probe's round trips from CloudWatch Logs")
  .option("--since <duration>", "how far back to start", "10m")
  .option("--follow", "keep printing new lines until Ctrl-C")
  .addOption(
    new Option("--output <format>", "text for people, or json: the probe's raw JSON lines, one per line (for jq)")
      .choices(["text", "json"])
      .default("text"),
  )
  // Before --output: kept for scripts written against 0.1's `tail --json`.
  .addOption(new Option("--json").hideHelp())
  .option("--log-group <name>", "read this log group instead of finding the tasks'")
  .action(async (flags) => {
    flags.json = flags.json === true || flags.output === "json";
    const { tailCommand } = await import("./commands/tail.js");
    await execute((ctx) => tailCommand(ctx, flags), { interruptible: true });
  });

outputOption(awsOptions(program.command("stop")))
  .description("stop FIS experiments and wait until each is stopped")
  .argument("[experiment-id...]", "experiments to stop")
  .option("--all", "stop every running experiment tagged managed-by=fislat in the region")
  .action(async (ids: string[], flags) => {
    const { stopCommand } = await import("./commands/stop.js");
    await execute((ctx) => stopCommand(ctx, { ...flags, ids }), { interruptible: true });
  });

outputOption(awsOptions(program.command("list")))
  .description("list fislat's FIS experiments: state, scenario, targets, start and end")
  .action(async (flags) => {
    const { listCommand } = await import("./commands/stop.js");
    await execute((ctx) => listCommand(ctx, flags), { interruptible: true });
  });

faultOptions(program.command("template"))
  .description("print the FIS experiment template a run would create, without calling AWS")
  .addOption(
    new Option("--scenario <name>", `built-in experiment (default: ${SCENARIO_DEFAULT_HELP})`).choices(SCENARIO_NAMES),
  )
  .option("--experiment <file>", "the experiment in this file (JSON or YAML), as fislat run --experiment reads it")
  .option("--role-arn <arn>", "IAM role FIS acts with")
  .option("--cluster <name>", "ECS cluster (with --service; or its ARN, to turn bare --task ids into ARNs)")
  .option("--service <name>", "aim at the service's tasks")
  .option("--task <arn>", "aim at this task (repeatable, at most 5)", collect, [])
  .option("--duration <duration>", "how long the fault is injected (default 5m)")
  .option("--sources <list>", `FIS latency sources, comma-separated (default ${DEFAULT_FIS_SOURCES})`)
  .option("--stop-alarm <arn>", "CloudWatch alarm that stops the experiment (repeatable)", collect, [])
  .action(async (flags) => {
    const { templateCommand } = await import("./commands/template.js");
    await execute((ctx) => templateCommand(ctx, flags));
  });

const experiment = program.command("experiment").description("experiment files: a starting file, and a check");
experiment
  .command("init")
  .description("write a commented starting experiment file")
  .argument("[file]", "where to write it", "fislat.experiment.yaml")
  .option("--force", "replace the file if it exists")
  .action(async (file: string, flags: { force?: boolean }) => {
    const { experimentInitCommand } = await import("./commands/experiment.js");
    await execute((ctx) => experimentInitCommand(ctx, { file, force: flags.force ?? false }));
  });
runOptions(experiment.command("check"))
  .description("validate an experiment file and print the plan a run would follow (starts nothing)")
  .argument("<file>", "the experiment file (JSON or YAML)")
  .action(async (file: string, flags) => {
    const { experimentCheckCommand } = await import("./commands/experiment.js");
    await execute((ctx) => experimentCheckCommand(ctx, { ...flags, file }));
  });

awsOptions(program.command("deploy"))
  .description("create or update the probe environment (CloudFormation stack) and write fislat.config.json")
  .option("--stack-name <name>", "CloudFormation stack name", "fislat-probe")
  .option("--vpc <vpc-id>", "VPC for the tasks and the load balancer")
  .option("--subnets <ids>", "comma-separated subnets (two or more in different AZs for the load balancer)")
  .option(
    "--allow-cidr <cidr>",
    "IPv4 CIDR (/8 to /32) allowed to reach the load balancer, e.g. your-ip/32 (repeatable, up to 3)",
    collect,
    [],
  )
  .option("--image <uri>", "the probe image (fislat image push prints it)")
  .option("--table-name <name>", "table the probe reads (default MyTestTable)")
  .option("--existing-table", "use an existing table instead of creating and seeding one")
  .option("--connection-timeout <ms>", "the probe's CONNECTION_TIMEOUT_MS")
  .option("--read-timeout <ms>", "the probe's READ_TIMEOUT_MS")
  .option("--interval <duration>", "time between the probe's round trips")
  .option("--desired-count <n>", "number of probe tasks (0 to 5)")
  .option("--load-balancer", "with a network load balancer (the default for a new stack)")
  .option("--no-load-balancer", "without a load balancer")
  // Not --cluster and --repository: fislat.config.json holds those for the ones deploy made.
  .option("--existing-cluster <name>", "use this existing ECS cluster instead of creating one")
  .option("--create-repository", "with an ECR repository for the image (the default for a new stack)")
  .option("--no-create-repository", "without an ECR repository")
  .option("--assign-public-ip", "give the tasks public IPs (the default: they need to reach ECR, DynamoDB and SSM)")
  .option("--no-assign-public-ip", "no public IPs (the subnets reach AWS through NAT or VPC endpoints)")
  .option(
    "--deep-health-check",
    "health-check /health (DynamoDB round trips) as the original setup did: ECS then replaces the task under test while DynamoDB is slow",
  )
  .option("--no-deep-health-check", "health-check the probe's shallow /live (the default)")
  .option(
    "--sidecar-image <uri>",
    "the SSM agent sidecar's image (default ECR Public's; needed where ECR Public is not, e.g. aws-cn)",
  )
  .option(
    "--wait <duration>",
    "how long to follow the stack before leaving it to CloudFormation (1m to 3h, default 30m)",
  )
  .action(async (flags) => {
    const { deployCommand } = await import("./commands/deploy.js");
    if ((flags.allowCidr as string[]).length === 0) flags.allowCidr = undefined;
    await execute((ctx) => deployCommand(ctx, flags), { interruptible: true });
  });

awsOptions(program.command("destroy"))
  .description("delete the probe environment's stack (asks first on a terminal)")
  .option("--stack-name <name>", "CloudFormation stack name", "fislat-probe")
  .option("--yes", "do not ask")
  .option("--wait <duration>", "how long to follow the deletion before leaving it to CloudFormation (default 30m)")
  .action(async (flags) => {
    const { destroyCommand } = await import("./commands/deploy.js");
    await execute((ctx) => destroyCommand(ctx, flags), { interruptible: true });
  });

outputOption(awsOptions(program.command("doctor")))
  .description("check the environment is ready for an experiment, each check with a fix")
  .option("--stack-name <name>", "CloudFormation stack name", "fislat-probe")
  .option("--cluster <name>", "ECS cluster (default: the stack's)")
  .option("--service <name>", "ECS service (default: the stack's)")
  .option("--role-arn <arn>", "FIS role (default: the stack's)")
  .action(async (flags) => {
    const { doctorCommand } = await import("./commands/doctor.js");
    await execute((ctx) => doctorCommand(ctx, flags), { interruptible: true });
  });

program
  .command("test")
  .description("one round trip now, through the probe's /test (through the load balancer)")
  .option("--url <url>", "the probe's /test (default: from healthUrl in fislat.config.json)")
  .option("--health-url <url>", "the probe's /health; /test is beside it")
  .action(async (flags) => {
    const { probeTestCommand } = await import("./commands/probe-test.js");
    await execute((ctx) => probeTestCommand(ctx, flags));
  });

const image = program.command("image").description("the probe image");
awsOptions(image.command("push"))
  .description("build the probe image with Docker, push it to ECR, print its URI")
  .option("--repository <uri>", "ECR repository URI (fislat deploy writes it to fislat.config.json)")
  .option("--image-tag <tag>", "image tag, Docker's grammar (default: the time, e.g. 20261125-101500)")
  .option(
    "--context <dir>",
    "Docker build context: a fislat checkout (default: this fislat's checkout, its shipped probe-context, or the current folder if it is one)",
  )
  .action(async (flags) => {
    const { imagePushCommand } = await import("./commands/image.js");
    await execute((ctx) => imagePushCommand(ctx, flags), { interruptible: true });
  });

awsOptions(program.command("policy"))
  .description("print the least-privilege IAM policy for running fislat with this configuration")
  .option("--account <id>", "account (default: from STS)")
  .option("--partition <name>", "partition, e.g. aws-cn (default: from STS)")
  .option("--stack-name <name>", "CloudFormation stack name", "fislat-probe")
  .option("--cluster <name>", "ECS cluster (default: fislat.config.json, else deploy's name pattern)")
  .option("--service <name>", "ECS service (default: fislat.config.json, else deploy's name pattern)")
  .option("--task-definition <family>", "task definition family (default: <stack>-probe)")
  .option("--role-arn <arn>", "the FIS experiment role (default: fislat.config.json)")
  .option("--repository <uri>", "the ECR repository (default: fislat.config.json)")
  .option("--log-group <name>", "the probe's log group (default: /ecs/<stack>)")
  .option("--table-name <name>", "the table deploy seeds (default MyTestTable)")
  .action(async (flags) => {
    const { policyCommand } = await import("./commands/policy.js");
    await execute((ctx) => policyCommand(ctx, flags), { interruptible: true });
  });

program
  .command("synth")
  .description("print the probe environment's CloudFormation template (for your own pipeline)")
  .action(async () => {
    const { synthCommand } = await import("./commands/synth.js");
    await execute((ctx) => synthCommand(ctx));
  });

outputOption(runOptions(program.command("config")))
  .description("print the values `fislat run` would use and where each came from")
  .action(async (flags, command: Command) => {
    const { configCommand } = await import("./commands/config.js");
    await execute((ctx) =>
      configCommand(ctx, {
        command,
        configPath: loadConfigFile(program.opts().config, ctx.cwd).path,
        output: flags.output,
      }),
    );
  });

// The config file fills in whatever flags the command left unset.
program.hook("preAction", (_root, command) => {
  // --output is about this invocation's stdout, never a project-wide default.
  const keys = configKeys(program);
  keys.delete("output");
  applyConfigFile(command, loadConfigFile(program.opts().config, ctx.cwd), keys);
});

async function main(): Promise<void> {
  const sayError = async (message: string) => (await import("./context.js")).sayError(ctx, message);
  try {
    await program.parseAsync();
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version exit 0; usage errors are bad input.
      process.exitCode = error.exitCode === 0 ? 0 : EXIT.badInput;
      return;
    }
    if (error instanceof FislatError) {
      await sayError(error.message);
      process.exitCode = error.exitCode;
      return;
    }
    const awsProblem = describeAwsError(error, ctx.env);
    if (awsProblem) {
      await sayError(awsProblem);
      if (program.opts().debug && error instanceof Error) ctx.stderr.write(`${error.stack}\n`);
      process.exitCode = EXIT.environment;
      return;
    }
    await sayError(`unexpected error: ${error instanceof Error ? error.message : String(error)}`);
    if (program.opts().debug && error instanceof Error) ctx.stderr.write(`${error.stack}\n`);
    else ctx.stderr.write("fislat: run again with --debug for the stack trace\n");
    process.exitCode = EXIT.environment;
  }
}

/** Run as the program (`node dist/cli.js`, the bin), not loaded by a test in its own process. */
function isProgram(): boolean {
  try {
    const entry = realpathSync(process.argv[1] ?? "");
    const here = fileURLToPath(import.meta.url);
    return entry === here || entry === fileURLToPath(new URL("../bin/fislat.js", import.meta.url));
  } catch {
    return false;
  }
}

await main();
if (isProgram()) {
  // Exit now rather than when the event loop drains: while Node tears down, a signal would meet
  // the default action and exit 128+n, contradicting the report. Output is flushed first.
  await Promise.all([process.stdout, process.stderr].map((s) => new Promise((resolve) => s.write("", resolve))));
  process.exit();
}
