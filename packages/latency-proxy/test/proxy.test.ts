// Real TCP through the proxy to an upstream that records when each byte arrives and answers at once.
import { once } from "node:events";
import net from "node:net";
import { performance } from "node:perf_hooks";
import { afterEach, describe, expect, it } from "vitest";
import { type FaultEvent, LatencyProxy, SEED_MAX, seededRandom } from "../src/index.js";

interface Arrival {
  byte: string;
  at: number;
}

async function startUpstream() {
  const arrivals: Arrival[] = [];
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    socket.on("error", () => {}); // the proxy's close may reset a connection mid-reply
    socket.on("end", () => socket.end());
    socket.on("data", (chunk) => {
      const at = performance.now();
      for (const byte of chunk.toString()) arrivals.push({ byte, at });
      socket.write(chunk.toString().toUpperCase()); // the reply direction is never delayed
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return { server, arrivals, port: (server.address() as net.AddressInfo).port };
}

const opened: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of opened.splice(0).reverse()) await o.close();
});

async function rig(random?: (() => number) | { seed: number }) {
  const upstream = await startUpstream();
  opened.push({ close: () => new Promise((r) => upstream.server.close(r)) });
  const proxy = await LatencyProxy.start({
    target: { host: "127.0.0.1", port: upstream.port },
    ...(typeof random === "object" ? random : { random }),
  });
  opened.push(proxy);
  const client = net.connect(proxy.port, "127.0.0.1");
  await once(client, "connect");
  opened.push({ close: () => client.destroy() });
  const replies: string[] = [];
  client.on("data", (d) => replies.push(d.toString()));
  return { upstream, proxy, client, replies };
}

/** Yields to the event loop until `cond` holds: the proxy has no event for "a chunk arrived". */
async function until(cond: () => boolean) {
  while (!cond()) await new Promise((resolve) => setImmediate(resolve));
}

/** Sends one byte and resolves with the time from send to its arrival upstream. */
async function timeOneByte(r: Awaited<ReturnType<typeof rig>>, byte: string) {
  const before = r.upstream.arrivals.length;
  const sent = performance.now();
  r.client.write(byte);
  while (r.upstream.arrivals.length === before) await once(r.client, "data");
  return (r.upstream.arrivals[before] as Arrival).at - sent;
}

