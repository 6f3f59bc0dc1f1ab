// The proxy's fault kinds: one behaviour per kind, named as the CLI's fault kinds are. Adding a
// kind is adding its file and a line here.
import type { BehaviourKind } from "../behaviour.js";
import { errors } from "./errors.js";
import { latency } from "./latency.js";
import { packetLoss } from "./packet-loss.js";
import { unreachable } from "./unreachable.js";

/** The registry: one line per kind. */
export const BEHAVIOURS = { latency, "packet-loss": packetLoss, unreachable, errors };

type SpecOf<K> = K extends BehaviourKind<infer S> ? S : never;
/** A fault's own fields; a spec without `kind` is latency (the proxy's first and default kind). */
export type BehaviourSpec = SpecOf<(typeof BEHAVIOURS)[keyof typeof BEHAVIOURS]>;

export function behaviourOf(spec: BehaviourSpec): BehaviourKind<BehaviourSpec> {
  const kind = spec.kind ?? "latency";
  if (!Object.hasOwn(BEHAVIOURS, kind)) throw new RangeError(`invalid fault: no fault kind ${JSON.stringify(kind)}`);
  return BEHAVIOURS[kind as keyof typeof BEHAVIOURS] as unknown as BehaviourKind<BehaviourSpec>;
}
