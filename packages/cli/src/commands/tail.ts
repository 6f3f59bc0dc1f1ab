// fislat tail: the probe's lines from CloudWatch Logs, for a person (time, task, ok or error
// kind, round-trip time; coloured on a TTY) or raw with --output json for jq. --follow keeps reading
// until Ctrl-C, as `aws logs tail --follow` does, without missing late-ingested lines.
import type { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import type { ECSClient } from "@aws-sdk/client-ecs";
import { parseProbeLine } from "@fislat/probe/record";
import type { AwsSettings } from "../aws/clients.js";
import { resolveProbeTasks, selectorFromFlags } from "../aws/ecs-targets.js";
import { filterEvents, followEvents, type LogQuery, logsClientIn } from "../aws/log-source.js";
import { type CommandContext, chalkFor } from "../context.js";
import { parseDuration } from "../durations.js";
import { badInput, EXIT, type ExitCode, FislatError } from "../errors.js";
import { formatTailLine } from "../render/tail-format.js";

export interface TailFlags {
  since?: string;
  follow?: boolean;
  json?: boolean;
  cluster?: string;
  service?: string;
  task?: string[];
  tag?: string[];
  container?: string;
  logGroup?: string;
}

async function queryFor(ecs: () => ECSClient, flags: TailFlags): Promise<LogQuery & { region?: string }> {
  if (flags.logGroup) return { logGroup: flags.logGroup };
  if (!flags.cluster)
    throw badInput("name what to tail: --log-group <name>, or --cluster with --service, --task or --tag");
  const selector = selectorFromFlags(flags.cluster, flags);
  if (!selector) throw badInput("with --cluster, name the tasks: --service, --task or --tag");
  const { tasks } = await resolveProbeTasks(ecs(), selector, flags.container);
  const logGroup = tasks.find((t) => t.logGroup)?.logGroup;
  if (!logGroup)
    throw new FislatError("the tasks' probe container does not log with the awslogs driver", EXIT.environment);
  const region = tasks.find((t) => t.logRegion)?.logRegion;
  return {
    logGroup,
    streams: tasks.flatMap((t) => (t.logStream ? [t.logStream] : [])),
    ...(region ? { region } : {}),
  };
}

export async function tailCommand(ctx: CommandContext, flags: TailFlags & AwsSettings): Promise<ExitCode> {
  const sinceMs = parseDuration("--since", flags.since ?? "10m");
  const clients = await ctx.aws(flags);
  const { region, ...query } = await queryFor(() => clients.ecs, flags);
  const { logs, dispose } = await logsClientIn(clients.logs, region);
  try {
    return await tail(ctx, logs, query, flags, sinceMs);
  } finally {
    dispose();
  }
}

async function tail(
  ctx: CommandContext,
  logs: CloudWatchLogsClient,
  query: LogQuery,
  flags: TailFlags,
  sinceMs: number,
): Promise<ExitCode> {
  const chalk = chalkFor(ctx, ctx.stdout);
  const print = (message: string | undefined) => {
    if (!message) return;
    if (flags.json) {
      // Raw probe lines only, one JSON object per line, for jq.
      if (parseProbeLine(message).type !== "other") ctx.stdout.write(`${message.trim()}\n`);
      return;
    }
    const text = formatTailLine(parseProbeLine(message), chalk);
    if (text) ctx.stdout.write(`${text}\n`);
  };
  const since = ctx.clock.wallNow().getTime() - sinceMs;
  if (!flags.follow) {
    for await (const event of filterEvents(logs, query, since)) print(event.message);
    return EXIT.passed;
  }
  let failure: Error | undefined;
  let finish = () => {};
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const follower = followEvents(
    logs,
    query,
    { clock: ctx.clock, since },
    (e) => print(e.message),
    (e) => {
      failure = e;
      finish();
    },
  );
  if (ctx.signal?.aborted) finish();
  ctx.signal?.addEventListener("abort", finish, { once: true });
  await done;
  await follower.stop(false);
  if (failure) throw new FislatError(`reading ${query.logGroup} failed: ${failure.message}`, EXIT.environment);
  return EXIT.passed;
}
