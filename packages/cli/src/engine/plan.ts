// What one experiment is to do, decided before anything starts: the ExperimentRequest (fault,
// phases, probe settings, hypothesis, labels, where it runs), and the plan the engine follows once
// an environment has prepared it (the probe settings in force, how new connections pay the delay).

import type { AwsServiceTarget } from "./aws-service-run.js";
import type { Check } from "./checks.js";
import type { EnvironmentTraits, Fault, ProbeSettings } from "./fault.js";
import type { TableDefinition } from "./tables.js";

export interface Phases {
  baselineMs: number;
  injectionMs: number;
  recoveryMs: number;
}

/** What must be seen before a hypothesis can be judged at all; short of it, the run is inconclusive. */
export interface EvidenceRules {
  /** Fewest round trips a phase needs. */
  minRoundTrips: number;
  /** Share of the injection's round trips that must show the fault (fail or slow down). */
  faultShownShare: number;
}

/** The AWS side of a request: the targets and FIS settings, validated, before any AWS call. */
export interface AwsTarget {
  kind: "aws";
  cluster: string;
  service?: string;
  task: string[];
  tag: string[];
  launch: boolean;
  taskDefinition?: string;
  container?: string;
  subnets?: string;
  securityGroups?: string;
  assignPublicIp?: boolean;
  roleArn: string;
  sources: string;
  stopAlarm: string[];
  targetBy: "arns" | "service" | "tag";
  /** FIS selection mode with --target-by service or tag: ALL, COUNT(n), PERCENT(n). */
  selection?: string;
  keepTemplate: boolean;
  acceptTimeouts: boolean;
  healthUrl?: string;
  liveTail: boolean;
  /** --profile and --region for the AWS clients (unset: AWS_PROFILE, AWS_REGION, the profile's). */
  profile?: string;
  region?: string;
}

/** A run on this machine; `seed` replays the latency proxy's delay draws (default: a random one). */
export interface LocalTarget {
  kind: "local";
  seed?: number;
}

/**
 * The user's own app on this machine (engine/app-run.ts plans it): started by fislat (`app`), or
 * already running and pointed at the proxy's fixed port (`proxyPort` without `app`).
 */
export interface LocalAppTarget {
  kind: "local-app";
  seed?: number;
  /** The shell command that starts the app. */
  app?: string;
  /**
   * The experiment file that named the app (target.app), as given: the app starts in that file's
   * folder, as its tables path is read from there. Absent for --app: the app starts in the
   * command's folder.
   */
  appFile?: string;
  /** Extra variables for the app; `{dynamodb}` in a value stands for the proxy's URL. */
  appEnv: Record<string, string>;
  /** Ready when this answers anything but a connection error. */
  readyUrl: string;
  readyTimeoutMs: number;
  /** The proxy listens here (127.0.0.1) instead of a free port. */
  proxyPort?: number;
  /** The user's own local DynamoDB (plain HTTP); absent: dynalite. */
  dynamodb?: string;
  /** Tables to create in dynalite; absent: the probe's MyTestTable with test1 and test2. */
  tables?: TableDefinition[];
  healthUrl?: string;
}

export type RunTarget = LocalTarget | AwsTarget | LocalAppTarget | AwsServiceTarget;

/** Open-loop HTTP load at the user's service (workloads/http-load.ts runs it). */
export interface HttpLoadSettings {
  /** Round-robin. */
  urls: string[];
  ratePerSecond: number;
  maxInFlight: number;
  requestTimeoutMs: number;
  method: string;
  headers: Record<string, string>;
  body?: string;
  /** "2xx,3xx", "200-299,404": what counts as ok. */
  okStatus: string;
}

/** Report files by format, e.g. { json: "r.json", html: "r.html" } (reporters/index.ts names the formats). */
export type ReportTargets = Partial<Record<string, string>>;

export interface ExperimentRequest {
  name: string;
  /** The hypothesis in words (from the file's description, or the scenario's). */
  description: string;
  /** Where the experiment came from: "scenario timeout", or the file's path. */
  source: string;
  /** The name in `a-z0-9-` only, for AWS tags and names (FIS refuses a comma in a tag value). */
  slug: string;
  fault: Fault;
  phases: Phases;
  probe: ProbeSettings;
  hypothesis: Check[];
  evidence: EvidenceRules;
  labels: Record<string, string>;
  target: RunTarget;
  /** Load at the user's service; absent: fislat's own probe is the workload. */
  load?: HttpLoadSettings;
  reports: ReportTargets;
}

export interface ExperimentPlan {
  request: ExperimentRequest;
  /** The probe's settings in force (on AWS, possibly the task's own). */
  probe: ProbeSettings;
  healthPollMs: number;
  /** How long to wait for lines still on their way after the run (log ingestion). */
  lateLineGraceMs: number;
  traits: EnvironmentTraits;
}
