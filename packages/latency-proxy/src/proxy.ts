// A TCP proxy that stands in for the ECS network faults (and DynamoDB's errors) on one machine.
// While a fault is on, its behaviour (behaviours/, one file per kind) decides per connection and
// per chunk the client sends: forward after a delay (never overtaking an earlier chunk), hold until
// the fault ends, or answer the client itself; replies flow back untouched, as with an egress
// qdisc. Faults are switched at run time, report when they took effect and how often they acted,
// and end by themselves at a hard time limit.
import { randomInt } from "node:crypto";
import { EventEmitter, once } from "node:events";
import net from "node:net";
import { performance } from "node:perf_hooks";
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { mersenne } from "pure-rand/generator/mersenne";
import type { FaultBehaviour, LinkBehaviour } from "./behaviour.js";
import { type BehaviourSpec, behaviourOf } from "./behaviours/index.js";
import { RequestFramer } from "./http-framing.js";
import { holdUnaccepting, type Unaccepting } from "./unaccepting.js";

/** A fault: its kind's fields (behaviours/), and the hard limit every fault has. */
export type FaultSpec = BehaviourSpec & {
  /** Hard limit: the fault stops by itself after this long, whatever its caller does. */
  maxDurationMs: number;
};

export type FaultStopReason = "requested" | "time-limit" | "closed";

export interface FaultEvent {
  type: "start" | "stop";
  spec: FaultSpec;
  /** Monotonic time (performance.now()) when the fault took effect or ended. */
  at: number;
  /** Wall-clock time of the same moment, for logs and reports. */
  wallTime: Date;
  reason?: FaultStopReason;
  /** On stop: how many times the fault acted, and on what ("chunks delayed"): 0 means it never landed. */
  effects?: { count: number; name: string };
}

export interface LatencyProxyOptions {
  target: { host: string; port: number };
  listen?: { host?: string; port?: number };
  /**
   * Seed of the delay draws, a whole number from 0 to SEED_MAX: the same seed draws the same
   * delays in the same order (default: a random seed, readable as `proxy.seed`).
   */
  seed?: number;
  /** Random source in [0, 1); injectable so tests can pin the draw (then `seed` is not used). */
  random?: () => number;
}

/** The largest seed: the generator takes a 32-bit integer. */
export const SEED_MAX = 0xffff_ffff;

/** A random source in [0, 1) that replays the same sequence for the same seed. */
export function seededRandom(seed: number): () => number {
  if (!Number.isInteger(seed) || seed < 0 || seed > SEED_MAX) {
    throw new RangeError(`seed ${seed} must be a whole number from 0 to ${SEED_MAX}`);
  }
  // Mersenne Twister: its seeding spreads any 32-bit seed over the whole state, so the first draws
  // of seeds 0, 1, 2... are as random as the later ones (xoroshiro128+'s first draw is ~1 for them).
  const generator = mersenne(seed | 0);
  return () => uniformFloat64(generator);
}

export interface ProxyStats {
  connections: number;
  chunksDelayed: number;
  /** Delays actually drawn for chunks, in ms (the most recent 100,000). */
  delaysMs: number[];
  /** The current (or last) fault's effects: how many times it acted, and on what. */
  effects?: { count: number; name: string };
}

/**
 * What the proxy's clients sent and got, counted from the start: so a caller can show that an app
 * really talked to DynamoDB through the fault (snapshots at the fault's start and end give the
 * counts per phase). Requests are HTTP/1.x requests framed on the client's bytes, counted when
 * their last byte arrives (before any delay); a connection that is not HTTP/1.x counts bytes only.
 */
export interface TrafficCounts {
  connections: number;
  requests: number;
  /** Client to upstream. */
  bytesUp: number;
  /** Upstream to client. */
  bytesDown: number;
  /** Connections whose bytes could not be framed as HTTP/1.x requests. */
  opaqueConnections: number;
}

