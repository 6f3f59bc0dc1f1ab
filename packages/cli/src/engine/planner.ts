// The planner: flags (the config file already folded in) + an experiment file or a built-in
// scenario -> one validated ExperimentRequest. Pure: no I/O, nothing started. Every value is
// checked against its one limit (limits.ts), and settings that cannot give a verdict are refused
// with what would work. Flags override the file; the file overrides the defaults.

import { parseDuration, parseMilliseconds } from "../durations.js";
import { badInput } from "../errors.js";
import {
  type AppRunFlags,
  type AppRunPlan,
  checkAppHealthChecks,
  defaultAppHypothesis,
  isAppRun,
  planAppRun,
  refuseAppFlagsWithoutApp,
} from "./app-run.js";
import { roleArnProblem } from "./arn.js";
import { type AwsServiceTarget, planAwsServiceLoad } from "./aws-service-run.js";
import { type Check, CheckError, checksOf, mergeChecks, parseThresholdFlag } from "./checks.js";
import type { ExperimentFile } from "./experiment-file.js";
import { FAULT_KINDS, type Fault, type FaultKind, faultKind, isFaultKindName, type ProbeSettings } from "./fault.js";
import { checkSources } from "./fis-sources.js";
import {
  DEFAULT_FIS_SOURCES,
  FIS_ACTION_MAX_MS,
  FIS_ACTION_MIN_MS,
  humanMs,
  LIMITS,
  type LimitName,
  quoted,
} from "./limits.js";
import type { AwsTarget, EvidenceRules, ExperimentRequest, Phases, RunTarget } from "./plan.js";
import { PROBE_ENV } from "./probe-contract.js";

/** The flags of an AWS run (`fislat run` without --local). */
export interface AwsRunFlags {
  cluster?: string;
  service?: string;
  task?: string[];
  tag?: string[];
  launch?: boolean;
  taskDefinition?: string;
  container?: string;
  subnets?: string;
  securityGroups?: string;
  assignPublicIp?: boolean;
  roleArn?: string;
  sources?: string;
  stopAlarm?: string[];
  targetBy?: string;
  /** FIS selection mode with --target-by service or tag: ALL, COUNT(n), PERCENT(n). */
  selection?: string;
  keepTemplate?: boolean;
  acceptTimeouts?: boolean;
  healthUrl?: string;
  /** false with --no-live-tail: poll FilterLogEvents only. */
  liveTail?: boolean;
  /** --profile and --region: carried in the request to the AWS clients. */
  profile?: string;
  region?: string;
}

export interface RunFlags extends AwsRunFlags, AppRunFlags {
  local?: boolean;
  scenario?: string;
  experiment?: string;
  baseline?: string;
  duration?: string;
  recovery?: string;
  interval?: string;
  /** The fault's kind (faults/<kind>.ts); its own flags (--delay, --loss, --error-rate, ...) come as commander keys them (errorRate). */
  fault?: string;
  [faultField: string]: unknown;
  connectionTimeout?: string;
  readTimeout?: string;
  healthFailure?: string;
  /** --local only: seed of the latency proxy's delay draws. */
  seed?: string;
  threshold?: string[];
  label?: string[];
  json?: string;
  junit?: string;
  markdown?: string;
}

/** Phase and probe defaults per environment: a local run takes about a minute. */
export const ENVIRONMENT_DEFAULTS = {
  local: {
    baseline: "10s",
    duration: "40s",
    recovery: "10s",
    interval: "1s",
    healthFailure: "30s",
    healthPollMs: 1000,
  },
  // The original setup's five-minute fault; interval and health window apply to --launch'ed tasks.
  aws: { baseline: "1m", duration: "5m", recovery: "1m", interval: "5s", healthFailure: "30s", healthPollMs: 5000 },
} as const;

export const DEFAULT_EVIDENCE: EvidenceRules = { minRoundTrips: 5, faultShownShare: 0.8 };

/** Where the experiment comes from: a user's file, or a built-in scenario (itself a file). */
export interface ExperimentSource {
  kind: "file" | "scenario";
  /** The file's path, or the scenario's name. */
  name: string;
  data: ExperimentFile;
}

/** Flags that only an AWS run reads: refused with --local. */
export const AWS_ONLY = [
  "cluster",
  "service",
  "task",
  "tag",
  "launch",
  "taskDefinition",
  "roleArn",
  "subnets",
  "securityGroups",
  "stopAlarm",
  "healthUrl",
  "profile",
  "region",
] as const;
const flagName = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
/** A fault field's flag as typed ("--error-rate <share>" -> "--error-rate"). */
const flagText = (flag: string) => flag.split(" ")[0] as string;
/** Where commander keeps a flag's value ("--error-rate <share>" -> errorRate): a field's flag need not be its name. */
export const flagKey = (flag: string) =>
  flagText(flag)
    .slice(2)
    .replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
