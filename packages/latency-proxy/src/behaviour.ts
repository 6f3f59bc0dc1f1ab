// The one interface a fault kind implements on the proxy's side, as a Toxiproxy toxic does: the
// proxy asks the fault whether it takes new connections, and, per connection, what to do with each
// chunk the client sends (forward it after a delay, hold it until the fault ends, or answer the
// client itself). Each kind is one file in behaviours/; the proxy knows none of them by name.

/** What to do with bytes the client sent. */
export type Step =
  /** Send these bytes upstream after `delayMs` (Infinity: hold them until the fault ends), in order. */
  | { forward: Buffer; delayMs: number }
  /** Write these bytes back to the client instead (the upstream never sees the request). */
  | { answer: Buffer };

/** One connection's view of a fault, created the first time the connection meets it. */
export interface LinkBehaviour {
  fromClient(chunk: Buffer): Step[];
  /** Bytes the behaviour still holds back (e.g. part of a request); sent on when the fault ends. */
  flush?(): Buffer | undefined;
}

export interface BehaviourContext {
  /** The proxy's seeded random source in [0, 1): the same seed makes the same draws. */
  random(): number;
  /** Notes a delay the fault put on a chunk (the proxy keeps the most recent ones for stats). */
  record(delayMs: number): void;
}

export interface FaultBehaviour {
  /**
   * false: while the fault is on the proxy accepts no one, so a new connection hangs until the
   * client's connect timeout, as when every SYN is dropped.
   */
  readonly accepts: boolean;
  /** `openedUnderFault`: the connection was opened while this fault was on (it paid the handshake). */
  link(openedUnderFault: boolean): LinkBehaviour;
  /** How many times the fault acted so far (chunks delayed, segments lost, requests answered). */
  effects(): number;
  /** What `effects` counts, for people: "chunks delayed". */
  readonly effectName: string;
}

export interface BehaviourKind<S> {
  /** Problems with the spec's own values, each naming the value and what is allowed. */
  validate(spec: S): string[];
  create(spec: S, context: BehaviourContext): FaultBehaviour;
}