const MAX_KEPT_DELAYS = 100_000;
const HIGH_WATER_BYTES = 1 << 20;

function validateSpec(spec: FaultSpec): void {
  const problems = behaviourOf(spec).validate(spec);
  if (!Number.isFinite(spec.maxDurationMs) || spec.maxDurationMs <= 0) {
    problems.push(`maxDurationMs ${spec.maxDurationMs} must be > 0`);
  }
  if (problems.length > 0) throw new RangeError(`invalid fault: ${problems.join("; ")}`);
}

/** One fault while it is on: its behaviour, shared by every connection. */
interface FaultRun {
  spec: FaultSpec;
  behaviour: FaultBehaviour;
  startedAt: number;
  timer: NodeJS.Timeout;
}

interface Pending {
  chunk: Buffer;
  releaseAt: number;
}

/** One client connection: its upstream socket and the ordered queue of held chunks. */
class Link {
  private readonly queue: Pending[] = [];
  private queuedBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private lastReleaseAt = 0;
  private clientEnded = false;
  /** The fault this connection is meeting, and its per-connection state for it. */
  private run: FaultRun | undefined;
  private behaviour: LinkBehaviour | undefined;

  constructor(
    private readonly client: net.Socket,
    private readonly upstream: net.Socket,
    private readonly current: () => FaultRun | undefined,
    private readonly openedUnder: FaultRun | undefined,
    private readonly onClose: (link: Link) => void,
    traffic: TrafficCounts,
  ) {
    const framer = new RequestFramer();
    client.on("data", (chunk: Buffer) => {
      traffic.bytesUp += chunk.length;
      if (framer.opaque === undefined) {
        traffic.requests += framer.push(chunk).length;
        if (framer.opaque !== undefined) traffic.opaqueConnections += 1;
      }
      this.accept(chunk);
    });
    upstream.on("data", (chunk: Buffer) => {
      traffic.bytesDown += chunk.length;
    });
    client.on("end", () => {
      this.clientEnded = true;
      this.maybeEndUpstream();
    });
    upstream.pipe(client);
    const teardown = () => this.destroy();
    client.on("error", teardown);
    upstream.on("error", teardown);
    client.on("close", teardown);
    // Once upstream is done, the client gets the rest of the reply before its socket goes:
    // destroying it at once would drop what is still in its write buffer.
    upstream.on("close", () => {
      if (client.writableFinished || client.destroyed) teardown();
      else if (client.writableEnded) client.once("finish", teardown);
      else teardown();
    });
  }

  private accept(chunk: Buffer): void {
    const now = performance.now();
    const run = this.current();
    if (run !== this.run) {
      this.leaveFault();
      this.run = run;
      this.behaviour = run?.behaviour.link(run === this.openedUnder);
    }
    if (!this.behaviour) {
      this.enqueue(chunk, now, 0);
      return;
    }
    for (const step of this.behaviour.fromClient(chunk)) {
      if ("answer" in step) this.client.write(step.answer);
      else this.enqueue(step.forward, now, step.delayMs);
    }
  }

  private enqueue(chunk: Buffer, now: number, delayMs: number): void {
    // Order is kept: a chunk never leaves before the one ahead of it.
    const releaseAt = Math.max(this.lastReleaseAt, now + delayMs);
    this.lastReleaseAt = releaseAt;
    if (releaseAt <= now && this.queue.length === 0) {
      this.upstream.write(chunk);
      return;
    }
    this.queue.push({ chunk, releaseAt });
    this.queuedBytes += chunk.length;
    if (this.queuedBytes > HIGH_WATER_BYTES) this.client.pause();
    this.arm();
  }