const LABEL_KEY = /^[A-Za-z0-9_.-]{1,64}$/;

export function planExperiment(flags: RunFlags, source: ExperimentSource): ExperimentRequest {
  const environment = flags.local ? "local" : "aws";
  const defaults = ENVIRONMENT_DEFAULTS[environment];
  const file = source.data;
  const origin = source.kind === "file" ? source.name : `scenario ${source.name}`;
  // The user's own app: its target, load and tables (app-run.ts), judged by its requests.
  let appRun: AppRunPlan | undefined;
  if (environment === "local" && isAppRun(flags, file)) {
    appRun = planAppRun(flags as RunFlags & Record<string, unknown>, file, origin, undefined);
  } else if (flags.app !== undefined) {
    throw badInput("--app starts your app on this machine: it runs with --local");
  }
  // The user's own ECS service on AWS (aws-service-run.ts): the load as above, the fault on its tasks.
  const serviceRun =
    environment === "aws" && isAppRun(flags, file)
      ? planAwsServiceLoad(flags as RunFlags & Record<string, unknown>, file, origin)
      : undefined;
  const loadRun = appRun ?? serviceRun;
  if (!loadRun) refuseAppFlagsWithoutApp(flags as RunFlags & Record<string, unknown>, file, origin, environment);

  // Where each value came from, so a refusal names the flag or the file's field the user wrote.
  const names: FeasibilityNames = {};
  const value = (
    name: LimitName,
    flag: string | undefined,
    fromFile: string | number | undefined,
    fallback: string | number,
  ) => {
    const limit = LIMITS[name];
    const [text, where] =
      flag !== undefined
        ? [flag, limit.flag]
        : fromFile !== undefined
          ? [String(fromFile), `${origin}: ${limit.field}`]
          : [String(fallback), `${limit.flag} (default)`];
    // No cap in the parsers: every value out of its range gets the one message below.
    if (flag === undefined && fromFile !== undefined)
      names[name] = { where: `${origin}: ${limit.field}`, name: limit.field };
    const parse = limit.form === "duration" ? parseDuration : parseMilliseconds;
    const parsed = parse(where, text, Number.POSITIVE_INFINITY);
    const wanted = `${limit.form === "ms" ? "whole milliseconds" : "a duration"} from ${humanMs(limit.min)} to ${humanMs(limit.max)} (${limit.why})`;
    if (parsed < limit.min || parsed > limit.max || (limit.form === "ms" && !Number.isInteger(parsed))) {
      throw badInput(`${where} ${quoted(text)} is out of range: expected ${wanted}`);
    }
    return parsed;
  };

  const fault = planFault(flags, file.fault, origin);
  const aws = faultKind(fault).aws;
  if (environment === "aws" && "refused" in aws) throw badInput(aws.refused);

  const phases: Phases = {
    baselineMs: value("baseline", flags.baseline, file.phases?.baseline, defaults.baseline),
    injectionMs: value("duration", flags.duration, file.phases?.injection, defaults.duration),
    recoveryMs: value("recovery", flags.recovery, file.phases?.recovery, defaults.recovery),
  };
  const probe: ProbeSettings = loadRun?.probe ?? {
    connectionTimeoutMs: value(
      "connectionTimeout",
      flags.connectionTimeout,
      file.probe?.connectionTimeout,
      Number(PROBE_ENV.CONNECTION_TIMEOUT_MS.default),
    ),
    readTimeoutMs: value(
      "readTimeout",
      flags.readTimeout,
      file.probe?.readTimeout,
      Number(PROBE_ENV.READ_TIMEOUT_MS.default),
    ),
    intervalMs: value("interval", flags.interval, file.probe?.interval, defaults.interval),
    healthFailureMs: value("healthFailure", flags.healthFailure, file.probe?.healthFailure, defaults.healthFailure),
  };
  // An app may hold under the fault (a cache, a fallback): the proxy's DynamoDB traffic, not slow
  // requests, shows the fault was on its path (environments/local-app.ts).
  const evidence: EvidenceRules = { ...DEFAULT_EVIDENCE, ...(loadRun ? { faultShownShare: 0 } : {}), ...file.evidence };

  let hypothesis: Check[];
  try {
    const fromFile = checksOf(file.hypothesis ?? {});
    hypothesis = mergeChecks(fromFile, (flags.threshold ?? []).map(parseThresholdFlag));
  } catch (error) {
    if (error instanceof CheckError)
      throw badInput(
        error.message.startsWith("--threshold") ? error.message : `${origin}: hypothesis.${error.message}`,
      );
    throw error;
  }
  if (hypothesis.length === 0 && loadRun) hypothesis = defaultAppHypothesis();
  if (loadRun) checkAppHealthChecks(hypothesis, loadRun);
  if (hypothesis.length === 0) {
    throw badInput(
      `${origin}: the hypothesis has no thresholds, so there is nothing to judge: add some under "hypothesis" (e.g. injection: { rtt: ["p(99)<1200"] }) or pass --threshold 'injection.rtt:p(99)<1200'`,
    );
  }

  const labels = { ...file.labels, ...labelsOf(flags.label ?? []) };
  const target = appRun
    ? appTargetOf(flags, appRun)
    : serviceRun
      ? serviceTargetOf(flags, phases)
      : targetOf(flags, environment, phases);
  // Tasks found on AWS (not --launch'ed) run with their own interval and /health window, known only
  // at preflight: the defaults say nothing about them, so only stated values are checked here.
  const taskDecides = environment === "aws" && !flags.launch && !serviceRun;
  checkFeasible(
    phases,
    probe,
    evidence,
    hypothesis,
    defaults.healthPollMs,
    origin,
    {
      interval: !taskDecides || flags.interval !== undefined || file.probe?.interval !== undefined,
      health: !taskDecides || flags.healthFailure !== undefined || file.probe?.healthFailure !== undefined,
    },
    names,
  );

  const name = file.name ?? (source.kind === "scenario" ? source.name : source.name.replace(/^.*[\\/]/, ""));
  return {
    name,
    slug: slugOf(name),
    description: file.description ?? hypothesis.map((c) => c.id).join("; "),
    source: origin,
    fault,
    phases,
    probe,
    hypothesis,
    evidence,
    labels,
    target,
    ...(loadRun ? { load: loadRun.load } : {}),
    reports: { json: flags.json, junit: flags.junit, markdown: flags.markdown },
  };
}

