// fislat experiment init / check: a commented starting file, and a file validated and shown as the
// plan a run would follow (every default and flag applied), without starting anything.
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import { type CommandContext, lineWriter } from "../context.js";
import { faultKind } from "../engine/fault.js";
import { formatMs, formatRate } from "../engine/figures.js";
import { humanMs, quoted } from "../engine/limits.js";
import type { ExperimentRequest } from "../engine/plan.js";
import { ASSUMED_BASELINE_MEDIAN_MS, predictPlan } from "../engine/plan-prediction.js";
import { badInput, EXIT, type ExitCode } from "../errors.js";
import { planRun, type RunFlags } from "./run-options.js";

export const STARTING_FILE = `# fislat experiment file, version 1. Every field may be omitted; flags override the file.
# Validate it and see the resolved plan: fislat experiment check FILE --local
# Schema: schemas/experiment.schema.json in the fislat package.
version: 1
name: slow DynamoDB, 300 ms
description: under 300 ms of extra latency our p99 stays under 450 ms and nothing times out

# The fault: latency on the probe's traffic to DynamoDB (uniform jitter around the delay).
fault:
  kind: latency
  delay: 300ms
  jitter: 20ms

# How long each phase lasts (500ms, 45s, 5m, 1h or ISO 8601 PT5M).
phases:
  baseline: 30s
  injection: 2m
  recovery: 30s

# The probe's settings (its own limits apply: see the README's input table).
probe:
  connectionTimeout: 1000ms
  readTimeout: 1000ms
  interval: 1s
  healthFailure: 30s

# Thresholds in k6 syntax: AGGREGATION OPERATOR BOUND.
#   times (rtt, ok_rtt; ms):        p(N) med avg min max
#   events (failed, timeouts, degraded): rate (0..1) count
#   samples: count; run-wide figures (detect, recover, degraded_after, unhealthy, healthy): value
#   operators: < <= > >= == != and ~= (a rate's 95% interval agrees with the bound, e.g. ~=predicted)
#   a bound may name figures: delay, jitter, interval, read_timeout, health_failure, predicted ...
# A threshold on a figure that never happened fails; write the metric as "name?" to make it optional.
hypothesis:
  baseline:
    rtt: ["p(99)<100"]
    failed: ["rate<0.01"]
  injection:
    ok_rtt: ["med>250", "p(99)<450"]
    timeouts: ["rate==0"]
  recovery:
    rtt: ["p(99)<100"]
    failed: ["rate<0.01"]
  run:
    recover: ["value<3000"]

# What must be seen before the hypothesis can be judged; short of it the run is inconclusive (exit 3).
evidence:
  minRoundTrips: 5
  faultShownShare: 0.8

# Labels appear in every report, so runs from CI can be told apart (also --label key=value).
labels:
  team: payments
`;

export function experimentInitCommand(
  ctx: CommandContext,
  { file, force = false }: { file: string; force?: boolean },
): ExitCode {
  const say = lineWriter(ctx.stdout);
  const target = path.resolve(ctx.cwd, file);
  // check reads a .json file as strict JSON and anything else as YAML: the starting file is
  // written in the form its name says, YAML with its comments, or the same values as JSON.
  const json = /\.json$/i.test(file);
  if (!json && !/\.ya?ml$/i.test(file))
    throw badInput(`${quoted(file)}: an experiment file's name ends in .yaml, .yml or .json`);
  if (existsSync(target) && !force)
    throw badInput(`${quoted(file)} exists: pass --force to replace it, or give another name`);
  if (!existsSync(path.dirname(target)))
    throw badInput(`${quoted(file)}: the folder ${quoted(path.dirname(file))} does not exist`);
  const content = json ? `${JSON.stringify(parseYaml(STARTING_FILE), null, 2)}\n` : STARTING_FILE;
  try {
    writeFileSync(target, content, { flag: force ? "w" : "wx" });
  } catch (error) {
    throw badInput(
      `cannot write ${quoted(file)}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  say(`wrote ${file}; check it with: fislat experiment check ${file} --local`);
  return EXIT.passed;
}

export function describePlan(request: ExperimentRequest): string {
  const p = request.phases;
  const probe = request.probe;
  const lines = [
    `experiment: ${request.name} (${request.source})`,
    `hypothesis: ${request.description}`,
    `fault:      ${faultKind(request.fault).describe(request.fault)}`,
    `phases:     baseline ${humanMs(p.baselineMs)}, injection ${humanMs(p.injectionMs)}, recovery ${humanMs(p.recoveryMs)}`,
    request.load
      ? `load:       ${request.load.ratePerSecond} requests/s at ${request.load.urls.join(", ")} (${request.load.method}, timeout ${request.load.requestTimeoutMs} ms, at most ${request.load.maxInFlight} in flight, ok ${request.load.okStatus})`
      : `probe:      connection timeout ${probe.connectionTimeoutMs} ms, read timeout ${probe.readTimeoutMs} ms, interval ${humanMs(probe.intervalMs)}, /health failure window ${humanMs(probe.healthFailureMs)}`,
    `evidence:   at least ${request.evidence.minRoundTrips} round trips per phase; at least ${formatRate(request.evidence.faultShownShare)} of the injection's round trips show the fault`,
    `target:     ${request.target.kind === "local" ? "local (dynalite, the probe, a latency proxy)" : request.target.kind === "local-app" ? `your app: ${request.target.app ?? `already running, DynamoDB at 127.0.0.1:${request.target.proxyPort}`}` : `AWS cluster ${request.target.cluster}`}`,
    "thresholds:",
    ...request.hypothesis.map((c) => `  ${c.id}`),
  ];
  const labels = Object.entries(request.labels);
  if (labels.length > 0) lines.push(`labels:     ${labels.map(([k, v]) => `${k}=${v}`).join(", ")}`);
  const { prediction, contradictions } = predictPlan(request);
  if (prediction) {
    const [lo, hi] = prediction.timeoutFractionRange;
    lines.push(
      `prediction: ${formatRate(prediction.timeoutFraction)} of round trips under the fault time out (${formatRate(lo)} to ${formatRate(hi)})${lo < 1 ? `; those that succeed take about ${formatMs(prediction.successMedianMs)} (median)` : ""}; assuming a baseline median of ${ASSUMED_BASELINE_MEDIAN_MS} ms, which the run measures`,
    );
  }
  for (const c of contradictions) lines.push(`warning:    ${c}`);
  return lines.join("\n");
}

export function experimentCheckCommand(ctx: CommandContext, input: RunFlags & { file: string }): ExitCode {
  const { file, ...flags } = input;
  const say = lineWriter(ctx.stdout);
  // The file is check's argument, not --experiment: its refusals name it so.
  const request = planRun({ ...flags, experiment: file }, ctx.cwd, "the experiment file");
  say(describePlan(request));
  say("the experiment file is valid");
  return EXIT.passed;
}