  private arm(): void {
    if (this.timer || this.queue.length === 0) return;
    const head = this.queue[0] as Pending;
    // Held until the fault ends (Infinity): no timer, the fault's end releases it.
    if (head.releaseAt === Number.POSITIVE_INFINITY) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.release(performance.now());
      },
      Math.max(0, head.releaseAt - performance.now()),
    );
  }

  /** The fault ended: what the connection's behaviour still held goes on after the queue, in order. */
  leaveFault(): void {
    const rest = this.behaviour?.flush?.();
    this.behaviour = undefined;
    this.run = undefined;
    if (rest && rest.length > 0) {
      this.queue.push({ chunk: rest, releaseAt: 0 });
      this.queuedBytes += rest.length;
    }
  }

  /** Sends every held chunk due by `now` (all of them with Infinity), in order. */
  release(now: number): void {
    while (this.queue.length > 0 && (this.queue[0] as Pending).releaseAt <= now) {
      const { chunk } = this.queue.shift() as Pending;
      this.queuedBytes -= chunk.length;
      if (!this.upstream.destroyed) this.upstream.write(chunk);
    }
    if (now === Number.POSITIVE_INFINITY) this.lastReleaseAt = 0;
    if (this.queuedBytes <= HIGH_WATER_BYTES && this.client.isPaused()) this.client.resume();
    if (this.queue.length === 0) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.maybeEndUpstream();
    } else {
      this.arm();
    }
  }

  private maybeEndUpstream(): void {
    if (this.clientEnded && this.queue.length === 0 && !this.upstream.destroyed) this.upstream.end();
  }

  destroy(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.queue.length = 0;
    this.client.destroy();
    this.upstream.destroy();
    this.onClose(this);
  }
}

export class LatencyProxy extends EventEmitter<{ fault: [FaultEvent] }> {
  private readonly links = new Set<Link>();
  private fault: FaultRun | undefined;
  private lastEffects: { count: number; name: string } | undefined;
  private connections = 0;
  private readonly counts: TrafficCounts = {
    connections: 0,
    requests: 0,
    bytesUp: 0,
    bytesDown: 0,
    opaqueConnections: 0,
  };
  private chunksDelayed = 0;
  private readonly delaysMs: number[] = [];
  private readonly random: () => number;
  /** The seed of the delay draws (undefined when a random source was injected). */
  readonly seed: number | undefined;
  private readonly address: net.AddressInfo;
  /** The listener swaps of faults that accept no one, in order; close() waits for them. */
  private swaps: Promise<void> = Promise.resolve();
  private unaccepting: Unaccepting | undefined;
  private closed = false;

  private constructor(
    private server: net.Server,
    private readonly target: { host: string; port: number },
    options: Pick<LatencyProxyOptions, "seed" | "random">,
  ) {
    super();
    this.address = server.address() as net.AddressInfo;
    if (options.random) {
      this.random = options.random;
    } else {
      this.seed = options.seed ?? randomInt(SEED_MAX + 1);
      this.random = seededRandom(this.seed);
    }
  }

  /** Half-open on both sides: a client that writes and then end()s (HTTP/1.0 style) still gets its reply. */
  private static listener(): net.Server {
    return net.createServer({ noDelay: true, allowHalfOpen: true });
  }

  static async start(options: LatencyProxyOptions): Promise<LatencyProxy> {
    if (options.seed !== undefined) seededRandom(options.seed); // a bad seed is refused before listening
    const server = LatencyProxy.listener();
    server.listen(options.listen?.port ?? 0, options.listen?.host ?? "127.0.0.1");
    await once(server, "listening");
    const proxy = new LatencyProxy(server, options.target, options);
    server.on("connection", (client) => proxy.adopt(client));
    return proxy;
  }

  get port(): number {
    return this.address.port;
  }

  get host(): string {
    return this.address.address;
  }

  private adopt(client: net.Socket): void {
    this.connections += 1;
    this.counts.connections += 1;
    const upstream = net.connect({
      host: this.target.host,
      port: this.target.port,
      noDelay: true,
      allowHalfOpen: true,
    });
    const link = new Link(
      client,
      upstream,
      () => this.fault,
      this.fault,
      (l) => this.links.delete(l),
      this.counts,
    );
    this.links.add(link);
  }