/**
 * The fault: `--fault` (else the file's kind, else latency), its kind's module reading each field
 * from its flag, else the file (only when the file's fault is that kind), else the kind's default.
 * A flag of another kind is refused, so `--loss 30` without `--fault packet-loss` says so.
 */
export function planFault(flags: Record<string, unknown>, fileFault: ExperimentFile["fault"], origin?: string): Fault {
  const given = flags.fault as string | undefined;
  const name = given ?? fileFault?.kind ?? "latency";
  if (!isFaultKindName(name)) {
    throw badInput(
      `--fault ${quoted(name)} is not a fault kind: expected one of ${Object.keys(FAULT_KINDS).join(", ")}`,
    );
  }
  const kind = FAULT_KINDS[name] as FaultKind<Fault>;
  const ownFlags = new Set(Object.values(kind.fields).map((f) => f.flag));
  for (const other of Object.values(FAULT_KINDS) as FaultKind<Fault>[]) {
    for (const { flag } of Object.values(other.fields)) {
      if (other !== kind && !ownFlags.has(flag) && flags[flagKey(flag)] !== undefined) {
        throw badInput(
          `${flagText(flag)} applies to --fault ${other.kind}, and this run's fault is ${kind.kind}${given === undefined ? ` (give --fault ${other.kind})` : ""}`,
        );
      }
    }
  }
  const fieldFlag = (field: string) => kind.fields[field]?.flag ?? flagName(field);
  const fromFile = fileFault?.kind === name ? (fileFault as Record<string, unknown>) : undefined;
  const fault = kind.plan((field) => {
    const flag = flags[flagKey(fieldFlag(field))];
    if (flag !== undefined) return { text: String(flag), where: flagText(fieldFlag(field)) };
    const value = fromFile?.[field];
    return value === undefined ? undefined : { text: String(value), where: `${origin ?? "the file"}: fault.${field}` };
  });
  const problem = kind.validate(fault)[0];
  if (problem) {
    throw badInput(
      `${flagText(fieldFlag(problem.field))} ${problem.shown}${origin === undefined ? "" : ` (or fault.${problem.field} in the file)`} is not allowed: expected ${problem.message}`,
    );
  }
  return fault;
}

