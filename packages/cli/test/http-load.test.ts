// The open-loop load generator against a real HTTP server on loopback: requests go out on
// schedule whether or not earlier ones finished, latency counts from the intended start, the
// in-flight cap drops what cannot start, and timeouts and statuses are told apart.
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type HttpLoadDrop, type HttpLoadResult, startHttpLoad } from "../src/workloads/http-load.js";

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/** A server that answers each request by `answer(n)` (n from 1), after `holdMs(n)` ms. */
async function serve(answer: (n: number) => { status: number; holdMs?: number }) {
  let n = 0;
  const seen: { path: string; method: string; body: string; header?: string }[] = [];
  const server = createServer((req, res) => {
    n += 1;
    const { status, holdMs = 0 } = answer(n);
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      seen.push({ path: req.url ?? "", method: req.method ?? "", body, header: req.headers["x-test"] as string });
      setTimeout(() => res.writeHead(status).end("body"), holdMs);
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

function collect() {
  const results: HttpLoadResult[] = [];
  const drops: HttpLoadDrop[] = [];
  return {
    results,
    drops,
    handlers: { onResult: (r: HttpLoadResult) => results.push(r), onDrop: (d: HttpLoadDrop) => drops.push(d) },
  };
}

describe("startHttpLoad", () => {
  it("sends round-robin at the rate, with method, headers and body, numbering every request", async () => {
    const { url, seen } = await serve(() => ({ status: 200 }));
    const c = collect();
    const load = startHttpLoad(
      {
        requests: [
          { url: `${url}/a?x=1` },
          { url: `${url}/b`, method: "post", headers: { "x-test": "yes" }, body: '{"k":1}' },
        ],
        ratePerSecond: 100,
        // Room for a loaded machine: this test is not about drops.
        maxInFlight: 50,
        requestTimeoutMs: 2000,
        count: 20,
      },
      c.handlers,
    );
    const summary = await load.finished;
    expect(summary).toMatchObject({ scheduled: 20, sent: 20, dropped: 0, ok: 20, failed: 0 });
    expect(c.results.map((r) => r.seq).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(seen.filter((s) => s.path === "/a?x=1" && s.method === "GET")).toHaveLength(10);
    expect(
      seen.filter((s) => s.path === "/b" && s.method === "POST" && s.body === '{"k":1}' && s.header === "yes"),
    ).toHaveLength(10);
    // Intended starts 10 ms apart, exactly: the schedule, not when the timer happened to fire.
    const byseq = [...c.results].sort((a, b) => a.seq - b.seq);
    expect((byseq[19] as HttpLoadResult).intendedAt - (byseq[0] as HttpLoadResult).intendedAt).toBeCloseTo(190, 6);
    expect(summary.connectionsOpened).toBeGreaterThanOrEqual(1);
    expect(c.results.filter((r) => r.newConnection)).toHaveLength(summary.connectionsOpened);
  });

  it("keeps sending on schedule while the server stalls, and counts the stall from each intended start", async () => {
    // The first request is held 600 ms; the others answer at once. A closed loop of one
    // connection would send nothing for 600 ms and report one slow request.
    const { url } = await serve((n) => ({ status: 200, holdMs: n === 1 ? 600 : 0 }));
    const c = collect();
    const load = startHttpLoad(
      { requests: [{ url }], ratePerSecond: 50, maxInFlight: 50, requestTimeoutMs: 5000, count: 20 },
      c.handlers,
    );
    await load.finished;
    expect(c.results).toHaveLength(20);
    const first = c.results.find((r) => r.seq === 1) as HttpLoadResult;
    expect(first.latencyMs).toBeGreaterThanOrEqual(600);
    // Requests due during the stall went out on time: none waited for the first.
    const during = c.results.filter((r) => r.seq > 1 && r.seq <= 20);
    expect(during.every((r) => r.latencyMs < 600)).toBe(true);
  });

  it("counts a late send in the latency: a request held back by a blocked event loop is measured from when it was due", async () => {
    const { url } = await serve(() => ({ status: 200 }));
    const c = collect();
    const load = startHttpLoad(
      { requests: [{ url }], ratePerSecond: 100, maxInFlight: 100, requestTimeoutMs: 5000, count: 30 },
      c.handlers,
    );
    // The generator's own process stalls for 300 ms (a GC pause, a busy loop): requests due
    // meanwhile go out late, and their latency must include the wait.
    const until = performance.now() + 300;
    while (performance.now() < until) {}
    await load.finished;
    const late = c.results.filter((r) => r.seq >= 2 && r.seq <= 25);
    expect(late.every((r) => r.lateMs > 0 && r.latencyMs >= r.lateMs + r.serviceMs - 0.001)).toBe(true);
    expect((c.results.find((r) => r.seq === 2) as HttpLoadResult).latencyMs).toBeGreaterThanOrEqual(250);
  });

  it("drops what cannot start once max-in-flight are in flight, and times requests out", async () => {
    const { url } = await serve(() => ({ status: 200, holdMs: 10_000 }));
    const c = collect();
    const load = startHttpLoad(
      { requests: [{ url }], ratePerSecond: 50, maxInFlight: 3, requestTimeoutMs: 300, count: 10 },
      c.handlers,
    );
    const summary = await load.finished;
    expect(summary.sent + summary.dropped).toBe(10);
    expect(summary.dropped).toBeGreaterThan(0);
    expect(c.drops.map((d) => d.totalDropped)).toEqual(c.drops.map((_, i) => i + 1));
    expect(c.results.every((r) => r.outcome === "timeout" && !r.ok)).toBe(true);
    expect(c.results.every((r) => r.serviceMs >= 290)).toBe(true);
  });

  it("times out a response whose body stalls, keeping its status, each timed out from its own send", async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { "content-length": "10" });
      res.write("part");
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    servers.push(server);
    const c = collect();
    const summary = await startHttpLoad(
      {
        requests: [{ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }],
        ratePerSecond: 20,
        maxInFlight: 10,
        requestTimeoutMs: 200,
        count: 3,
      },
      c.handlers,
    ).finished;
    expect(summary.failed).toBe(3);
    expect(c.results.map((r) => [r.outcome, r.status])).toEqual([
      ["timeout", 200],
      ["timeout", 200],
      ["timeout", 200],
    ]);
    // Each from its own send, not from the timer's first arming.
    expect(c.results.every((r) => r.serviceMs >= 195 && r.serviceMs < 400)).toBe(true);
  });

  it("counts 2xx and 3xx as ok by default, other statuses as failed, and a refused connection as network", async () => {
    const statuses = [200, 302, 404, 503];
    const { url } = await serve((n) => ({ status: statuses[(n - 1) % 4] as number }));
    const c = collect();
    await startHttpLoad(
      { requests: [{ url }], ratePerSecond: 200, maxInFlight: 4, requestTimeoutMs: 2000, count: 4 },
      c.handlers,
    ).finished;
    const by = Object.fromEntries(c.results.map((r) => [r.status, r.outcome]));
    expect(by).toEqual({ 200: "ok", 302: "ok", 404: "status", 503: "status" });

    const refused = collect();
    const closed = await serve(() => ({ status: 200 }));
    const server = servers.pop() as Server;
    await new Promise((r) => server.close(r));
    await startHttpLoad(
      { requests: [{ url: closed.url }], ratePerSecond: 100, maxInFlight: 5, requestTimeoutMs: 1000, count: 2 },
      refused.handlers,
    ).finished;
    expect(refused.results.map((r) => r.outcome)).toEqual(["network", "network"]);
  });

  it("stop() ends the schedule and waits for the requests in flight", async () => {
    const { url } = await serve(() => ({ status: 200, holdMs: 200 }));
    const c = collect();
    const load = startHttpLoad(
      { requests: [{ url }], ratePerSecond: 100, maxInFlight: 100, requestTimeoutMs: 2000 },
      c.handlers,
    );
    while (c.results.length === 0) await new Promise((r) => setTimeout(r, 20));
    const summary = await load.stop();
    expect(load.inFlight()).toBe(0);
    expect(c.results).toHaveLength(summary.sent);
    expect(summary.scheduled).toBeGreaterThan(1);
  });
});
