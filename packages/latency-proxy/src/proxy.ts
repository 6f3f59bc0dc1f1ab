// A TCP proxy that stands in for the ECS network-latency fault on one machine: while a fault is
// on, every chunk the client sends upstream is held for a delay drawn uniformly from
// [delay - jitter, delay + jitter) (netem's default distribution, see shared/facts), never
// overtaking an earlier chunk; replies flow back undelayed, as with an egress qdisc. Faults are
// switched at run time, report when they took effect, and end by themselves at a hard time limit.
import { randomInt } from "node:crypto";
import { EventEmitter, once } from "node:events";
import net from "node:net";
import { performance } from "node:perf_hooks";
import { uniformFloat64 } from "pure-rand/distribution/uniformFloat64";
import { mersenne } from "pure-rand/generator/mersenne";
import { RequestFramer } from "./http-framing.js";

export interface FaultSpec {
  delayMs: number;
  jitterMs: number;
  /** Hard limit: the fault stops by itself after this long, whatever its caller does. */
  maxDurationMs: number;
}

export type FaultStopReason = "requested" | "time-limit" | "closed";

export interface FaultEvent {
  type: "start" | "stop";
  spec: FaultSpec;
  /** Monotonic time (performance.now()) when the fault took effect or ended. */
  at: number;
  /** Wall-clock time of the same moment, for logs and reports. */
  wallTime: Date;
  reason?: FaultStopReason;
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
  const problems: string[] = [];
  if (!Number.isFinite(spec.delayMs) || spec.delayMs < 0) problems.push(`delayMs ${spec.delayMs} must be >= 0`);
  if (!Number.isFinite(spec.jitterMs) || spec.jitterMs < 0) problems.push(`jitterMs ${spec.jitterMs} must be >= 0`);
  if (spec.jitterMs > spec.delayMs) problems.push(`jitterMs ${spec.jitterMs} must not exceed delayMs ${spec.delayMs}`);
  if (!Number.isFinite(spec.maxDurationMs) || spec.maxDurationMs <= 0) {
    problems.push(`maxDurationMs ${spec.maxDurationMs} must be > 0`);
  }
  if (problems.length > 0) throw new RangeError(`invalid fault: ${problems.join("; ")}`);
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

  constructor(
    private readonly client: net.Socket,
    private readonly upstream: net.Socket,
    private readonly delayFor: () => number | undefined,
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
    const delay = this.delayFor();
    // Order is kept: a chunk never leaves before the one ahead of it.
    const releaseAt = Math.max(this.lastReleaseAt, delay === undefined ? now : now + delay);
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
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.release(performance.now());
      },
      Math.max(0, head.releaseAt - performance.now()),
    );
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
  private fault: { spec: FaultSpec; startedAt: number; timer: NodeJS.Timeout } | undefined;
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

  private constructor(
    private readonly server: net.Server,
    private readonly target: { host: string; port: number },
    options: Pick<LatencyProxyOptions, "seed" | "random">,
  ) {
    super();
    if (options.random) {
      this.random = options.random;
    } else {
      this.seed = options.seed ?? randomInt(SEED_MAX + 1);
      this.random = seededRandom(this.seed);
    }
  }

  static async start(options: LatencyProxyOptions): Promise<LatencyProxy> {
    // Half-open on both sides: a client that writes and then end()s (HTTP/1.0 style) still gets
    // its reply; its FIN is passed upstream after the chunks held ahead of it, and the upstream's
    // reply and FIN come back through the pipe.
    if (options.seed !== undefined) seededRandom(options.seed); // a bad seed is refused before listening
    const server = net.createServer({ noDelay: true, allowHalfOpen: true });
    const proxy = new LatencyProxy(server, options.target, options);
    server.on("connection", (client) => proxy.adopt(client));
    server.listen(options.listen?.port ?? 0, options.listen?.host ?? "127.0.0.1");
    await once(server, "listening");
    return proxy;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  get host(): string {
    return (this.server.address() as net.AddressInfo).address;
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
      () => this.drawDelay(),
      (l) => this.links.delete(l),
      this.counts,
    );
    this.links.add(link);
  }

  private drawDelay(): number | undefined {
    if (!this.fault) return undefined;
    const { delayMs, jitterMs } = this.fault.spec;
    const delay = delayMs - jitterMs + this.random() * 2 * jitterMs;
    this.chunksDelayed += 1;
    if (this.delaysMs.length >= MAX_KEPT_DELAYS) this.delaysMs.shift();
    this.delaysMs.push(delay);
    return delay;
  }

  /** Turns the fault on; it applies to every chunk that arrives from now on. */
  startFault(spec: FaultSpec): FaultEvent {
    validateSpec(spec);
    if (this.fault) throw new Error("a latency fault is already running on this proxy; stop it first");
    if (!this.server.listening) throw new Error("the proxy is closed");
    const startedAt = performance.now();
    const timer = setTimeout(() => this.endFault("time-limit"), spec.maxDurationMs);
    this.fault = { spec, startedAt, timer };
    const event: FaultEvent = { type: "start", spec, at: startedAt, wallTime: new Date() };
    this.emit("fault", event);
    return event;
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
    for (const link of this.links) link.release(Number.POSITIVE_INFINITY);
    const event: FaultEvent = { type: "stop", spec: fault.spec, at: performance.now(), wallTime: new Date(), reason };
    this.emit("fault", event);
    return event;
  }

  faultActive(): boolean {
    return this.fault !== undefined;
  }

  stats(): ProxyStats {
    return { connections: this.connections, chunksDelayed: this.chunksDelayed, delaysMs: [...this.delaysMs] };
  }

  /** The traffic so far (a copy): take one at each boundary and subtract for a phase's counts. */
  traffic(): TrafficCounts {
    return { ...this.counts };
  }

  /** Stops any fault, drops every connection and frees the port. */
  async close(): Promise<void> {
    this.endFault("closed");
    for (const link of [...this.links]) link.destroy();
    if (!this.server.listening) return;
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