/** The service run's target: FIS's settings checked as for the probe's tasks, aimed at --service. */
function serviceTargetOf(flags: RunFlags, phases: Phases): AwsServiceTarget {
  const aws = targetOf(flags, "aws", phases) as AwsTarget;
  return { ...aws, kind: "aws-service", service: flags.service as string };
}

/** The app run's target, with the flags every local run shares (--seed) and no AWS-only one. */
function appTargetOf(flags: RunFlags, appRun: AppRunPlan) {
  const aws = AWS_ONLY.filter((key) => key !== "healthUrl" && flags[key] !== undefined && flags[key] !== false).filter(
    (key) => !Array.isArray(flags[key]) || (flags[key] as string[]).length > 0,
  );
  if (aws.length > 0) {
    throw badInput(
      `--local runs everything on this machine: ${aws.map(flagName).join(", ")} ${aws.length === 1 ? "applies" : "apply"} only to a run against AWS; drop ${aws.length === 1 ? "it" : "them"} or drop --local`,
    );
  }
  return flags.seed === undefined ? appRun.target : { ...appRun.target, seed: seedOf(flags.seed) };
}
function labelsOf(pairs: string[]): Record<string, string> {
  return Object.fromEntries(
    pairs.map((pair) => {
      const eq = pair.indexOf("=");
      const key = eq > 0 ? pair.slice(0, eq) : "";
      if (!LABEL_KEY.test(key) || pair.length - eq - 1 > 256) {
        throw badInput(
          `--label ${quoted(pair)} is not key=value: a key of 1 to 64 letters, digits, '_', '.' or '-', a value of at most 256 characters`,
        );
      }
      return [key, pair.slice(eq + 1)];
    }),
  );
}

/** A setting's name in a refusal: where it was given, and what to change (a flag, or a file's field). */
type FeasibilityNames = Partial<Record<LimitName, { where: string; name: string }>>;

/**
 * Settings that could only end in a verdict nobody can trust are refused now, with what would work.
 * Exported so an environment that learns the probe's real settings (AWS preflight) can check them.
 */
export function checkFeasible(
  phases: Phases,
  probe: ProbeSettings,
  evidence: EvidenceRules,
  hypothesis: Check[],
  healthPollMs: number,
  origin: string,
  known = { interval: true, health: true },
  names: FeasibilityNames = {},
) {
  const named = (key: LimitName) => names[key] ?? { where: LIMITS[key].flag, name: LIMITS[key].flag };
  const interval = named("interval");
  const need = evidence.minRoundTrips;
  for (const [key, ms] of [
    ["baseline", phases.baselineMs],
    ["duration", phases.injectionMs],
    ["recovery", phases.recoveryMs],
  ] as const) {
    const phase = named(key);
    // The round trip in flight at a phase's boundary is set aside, so a phase counts one fewer
    // than fit in it: ask for one more than the evidence needs.
    const trips = Math.max(0, Math.floor(ms / probe.intervalMs) - 1);
    if (known.interval && trips < need) {
      throw badInput(
        `${phase.where} ${humanMs(ms)} at ${interval.where} ${humanMs(probe.intervalMs)} gives ${trips} round trip(s) to judge; a phase needs at least ${need} (evidence.minRoundTrips): use ${phase.name} ${humanMs((need + 1) * probe.intervalMs)} or more, or ${interval.name} ${humanMs(Math.floor(ms / (need + 1)))} or less`,
      );
    }
  }
  const healthCheck = hypothesis.find((c) => c.metric === "unhealthy" && !c.optional);
  const window = probe.healthFailureMs + healthPollMs + 1000;
  if (known.health && healthCheck && phases.injectionMs < window) {
    throw badInput(
      `${named("duration").where} ${humanMs(phases.injectionMs)} is too short to judge ${healthCheck.id} (${origin}): /health turns 503 only after ${named("healthFailure").where} ${humanMs(probe.healthFailureMs)} of failures; use ${named("duration").name} ${humanMs(window)} or more, or a shorter ${named("healthFailure").name}`,
    );
  }
}

