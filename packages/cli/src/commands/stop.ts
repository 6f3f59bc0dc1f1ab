// fislat stop <id>... / --all, and fislat list: fislat's FIS experiments, found by their
// managed-by=fislat tag. A stop is confirmed by reading the state back, or reported (exit 5).
import {
  type Experiment,
  type FisClient,
  GetExperimentCommand,
  ListExperimentsCommand,
  StopExperimentCommand,
} from "@aws-sdk/client-fis";
import Table from "cli-table3";
import type { AwsSettings } from "../aws/clients.js";
import { TERMINAL } from "../aws/fis-injector.js";
import { ACTION_KEY, MANAGED_BY_TAG, RUN_ID_TAG, SCENARIO_TAG } from "../aws/fis-template.js";
import { retryThrottled } from "../aws/retry.js";
import { type CommandContext, lineWriter } from "../context.js";
import type { Clock } from "../engine/ports.js";
import { badInput, EXIT, type ExitCode, FislatError } from "../errors.js";

const ACTIVE = new Set(["pending", "initiating", "running", "stopping"]);

export async function listFislatExperiments(fis: FisClient): Promise<Experiment[]> {
  const ids: string[] = [];
  let nextToken: string | undefined;
  do {
    // maxResults is 1 to 100 (FIS API model, ListExperimentsMaxResults).
    const page = await retryThrottled(() => fis.send(new ListExperimentsCommand({ maxResults: 100, nextToken })));
    for (const e of page.experiments ?? []) {
      if (e.id && e.tags?.[MANAGED_BY_TAG.key] === MANAGED_BY_TAG.value) ids.push(e.id);
    }
    nextToken = page.nextToken;
  } while (nextToken);
  const experiments: Experiment[] = [];
  for (const id of ids) {
    const res = await retryThrottled(() => fis.send(new GetExperimentCommand({ id })));
    if (res.experiment) experiments.push(res.experiment);
  }
  return experiments;
}

export type OutputFormat = "text" | "json";

interface StopResult {
  id: string;
  state: string;
  reason?: string;
  stopped: boolean;
}

async function stopOne(
  fis: FisClient,
  id: string,
  clock: Clock,
  timeoutMs: number,
  say: (s: string) => void,
): Promise<StopResult> {
  try {
    await retryThrottled(() => fis.send(new StopExperimentCommand({ id })));
  } catch (error) {
    if ((error as { name?: string }).name === "ResourceNotFoundException") {
      throw badInput(`no FIS experiment ${id} in this account and region`);
    }
    // Already stopped or completed: the state read below says so.
  }
  const deadline = clock.now() + timeoutMs;
  for (;;) {
    const state = (await retryThrottled(() => fis.send(new GetExperimentCommand({ id })))).experiment?.state;
    const result = { id, state: state?.status ?? "unknown", ...(state?.reason ? { reason: state.reason } : {}) };
    if (TERMINAL.has(state?.status ?? "")) {
      say(`${id}: ${state?.status}${state?.reason ? ` (${state.reason})` : ""}`);
      return { ...result, stopped: true };
    }
    if (clock.now() >= deadline) {
      say(`${id}: still ${state?.status ?? "unknown"} after ${Math.round(timeoutMs / 1000)} s; run: fislat stop ${id}`);
      return { ...result, stopped: false };
    }
    await clock.sleep(2000);
  }
}

export interface StopInput extends AwsSettings {
  /** The experiments named on the command line. */
  ids: string[];
  all?: boolean;
  output?: OutputFormat;
}

export async function stopCommand(
  ctx: CommandContext,
  input: StopInput,
  options: { timeoutMs?: number } = {},
): Promise<ExitCode> {
  const { ids, ...flags } = input;
  const print = lineWriter(ctx.stdout);
  // With --output json, stdout holds one JSON document; the running commentary goes to stderr.
  const json = flags.output === "json";
  const say = json ? lineWriter(ctx.stderr) : print;
  if (ids.length === 0 && !flags.all) throw badInput("name the experiments to stop (fislat stop <id>...), or --all");
  if (ids.length > 0 && flags.all) throw badInput("give experiment ids or --all, not both");
  const { fis } = await ctx.aws(flags);
  let targets = ids;
  if (flags.all) {
    targets = (await listFislatExperiments(fis))
      .filter((e) => ACTIVE.has(e.state?.status ?? ""))
      .flatMap((e) => (e.id ? [e.id] : []));
    if (targets.length === 0) say("no running experiment of fislat's in this region");
  }
  const results: StopResult[] = [];
  for (const id of targets) {
    results.push(await stopOne(fis, id, ctx.clock, options.timeoutMs ?? 60_000, say));
  }
  if (json) print(JSON.stringify({ experiments: results }, null, 2));
  if (results.some((r) => !r.stopped))
    throw new FislatError("some experiments are not confirmed stopped", EXIT.faultNotRemoved);
  return EXIT.passed;
}

export async function listCommand(ctx: CommandContext, flags: AwsSettings & { output?: OutputFormat }) {
  const say = lineWriter(ctx.stdout);
  const output = flags.output ?? "text";
  const { fis } = await ctx.aws(flags);
  const experiments = (await listFislatExperiments(fis)).sort(
    (a, b) => (b.creationTime?.getTime() ?? 0) - (a.creationTime?.getTime() ?? 0),
  );
  if (output === "json") {
    say(JSON.stringify({ experiments: experiments.map(describeExperiment) }, null, 2));
    return EXIT.passed;
  }
  if (experiments.length === 0) {
    say("no experiments of fislat's in this region");
    return EXIT.passed;
  }
  const table = new Table({
    head: ["experiment", "state", "scenario", "targets", "start", "end", "run"],
    style: { head: [], border: [] },
  });
  for (const e of experiments.map(describeExperiment)) {
    table.push([
      e.id,
      e.state,
      e.scenario ?? "",
      e.targets.join(", "),
      e.startedAt ?? "",
      e.endedAt ?? "",
      e.runId ?? "",
    ]);
  }
  say(table.toString());
  return EXIT.passed;
}

/** One experiment as list shows it, newest first; the same fields in the table and in JSON. */
function describeExperiment(e: Experiment) {
  const target = Object.values(e.targets ?? {})[0];
  const targets =
    target?.resourceArns?.map((a) => a.split("/").at(-1) ?? a) ??
    Object.entries(target?.parameters ?? {}).map(([k, v]) => `${k}=${v}`);
  const action = e.actions?.[ACTION_KEY];
  return {
    id: e.id ?? "",
    state: e.state?.status ?? "",
    reason: e.state?.reason,
    scenario: e.tags?.[SCENARIO_TAG],
    targets,
    startedAt: (action?.startTime ?? e.startTime)?.toISOString(),
    endedAt: (action?.endTime ?? e.endTime)?.toISOString(),
    runId: e.tags?.[RUN_ID_TAG],
  };
}
