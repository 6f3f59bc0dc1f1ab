// The fault as a tagged union, one module per kind (faults/*.ts): adding a kind is adding its file
// and an entry in FAULT_KINDS, as a Toxiproxy toxic is. A kind owns everything about itself: its
// fields (flags, file fields, limits, defaults, schema), its description, its prediction and
// evidence, what the local proxy does for it and how faithful that is, and its AWS action.
import type { BehaviourSpec } from "@fislat/latency-proxy";
import { errors } from "./faults/errors.js";
import { latency } from "./faults/latency.js";
import { packetLoss } from "./faults/packet-loss.js";
import { unreachable } from "./faults/unreachable.js";
import type { Prediction } from "./predict.js";
import type { ReferenceValues } from "./threshold.js";
import type { LatencySummary } from "./timeline.js";

/** The local proxy's fault (the shape of @fislat/latency-proxy's FaultSpec). */
export type ProxyFault = BehaviourSpec & { maxDurationMs: number };

/** What an FIS action needs beyond the fault: how long, and the run's own settings. */
export interface FisActionContext {
  durationMs: number;
  /** Comma-separated FIS sources (DYNAMODB by default). */
  sources: string;
  /** false when the targets' SSM sidecar already has the action's tools. */
  installDependencies?: boolean;
}

/** One action of an FIS experiment template. */
export interface FisAction {
  actionId: string;
  description: string;
  parameters: Record<string, string>;
}

/** How a kind is injected on AWS: an FIS action and what the FIS role needs for it, or why not. */
export type AwsInjection =
  | {
      /** The FIS action (the operator's policy names it) and the SSM document FIS runs for it (the FIS role's). */
      actionId: string;
      ssmDocument: string;
      fisAction(fault: never, context: FisActionContext): FisAction;
      /** What the FIS role needs for the action (FIS actions reference). */
      iamActions: string[];
    }
  | { refused: string };

export interface Problem {
  field: string;
  /** The value as the user would recognise it: "900 ms", "130". */
  shown: string;
  message: string;
}

export interface ProbeSettings {
  connectionTimeoutMs: number;
  readTimeoutMs: number;
  intervalMs: number;
  healthFailureMs: number;
}

/** How the environment's new connections pay the delay (see predict.ts). */
export interface EnvironmentTraits {
  waitsOnNewConnection: number;
  connectDelayed: boolean;
}

/**
 * A numeric field `fislat sweep` can step (latency's delay, packet loss's percent, the errors'
 * rate): how a level is written and read, and the smallest step between two levels. The planner
 * reads each level through the field's own flag, so its limits stay the kind's.
 */
export interface SweepableField {
  /** The unit levels are reported in: "ms", "%", or "share" (a fraction, 0.05). */
  unit: "ms" | "%" | "share";
  /** One level as written on the command line or in the file ("400ms", "30"); throws a FislatError. */
  parse(where: string, text: string): number;
  /** A level as the field's flag takes it (`--delay 400`). */
  flagValue(level: number): string;
  /** The smallest difference between levels (1 for whole milliseconds). */
  step: number;
}

/** A value given for a fault's field, and where (for refusals): "--loss", "x.yaml: fault.loss". */
export interface Given {
  text: string;
  where: string;
}

/** One of a kind's fields: its flag and its field in the experiment file. */
export interface FaultField {
  /** The flag with its argument, as commander takes it: "--loss <percent>". */
  flag: string;
  help: string;
  /** The JSON Schema of `fault.<field>` in an experiment file. */
  schema: Record<string, unknown>;
  /** Set when `fislat sweep` can step this field. */
  sweep?: SweepableField;
}

