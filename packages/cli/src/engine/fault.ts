// The fault as a tagged union, one module per kind (faults/*.ts): adding a kind is adding a file
// and an entry in FAULT_KINDS, as a Toxiproxy toxic is.
import { type LatencyFault, latency } from "./faults/latency.js";
import type { FaultParameters } from "./ports.js";
import type { Prediction } from "./predict.js";
import type { ReferenceValues } from "./threshold.js";
import type { LatencySummary } from "./timeline.js";

export type Fault = LatencyFault;
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

export interface FaultKind<F extends { kind: string }> {
  kind: F["kind"];
  /** The file's fields beyond `kind`, with what each means. */
  fields: Record<string, string>;
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
  /** What the injector (the local proxy, FIS) is asked to do. */
  injection(fault: F, durationMs: number): FaultParameters;
  fisAction(fault: F, durationIso: string): { actionId: string; parameters: Record<string, string> };
}

export const FAULT_KINDS: { [K in FaultKindName]: FaultKind<Extract<Fault, { kind: K }>> } = { latency };

export const faultKind = (fault: Fault): FaultKind<Fault> => FAULT_KINDS[fault.kind] as FaultKind<Fault>;