describe("LatencyProxy", () => {
  it("passes bytes straight through while no fault is on", async () => {
    const r = await rig();
    // Not held: no timer stands between the byte and upstream (the bound is only a loaded
    // machine's scheduling, far below any fault's delay).
    expect(await timeOneByte(r, "a")).toBeLessThan(250);
    expect(r.proxy.stats().chunksDelayed).toBe(0);
    expect(r.replies.join("")).toBe("A");
  });

  it("holds client-to-upstream bytes for the delay, drawn uniformly over [delay - jitter, delay + jitter)", async () => {
    const low = await rig(() => 0);
    low.proxy.startFault({ delayMs: 300, jitterMs: 100, maxDurationMs: 10_000 });
    const lowDelay = await timeOneByte(low, "x");
    expect(lowDelay).toBeGreaterThanOrEqual(199);
    expect(lowDelay).toBeLessThan(260);

    const high = await rig(() => 0.999);
    high.proxy.startFault({ delayMs: 300, jitterMs: 100, maxDurationMs: 10_000 });
    const highDelay = await timeOneByte(high, "y");
    expect(highDelay).toBeGreaterThanOrEqual(399);
    expect(highDelay).toBeLessThan(460);
    expect(high.proxy.stats().delaysMs).toEqual([expect.closeTo(399.8, 1)]);
  });

  it("keeps the order of bytes even when a later draw is shorter", async () => {
    const draws = [0.999, 0];
    const r = await rig(() => draws.shift() ?? 0);
    r.proxy.startFault({ delayMs: 200, jitterMs: 150, maxDurationMs: 10_000 });
    r.client.write("1");
    await until(() => r.proxy.stats().chunksDelayed === 1);
    r.client.write("2");
    while (r.upstream.arrivals.length < 2) await once(r.client, "data");
    expect(r.proxy.stats().delaysMs).toEqual([expect.closeTo(349.7, 1), 50]);
    expect(r.upstream.arrivals.map((a) => a.byte).join("")).toBe("12");
  });

  it("reports when a fault starts and stops, and sends held bytes at once when stopped", async () => {
    const r = await rig();
    const events: FaultEvent[] = [];
    r.proxy.on("fault", (e) => events.push(e));
    const start = r.proxy.startFault({ delayMs: 5000, jitterMs: 0, maxDurationMs: 10_000 });
    expect(r.proxy.faultActive()).toBe(true);
    const sent = performance.now();
    r.client.write("h");
    await until(() => r.proxy.stats().chunksDelayed === 1);
    const stop = r.proxy.stopFault();
    while (r.upstream.arrivals.length === 0) await once(r.client, "data");
    expect((r.upstream.arrivals[0] as Arrival).at - sent).toBeLessThan(1000);
    expect(events.map((e) => [e.type, e.reason])).toEqual([
      ["start", undefined],
      ["stop", "requested"],
    ]);
    expect(stop?.at).toBeGreaterThan(start.at);
    expect(r.proxy.faultActive()).toBe(false);
    expect(r.proxy.stopFault()).toBeUndefined();
  });

  it("stops a fault by itself at its hard time limit", async () => {
    const r = await rig();
    const start = r.proxy.startFault({ delayMs: 2000, jitterMs: 0, maxDurationMs: 150 });
    const [stop] = (await once(r.proxy, "fault")) as [FaultEvent];
    expect(stop).toMatchObject({ type: "stop", reason: "time-limit" });
    expect(stop.at - start.at).toBeGreaterThanOrEqual(149);
    // After the limit a byte is not held for the fault's 2 s.
    expect(await timeOneByte(r, "z")).toBeLessThan(1000);
    expect(r.proxy.stats().chunksDelayed).toBe(0);
  });

  it("refuses a second fault and invalid parameters", async () => {
    const r = await rig();
    expect(() => r.proxy.startFault({ delayMs: 100, jitterMs: 200, maxDurationMs: 1000 })).toThrow(
      /jitterMs 200 must not exceed delayMs 100/,
    );
    expect(() => r.proxy.startFault({ delayMs: 100, jitterMs: 0, maxDurationMs: 0 })).toThrow(/maxDurationMs/);
    r.proxy.startFault({ delayMs: 100, jitterMs: 0, maxDurationMs: 1000 });
    expect(() => r.proxy.startFault({ delayMs: 100, jitterMs: 0, maxDurationMs: 1000 })).toThrow(/already running/);
  });

  it("draws the same delays in the same order for the same seed, and tells its seed", async () => {
    const delaysWith = async (seed: number) => {
      const r = await rig({ seed });
      expect(r.proxy.seed).toBe(seed);
      r.proxy.startFault({ delayMs: 20, jitterMs: 20, maxDurationMs: 60_000 });
      for (const byte of "abcde") await timeOneByte(r, byte);
      return r.proxy.stats().delaysMs;
    };
    const first = await delaysWith(7);
    expect(first).toHaveLength(5);
    expect(new Set(first).size).toBe(5);
    expect(await delaysWith(7)).toEqual(first);
    expect(await delaysWith(8)).not.toEqual(first);
    // Unseeded, it picks a seed of its own and says which.
    const r = await rig();
    expect(Number.isInteger(r.proxy.seed)).toBe(true);
  });

  it("refuses a seed that is not a whole number from 0 to 2^32 - 1", async () => {
    for (const seed of [-1, 1.5, SEED_MAX + 1, Number.NaN]) {
      await expect(LatencyProxy.start({ target: { host: "127.0.0.1", port: 1 }, seed })).rejects.toThrow(
        `seed ${seed} must be a whole number from 0 to 4294967295`,
      );
    }
    // Small seeds draw well from the first draw on: their first delays spread over the range.
    const firsts = Array.from({ length: 1000 }, (_, seed) => seededRandom(seed)());
    const mean = firsts.reduce((a, b) => a + b) / firsts.length;
    expect(mean).toBeGreaterThan(0.45);
    expect(mean).toBeLessThan(0.55);
    expect(firsts.filter((x) => x > 0.99).length).toBeLessThan(30);
    expect(seededRandom(SEED_MAX)()).toBeGreaterThanOrEqual(0);
    expect(seededRandom(SEED_MAX)()).toBe(seededRandom(SEED_MAX)());
  });

  it("frees its port and ends its fault when closed", async () => {
    const r = await rig();
    r.proxy.startFault({ delayMs: 100, jitterMs: 0, maxDurationMs: 60_000 });
    const port = r.proxy.port;
    const closedEvent = once(r.proxy, "fault");
    await r.proxy.close();
    expect(((await closedEvent) as [FaultEvent])[0].reason).toBe("closed");
    const reuse = net.createServer().listen(port, "127.0.0.1");
    await once(reuse, "listening");
    reuse.close();
  });
});