export interface FaultKind<F extends { kind: string }> {
  kind: F["kind"];
  /** One line for help and the README: what the fault does. */
  summary: string;
  fields: Record<string, FaultField>;
  defaults: F;
  /** The fault from its inputs: `read(field)` gives the flag, else the file's value; refusals throw (exit 2). */
  plan(read: (field: string) => Given | undefined): F;
  /** What is wrong with the values together, each naming its field and what is allowed. */
  validate(fault: F): Problem[];
  describe(fault: F): string;
  /** Each field's value as a person writes it ({ delay: "800 ms" }), for `fislat config`. */
  shownFields(fault: F): Record<string, string>;
  /** The fault's fields as they appear in a report's parameters (latency: its delay and jitter in ms). */
  reportFields(fault: F): Record<string, number | string>;
  /** The JSON Schema of each of reportFields' fields, for the report schema's `parameters`. */
  reportSchema: Record<string, Record<string, unknown>>;
  /** Figures a threshold's bound may name. */
  references(fault: F): ReferenceValues;
  predict(
    fault: F,
    probe: ProbeSettings,
    baseline: LatencySummary | undefined,
    traits: EnvironmentTraits,
  ): Prediction | undefined;
  /** A successful round trip slower than this (given the baseline) shows the fault. */
  degradedThreshold(fault: F): (baseline: LatencySummary | undefined) => number;
  /**
   * The evidence that the fault showed in the injection phase, as a threshold on `degraded`
   * (round trips that failed or were slower than the degraded threshold): `rate>=0.8` for a fault
   * every round trip meets, `count>=1` for one that meets only some.
   */
  shownCheck(fault: F, faultShownShare: number): string;
  /** What the local proxy does for this fault, ending by itself after `durationMs`. */
  proxyFault(fault: F, durationMs: number, probe: ProbeSettings): ProxyFault;
  /** How new connections pay this fault through the local proxy (predict.ts). */
  localTraits(fault: F, probe: ProbeSettings): EnvironmentTraits;
  /** What the local twin reproduces of the AWS fault, and what it does not (in every local report). */
  fidelity: string;
  /** The same for a run against the user's app, where it must say otherwise (its requests, not the probe's). */
  appFidelity?: string;
  aws: AwsInjection;
}

/** The registry: one line per kind. */
export const FAULT_KINDS = { latency, "packet-loss": packetLoss, unreachable, errors };

type FaultOf<K> = K extends FaultKind<infer F> ? F : never;
/** Any kind's fault, as its module defines it. */
export type Fault = FaultOf<(typeof FAULT_KINDS)[keyof typeof FAULT_KINDS]>;
export type FaultKindName = Fault["kind"];

export const faultKind = (fault: Fault): FaultKind<Fault> => FAULT_KINDS[fault.kind] as FaultKind<Fault>;

export const isFaultKindName = (name: string): name is FaultKindName => Object.hasOwn(FAULT_KINDS, name);

/**
 * A report's `parameters`: each kind's own fields beside `fault`, by `fault.kind` (the report
 * schema's part that the kinds own; scripts/schemas.mjs fills it in).
 */
export function faultReportSchema(): { allOf: Record<string, unknown>[] } {
  return {
    allOf: (Object.values(FAULT_KINDS) as FaultKind<Fault>[]).map((k) => ({
      if: { properties: { fault: { properties: { kind: { const: k.kind } } } } },
      // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then, not a promise
      then: { properties: k.reportSchema },
    })),
  };
}

/** What AWS needs for every kind FIS can inject: their actions, SSM documents and the FIS role's IAM actions. */
export function awsNeeds(): { actionIds: string[]; ssmDocuments: string[]; iamActions: string[] } {
  const injectable = (Object.values(FAULT_KINDS) as FaultKind<Fault>[]).flatMap((k) =>
    "refused" in k.aws ? [] : [k.aws],
  );
  const unique = (values: string[]) => [...new Set(values)];
  return {
    actionIds: unique(injectable.map((a) => a.actionId)),
    ssmDocuments: unique(injectable.map((a) => a.ssmDocument)),
    iamActions: unique(injectable.flatMap((a) => a.iamActions)),
  };
}

/** The FIS action for a fault; only for kinds FIS can inject (the planner refuses the others first). */
export function fisActionOf(fault: Fault, context: FisActionContext): FisAction {
  const aws = faultKind(fault).aws;
  if ("refused" in aws) throw new Error(aws.refused);
  return aws.fisAction(fault as never, context);
}