function targetOf(flags: RunFlags, environment: "local" | "aws", phases: Phases): RunTarget {
  const given = (key: (typeof AWS_ONLY)[number]) => {
    const v = flags[key];
    return Array.isArray(v) ? v.length > 0 : v !== undefined && v !== false;
  };
  if (environment === "local") {
    const aws = AWS_ONLY.filter(given);
    if (aws.length > 0) {
      throw badInput(
        `--local runs everything on this machine: ${aws.map(flagName).join(", ")} ${aws.length === 1 ? "applies" : "apply"} only to a run against AWS; drop ${aws.length === 1 ? "it" : "them"} or drop --local`,
      );
    }
    return flags.seed === undefined ? { kind: "local" } : { kind: "local", seed: seedOf(flags.seed) };
  }
  if (flags.seed !== undefined) {
    throw badInput(
      "--seed applies only to --local, where fislat's latency proxy draws the delays; on AWS, FIS draws them",
    );
  }
  const cluster = flags.cluster;
  if (!cluster) throw badInput('--cluster is required (or "cluster" in fislat.config.json), or run with --local');
  const ways = [
    flags.service && !flags.launch,
    (flags.task ?? []).length > 0,
    (flags.tag ?? []).length > 0,
    flags.launch,
  ].filter(Boolean);
  if (ways.length !== 1) {
    throw badInput(
      "name the probe's tasks one way: --service <name>, --task <arn|id> (repeatable), --tag key=value, or --launch",
    );
  }
  if (flags.launch && !flags.taskDefinition) throw badInput("--launch needs --task-definition <family[:revision]>");
  const targetBy = flags.targetBy ?? "arns";
  if (targetBy !== "arns" && targetBy !== "service" && targetBy !== "tag")
    throw badInput(`--target-by ${quoted(targetBy)} is not valid: expected arns, service or tag`);
  if (targetBy === "service" && !flags.service) throw badInput("--target-by service needs --service");
  if (targetBy === "tag" && (flags.tag ?? []).length !== 1) throw badInput("--target-by tag needs --tag key=value");
  // FIS's selection modes (API model): ALL, COUNT(n) with n >= 1, PERCENT(n) with n from 1 to 100.
  const selection = (flags.selection ?? "ALL").trim().toUpperCase();
  const m = /^(?:ALL|COUNT\((\d+)\)|PERCENT\((\d+)\))$/.exec(selection);
  if (!m || Number(m[1] ?? 1) < 1 || Number(m[2] ?? 1) < 1 || Number(m[2] ?? 1) > 100) {
    throw badInput(
      `--selection ${quoted(flags.selection ?? "")} is not valid: expected ALL, COUNT(n) with n >= 1, or PERCENT(n) with n from 1 to 100`,
    );
  }
  if (!flags.roleArn) {
    throw badInput(
      '--role-arn is required on AWS: the IAM role FIS acts with (or "roleArn" in fislat.config.json; fislat deploy writes it)',
    );
  }
  const roleProblem = roleArnProblem("--role-arn", flags.roleArn);
  if (roleProblem) throw badInput(roleProblem);
  const sources = checkSources(flags.sources ?? DEFAULT_FIS_SOURCES);
  if (phases.injectionMs < FIS_ACTION_MIN_MS || phases.injectionMs > FIS_ACTION_MAX_MS) {
    throw badInput(
      `--duration ${humanMs(phases.injectionMs)} is outside what FIS runs: an action lasts from ${humanMs(FIS_ACTION_MIN_MS)} to ${humanMs(FIS_ACTION_MAX_MS)}`,
    );
  }
  const target: AwsTarget = {
    kind: "aws",
    cluster,
    task: flags.task ?? [],
    tag: flags.tag ?? [],
    launch: flags.launch ?? false,
    roleArn: flags.roleArn,
    sources,
    stopAlarm: flags.stopAlarm ?? [],
    targetBy,
    selection,
    keepTemplate: flags.keepTemplate ?? false,
    acceptTimeouts: flags.acceptTimeouts ?? false,
    liveTail: flags.liveTail !== false,
  };
  for (const key of [
    "service",
    "taskDefinition",
    "container",
    "subnets",
    "securityGroups",
    "healthUrl",
    "profile",
    "region",
  ] as const) {
    if (flags[key] !== undefined) target[key] = flags[key];
  }
  if (flags.assignPublicIp !== undefined) target.assignPublicIp = flags.assignPublicIp;
  return target;
}

/** The largest seed the local latency proxy takes (a 32-bit generator seed). */
export const SEED_MAX = 4_294_967_295;

function seedOf(text: string): number {
  const seed = Number(text);
  if (!/^(0|[1-9][0-9]*)$/.test(text) || seed > SEED_MAX) {
    throw badInput(`--seed ${quoted(text)} is not valid: expected a whole number from 0 to ${SEED_MAX}`);
  }
  return seed;
}

/** "slow DynamoDB, 300 ms" -> "slow-dynamodb-300-ms": safe in AWS tags and names. */
export function slugOf(name: string): string {
  const slug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 64);
  return slug === "" ? "experiment" : slug;
}