describe("a client that half-closes (writes, then end())", () => {
  /** An upstream that answers only once the request has ended, as an HTTP/1.0 server or a
   * request-then-FIN protocol does, and then closes its side. */
  async function answerOnEnd() {
    const server = net.createServer({ allowHalfOpen: true }, (socket) => {
      let request = "";
      socket.on("data", (d) => {
        request += d;
      });
      socket.on("end", () => socket.end(`reply to ${request}`));
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    opened.push({ close: () => new Promise((r) => server.close(r)) });
    return (server.address() as net.AddressInfo).port;
  }

  /** Connects, writes, half-closes, and collects everything until the proxy closes its side. */
  async function halfClosedExchange(proxyPort: number, request: string): Promise<string> {
    const client = net.connect({ port: proxyPort, host: "127.0.0.1", allowHalfOpen: true });
    opened.push({ close: () => client.destroy() });
    await once(client, "connect");
    let reply = "";
    client.on("data", (d) => {
      reply += d;
    });
    client.end(request);
    await once(client, "end");
    return reply;
  }

  it.each([
    ["off", undefined],
    ["on", { delayMs: 100, jitterMs: 20, maxDurationMs: 10_000 }],
  ])("still gets the whole reply with the fault %s", async (_state, fault) => {
    const port = await answerOnEnd();
    const proxy = await LatencyProxy.start({ target: { host: "127.0.0.1", port } });
    opened.push(proxy);
    if (fault) proxy.startFault(fault);
    const sent = performance.now();
    expect(await halfClosedExchange(proxy.port, "ping")).toBe("reply to ping");
    // With the fault on, the FIN waited behind the held request instead of overtaking it.
    if (fault) expect(performance.now() - sent).toBeGreaterThanOrEqual(79);
  });

  it("gets a large reply whole after upstream closes, with the echo upstream", async () => {
    const upstream = await startUpstream();
    opened.push({ close: () => new Promise((r) => upstream.server.close(r)) });
    const proxy = await LatencyProxy.start({ target: { host: "127.0.0.1", port: upstream.port } });
    opened.push(proxy);
    const request = "x".repeat(2 * 1024 * 1024);
    const reply = await halfClosedExchange(proxy.port, request);
    expect(reply.length).toBe(request.length);
    expect(reply).toBe(request.toUpperCase());
  });
});

describe("latency on new connections", () => {
  it("holds the first bytes of a connection opened under the fault for the handshake's extra draws", async () => {
    const r = await rig({ seed: 3 });
    r.proxy.startFault({ delayMs: 100, jitterMs: 0, newConnectionWaits: 2, maxDurationMs: 60_000 });
    // The connection opened before the fault pays one draw per chunk.
    expect(await timeOneByte(r, "a")).toBeGreaterThanOrEqual(99);
    const fresh = net.connect(r.proxy.port, "127.0.0.1");
    fresh.resume(); // its reply is read, not left to make the close a reset
    opened.push({ close: () => fresh.destroy() });
    await once(fresh, "connect");
    const before = r.upstream.arrivals.length;
    const sent = performance.now();
    fresh.write("b");
    await until(() => r.upstream.arrivals.length > before);
    expect((r.upstream.arrivals[before] as Arrival).at - sent).toBeGreaterThanOrEqual(299);
    expect(r.proxy.stats().delaysMs).toEqual([100, 300]);
  });
});

describe("traffic counts", () => {
  it("counts connections, HTTP requests and bytes each way, as the client sent them", async () => {
    const { createServer } = await import("node:http");
    const server = createServer((req, res) => {
      req.resume();
      req.on("end", () => res.end("ok!"));
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    opened.push({ close: () => new Promise((r) => server.close(r)) });
    const proxy = await LatencyProxy.start({
      target: { host: "127.0.0.1", port: (server.address() as net.AddressInfo).port },
    });
    opened.push(proxy);
    expect(proxy.traffic()).toEqual({ connections: 0, requests: 0, bytesUp: 0, bytesDown: 0, opaqueConnections: 0 });
    const url = `http://127.0.0.1:${proxy.port}/`;
    for (const body of ["{}", '{"a":1}', "x".repeat(70_000)]) {
      const response = await fetch(url, { method: "POST", body });
      expect(await response.text()).toBe("ok!");
    }
    const counts = proxy.traffic();
    expect(counts.requests).toBe(3);
    // fetch keeps its connection alive, or not: what matters is that each was counted.
    expect(counts.connections).toBeGreaterThanOrEqual(1);
    expect(counts.connections).toBeLessThanOrEqual(3);
    expect(counts.bytesUp).toBeGreaterThan(70_000);
    expect(counts.bytesDown).toBeGreaterThan(3 * 3);
    expect(counts.opaqueConnections).toBe(0);
  });

  it("counts bytes but no requests on a connection that is not HTTP", async () => {
    const r = await rig();
    r.client.write(Buffer.from([0x16, 0x03, 0x01, 0x0d, 0x0a, 0x0d, 0x0a]));
    await until(() => r.replies.length > 0);
    expect(r.proxy.traffic()).toMatchObject({ connections: 1, requests: 0, bytesUp: 7, opaqueConnections: 1 });
  });
});
