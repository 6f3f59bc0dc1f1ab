// Planning a run against the user's own ECS service on AWS (`fislat run --cluster C --service S
// --url U --rate N`): FIS aims the fault at the service's tasks; the load comes from this machine
// (workloads/http-load.ts) or, with --launch, from probe tasks in the probe's HTTP mode inside the
// VPC. Pure: the load is planned as for a local app (app-run.ts), the FIS settings as for the probe
// (planner.ts's AWS target), and what only one of the two ways can do is refused here, exit 2.
import { durationEnvValue, HTTP_METHODS, PROBE_ENV, ProbeEnvError, parseProbeValue } from "@fislat/probe/contract";
import { badInput } from "../errors.js";
import { type AppRunFile, type AppRunFlags, type AppRunPlan, planAppRun } from "./app-run.js";
import type { ExperimentFile } from "./experiment-file.js";
import { quoted } from "./limits.js";
import type { AwsTarget, HttpLoadSettings } from "./plan.js";

/** The user's service is FIS's target; the probe tasks of --launch (if any) only send the load. */
export interface AwsServiceTarget extends Omit<AwsTarget, "kind" | "service"> {
  kind: "aws-service";
  service: string;
}

/** Flags of the local app run that mean nothing on AWS. */
const LOCAL_ONLY = ["tables", "dynamodb", "appEnv", "appReadyUrl", "appReadyTimeout", "proxyPort"] as const;

const flagName = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** The load as the local app run plans it (its target stands for nothing here but --health-url). */
export type AwsServiceLoad = AppRunPlan;

/** The load of an AWS service run, checked; `--launch` adds what the probe's HTTP mode can send. */
export function planAwsServiceLoad(
  flags: AppRunFlags & { task?: string[]; tag?: string[]; service?: string; launch?: boolean } & Record<
      string,
      unknown
    >,
  file: ExperimentFile & AppRunFile,
  origin: string,
): AwsServiceLoad {
  const local = LOCAL_ONLY.filter((k) => {
    const v = flags[k];
    return Array.isArray(v) ? v.length > 0 : v !== undefined;
  });
  if (local.length > 0) {
    throw badInput(
      `${local.map(flagName).join(", ")} ${local.length === 1 ? "applies" : "apply"} to a run with --local (your app on this machine); on AWS your service keeps its own DynamoDB`,
    );
  }
  if ((flags.task ?? []).length > 0 || (flags.tag ?? []).length > 0) {
    throw badInput(
      "--task and --tag name fislat's probe tasks; with --url the fault is aimed at the tasks of your --service",
    );
  }
  if (!flags.service) {
    throw badInput(
      "--url on AWS needs --service NAME (and --cluster): the ECS service whose tasks get the fault, e.g. --cluster prod --service orders",
    );
  }
  // The load's own checks are the local app run's; a proxy port stands in for the app it needs.
  const plan = planAppRun({ ...flags, app: undefined, proxyPort: "1" }, file, origin, undefined);
  if (flags.launch) checkProbeCanSend(plan.load);
  return plan;
}

/** The most requests a second one probe task sends: its TEST_INTERVAL_SECONDS is at least 0.01 s. */
export const LAUNCH_MAX_RATE = 1 / PROBE_ENV.TEST_INTERVAL_SECONDS.min;

/** --launch: the probe's HTTP mode sends one URL, one request at a time, at most 100 a second. */
function checkProbeCanSend(load: HttpLoadSettings): void {
  if (load.urls.length > 1) {
    throw badInput("--launch sends the load from one probe task, which requests one URL: give one --url");
  }
  if (load.ratePerSecond > LAUNCH_MAX_RATE) {
    throw badInput(
      `--rate ${load.ratePerSecond} is more than one probe task sends (${LAUNCH_MAX_RATE} a second); without --launch the load comes from this machine, up to 10000 a second`,
    );
  }
  if (!(HTTP_METHODS as readonly string[]).includes(load.method)) {
    throw badInput(
      `--method ${quoted(load.method)} is not one the probe sends with --launch: ${HTTP_METHODS.join(", ")}`,
    );
  }
  try {
    probeHttpEnv(load);
  } catch (error) {
    if (error instanceof ProbeEnvError)
      throw badInput(`with --launch, the probe would refuse the load: ${error.message}`);
    throw error;
  }
}

/** The probe's environment for the HTTP mode: the load's URL, method, headers, body and statuses,
 * its rate as the interval, its request timeout as both timeouts (so the probe's hard deadline is
 * twice it). Every value is parsed by the probe's own contract, so a task never refuses it. */
export function probeHttpEnv(load: HttpLoadSettings): Record<string, string> {
  const env: Record<string, string> = {
    [PROBE_ENV.TARGET_URL.name]: load.urls[0] as string,
    [PROBE_ENV.TARGET_METHOD.name]: load.method,
    [PROBE_ENV.TARGET_OK_STATUS.name]: load.okStatus,
    [PROBE_ENV.TEST_INTERVAL_SECONDS.name]: durationEnvValue(
      PROBE_ENV.TEST_INTERVAL_SECONDS,
      1000 / load.ratePerSecond,
    ),
    [PROBE_ENV.CONNECTION_TIMEOUT_MS.name]: String(load.requestTimeoutMs),
    [PROBE_ENV.READ_TIMEOUT_MS.name]: String(load.requestTimeoutMs),
    [PROBE_ENV.MAX_ATTEMPTS.name]: "1",
  };
  if (Object.keys(load.headers).length > 0) env[PROBE_ENV.TARGET_HEADERS.name] = JSON.stringify(load.headers);
  if (load.body !== undefined) env[PROBE_ENV.TARGET_BODY.name] = load.body;
  for (const [name, value] of Object.entries(env)) {
    parseProbeValue(PROBE_ENV[name as keyof typeof PROBE_ENV], value);
  }
  return env;
}
