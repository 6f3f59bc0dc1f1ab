// The fault as a tagged union, one module per kind (faults/*.ts): adding a kind is adding a file
// and an entry in FAULT_KINDS, as a Toxiproxy toxic is.
import { type LatencyFault, latency } from "./faults/latency.js";
import type { Prediction } from "./predict.js";
import type { ReferenceValues } from "./threshold.js";
import type { LatencySummary } from "./timeline.js";

export type Fault = LatencyFault;

/** The local latency proxy's fault (the shape of @fislat/latency-proxy's FaultSpec). */
export interface ProxyFault {
  delayMs: number;
  jitterMs: number;
  maxDurationMs: number;
}

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

export type FaultKindName = Fault["kind"];

export interface Problem {
  field: string;
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
 * A numeric field of a fault kind that `fislat sweep` can step (latency's delay, a loss percent):
 * how a level is written and read, and the smallest step between two levels.
 */
export interface SweepableField {
  /** The unit levels are reported in ("ms", "%"). */
  unit: string;
  /** One level as written on the command line or in the file ("400ms", "400"); throws a FislatError. */
  parse(where: string, text: string): number;
  /** A level as the planner reads the field's flag (`--delay 400`). */
  flagValue(level: number): string;
  /** A level for people ("400 ms"). */
  format(level: number): string;
  /** The smallest difference between levels (1 for whole milliseconds). */
  step: number;
}

export interface FaultKind<F extends { kind: string }> {
  kind: F["kind"];
  /** The file's fields beyond `kind`, with what each means. */
  fields: Record<string, string>;
  /** The numeric fields `fislat sweep` can step, the first being the one swept by default. */
  sweepable?: Record<string, SweepableField>;
  defaults: F;
  /** The fault from its inputs: `read(field, fallback)` takes the flag, else the file, else the fallback. */
  plan(read: (field: string, fallback: number) => number): F;
  /** What is wrong with the values, each naming its field and what is allowed. */
  validate(fault: F): Problem[];
  describe(fault: F): string;
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
  /** What the local latency proxy does for this fault, ending by itself after `durationMs`. */
  proxyFault(fault: F, durationMs: number): ProxyFault;
  /** The FIS action that injects this fault on ECS tasks. */
  fisAction(fault: F, context: FisActionContext): FisAction;
}

export const FAULT_KINDS: { [K in FaultKindName]: FaultKind<Extract<Fault, { kind: K }>> } = { latency };

export const faultKind = (fault: Fault): FaultKind<Fault> => FAULT_KINDS[fault.kind] as FaultKind<Fault>;
