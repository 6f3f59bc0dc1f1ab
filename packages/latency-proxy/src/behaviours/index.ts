// The proxy's fault kinds: one behaviour per kind, named as the CLI's fault kinds are. Adding a
// kind is adding its file and a line here.
import type { BehaviourKind } from "../behaviour.js";
import { type LatencySpec, latency } from "./latency.js";

/** A fault's own fields; a spec without `kind` is latency (the proxy's first and default kind). */
export type BehaviourSpec = LatencySpec;

export const BEHAVIOURS: Record<NonNullable<BehaviourSpec["kind"]>, BehaviourKind<never>> = {
  latency,
};

export function behaviourOf(spec: BehaviourSpec): BehaviourKind<BehaviourSpec> {
  const kind = spec.kind ?? "latency";
  if (!Object.hasOwn(BEHAVIOURS, kind)) throw new RangeError(`invalid fault: no fault kind ${JSON.stringify(kind)}`);
  return BEHAVIOURS[kind] as BehaviourKind<BehaviourSpec>;
}