  /** Turns the fault on; it applies to every chunk (and, for some kinds, every connection) from now on. */
  startFault(spec: FaultSpec): FaultEvent {
    validateSpec(spec);
    if (this.fault) throw new Error("a fault is already running on this proxy; stop it first");
    if (this.closed) throw new Error("the proxy is closed");
    const startedAt = performance.now();
    const behaviour = behaviourOf(spec).create(spec, {
      random: this.random,
      record: (delay) => {
        this.chunksDelayed += 1;
        if (this.delaysMs.length >= MAX_KEPT_DELAYS) this.delaysMs.shift();
        this.delaysMs.push(delay);
      },
    });
    const timer = setTimeout(() => this.endFault("time-limit"), spec.maxDurationMs);
    this.fault = { spec, behaviour, startedAt, timer };
    if (!behaviour.accepts) this.swaps = this.swaps.then(() => this.stopAccepting());
    const event: FaultEvent = { type: "start", spec, at: startedAt, wallTime: new Date() };
    this.emit("fault", event);
    return event;
  }

  /** Hands the port to a listener that never accepts (unaccepting.ts); connections already open stay. */
  private async stopAccepting(): Promise<void> {
    if (!this.fault || this.fault.behaviour.accepts) return;
    const server = this.server;
    this.unaccepting = await holdUnaccepting(this.host, this.port, () => server.close());
  }

  /** Takes the port back and accepts again. */
  private async resumeAccepting(): Promise<void> {
    const held = this.unaccepting;
    if (!held) return;
    this.unaccepting = undefined;
    await held.close();
    const server = LatencyProxy.listener();
    server.on("connection", (client) => this.adopt(client));
    server.listen(this.port, this.host);
    await once(server, "listening");
    this.server = server;
  }

  /** Turns the fault off; chunks still held are sent at once, in order. Idempotent. */
  stopFault(): FaultEvent | undefined {
    return this.endFault("requested");
  }

  private endFault(reason: FaultStopReason): FaultEvent | undefined {
    const fault = this.fault;
    if (!fault) return undefined;
    clearTimeout(fault.timer);
    this.fault = undefined;
    for (const link of this.links) {
      link.leaveFault();
      link.release(Number.POSITIVE_INFINITY);
    }
    if (!fault.behaviour.accepts && reason !== "closed") this.swaps = this.swaps.then(() => this.resumeAccepting());
    const effects = { count: fault.behaviour.effects(), name: fault.behaviour.effectName };
    this.lastEffects = effects;
    const event: FaultEvent = {
      type: "stop",
      spec: fault.spec,
      at: performance.now(),
      wallTime: new Date(),
      reason,
      effects,
    };
    this.emit("fault", event);
    return event;
  }

  faultActive(): boolean {
    return this.fault !== undefined;
  }

  /** Resolves once the proxy accepts connections as its current state says (after a fault that accepts no one). */
  settled(): Promise<void> {
    return this.swaps;
  }

  stats(): ProxyStats {
    const effects = this.fault
      ? { count: this.fault.behaviour.effects(), name: this.fault.behaviour.effectName }
      : this.lastEffects;
    return {
      connections: this.connections,
      chunksDelayed: this.chunksDelayed,
      delaysMs: [...this.delaysMs],
      ...(effects ? { effects } : {}),
    };
  }

  /** The traffic so far (a copy): take one at each boundary and subtract for a phase's counts. */
  traffic(): TrafficCounts {
    return { ...this.counts };
  }

  /** Stops any fault, drops every connection and frees the port. */
  async close(): Promise<void> {
    this.closed = true;
    this.endFault("closed");
    await this.swaps.catch(() => {});
    if (this.unaccepting) {
      await this.unaccepting.close();
      this.unaccepting = undefined;
    }
    for (const link of [...this.links]) link.destroy();
    if (!this.server.listening) return;
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
