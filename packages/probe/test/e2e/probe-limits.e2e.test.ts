// What bounds a round trip and the probe's HTTP side, on the real probe process: a hard deadline
// against a server that trickles, a size limit against a huge body, /live beside a deep /health,
// the health state on every round-trip line, consecutive seq, and where and how it listens.
import { once } from "node:events";
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { type LocalDynamo, startLocalDynamo } from "@fislat/dynamo-local";
import { LatencyProxy } from "@fislat/latency-proxy";
import { afterEach, describe, expect, it, onTestFinished } from "vitest";
import { ROUND_TRIP_MAX_RESPONSE_BYTES } from "../../src/contract.js";
import type { RoundTripRecord } from "../../src/record.js";
import { isRoundTrip } from "../support/lines.js";
import { startMisbehavingDynamo } from "../support/misbehaving-dynamo.js";
import { killStrayProbes, type ProbeProcess, spawnProbe, startProbeProcess } from "../support/probe-process.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  killStrayProbes();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function started(endpoint: string, env: Record<string, string> = {}): Promise<ProbeProcess> {
  const probe = await startProbeProcess(endpoint, env);
  cleanups.push(() => probe.stop("SIGKILL"));
  return probe;
}

async function dynamo(): Promise<LocalDynamo> {
  const db = await startLocalDynamo();
  cleanups.push(() => db.close());
  return db;
}

/** Peak resident set of a process so far, from Linux's /proc. */
function peakRssMb(pid: number): number {
  const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(match?.[1]) / 1024;
}

describe("a round trip's hard deadline", () => {
  it("ends a round trip whose server answers 200 and then trickles a byte every 300 ms", async () => {
    const server = await startMisbehavingDynamo({ kind: "trickle", everyMs: 300 });
    cleanups.push(() => server.close());
    // READ_TIMEOUT_MS is an inactivity timer: a byte every 300 ms keeps it from ever firing.
    const probe = await started(server.endpoint, {
      CONNECTION_TIMEOUT_MS: "500",
      READ_TIMEOUT_MS: "500",
      TEST_INTERVAL_SECONDS: "0.5",
      HEALTH_FAILURE_SECONDS: "1",
    });
    const first = await probe.log.waitFor(isRoundTrip(), 10_000);
    const record = (first.parsed as { record: RoundTripRecord }).record;
    expect(record).toMatchObject({ ok: false, errorKind: "timeout", seq: 1 });
    expect(record.error).toMatch(/hard deadline of 1000 ms/);
    // Node's timers keep whole milliseconds of loop time, so they may fire a fraction early.
    expect(record.rttMs).toBeGreaterThanOrEqual(999);
    expect(record.rttMs).toBeLessThan(2500);
    // The trickle held no round trip forever: /health turns unhealthy as it should.
    await probe.log.waitFor((l) => l.json?.msg === "Health changed" && l.json.healthy === false, 10_000);
    expect((await fetch(probe.url("/health"))).status).toBe(503);
  });

  it("counts every attempt: MAX_ATTEMPTS=2 gives 2 x (connect + read), and no attempt outlives it", async () => {
    const server = await startMisbehavingDynamo({ kind: "trickle", everyMs: 100 });
    cleanups.push(() => server.close());
    const probe = await started(server.endpoint, {
      CONNECTION_TIMEOUT_MS: "300",
      READ_TIMEOUT_MS: "300",
      MAX_ATTEMPTS: "2",
      // Long enough that the third round trip is far off when the second one's line arrives.
      TEST_INTERVAL_SECONDS: "3",
    });
    await probe.log.waitFor(
      isRoundTrip((r) => r.seq === 2),
      10_000,
    );
    const [first, second] = probe.log.roundTrips();
    for (const record of [first, second]) {
      expect(record).toMatchObject({ ok: false, errorKind: "timeout" });
      expect(record?.error).toMatch(/hard deadline of 1200 ms/);
      expect(record?.rttMs).toBeGreaterThanOrEqual(1199);
    }
    // One request per round trip: the deadline ended the attempt, and no retry went on behind it.
    expect(server.requests()).toBe(2);
  });
});

describe("a round trip's response size limit", () => {
  it.each([
    ["streamed without a length", false],
    ["with its length declared", true],
  ])("stops reading a 50 MB body %s, and memory stays flat", async (_how, declareLength) => {
    const bytes = 50 * 1024 * 1024;
    const server = await startMisbehavingDynamo({ kind: "huge", bytes, declareLength });
    cleanups.push(() => server.close());
    const probe = await started(server.endpoint, { TEST_INTERVAL_SECONDS: "0.5" });
    await probe.log.waitFor(
      isRoundTrip((r) => r.seq >= 2),
      20_000,
    );
    const [first, second] = probe.log.roundTrips();
    for (const record of [first, second]) {
      expect(record).toMatchObject({ ok: false, errorKind: "other" });
      expect(record?.error).toMatch(`larger than ${ROUND_TRIP_MAX_RESPONSE_BYTES} bytes`);
    }
    // Cut off near the limit, not read to the end (the socket's buffers hold a few MB at most).
    expect(server.bytesSent()).toBeLessThan(2 * (ROUND_TRIP_MAX_RESPONSE_BYTES + 8 * 1024 * 1024));
    // Before the limit, one such body took the probe to 367 MB.
    expect(peakRssMb(probe.child.pid as number)).toBeLessThan(200);
  });

  it("still reads DynamoDB's ordinary answers", async () => {
    const db = await dynamo();
    const probe = await started(db.endpoint, { TEST_INTERVAL_SECONDS: "0.2" });
    await probe.log.waitFor(isRoundTrip((r) => r.seq === 2));
    expect(probe.log.roundTrips().slice(0, 2)).toMatchObject([{ ok: true }, { ok: true }]);
  });
});

describe("/live and /health", () => {
  it("/live answers 200 while /health is 503 because DynamoDB cannot be reached", async () => {
    const closed = net.createServer().listen(0, "127.0.0.1");
    await once(closed, "listening");
    const port = (closed.address() as net.AddressInfo).port;
    closed.close();
    const probe = await started(`http://127.0.0.1:${port}`, {
      TEST_INTERVAL_SECONDS: "0.1",
      HEALTH_FAILURE_SECONDS: "0.3",
    });
    await probe.log.waitFor((l) => l.json?.msg === "Health changed" && l.json.healthy === false);
    const health = await fetch(probe.url("/health"));
    expect(health.status).toBe(503);
    const live = await fetch(probe.url("/live"));
    expect(live.status).toBe(200);
    expect(await live.json()).toMatchObject({ status: "live" });
    expect(live.headers.get("cache-control")).toBe("no-store");
    const head = await fetch(probe.url("/live"), { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
    const post = await fetch(probe.url("/live"), { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
    const unknown = await fetch(probe.url("/nope"));
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toMatch(/try \/health, \/live, \/test/);
  });

  it("/live answers 200 while a round trip hangs in flight", async () => {
    const server = await startMisbehavingDynamo({ kind: "trickle", everyMs: 200 });
    cleanups.push(() => server.close());
    const probe = await started(server.endpoint, { READ_TIMEOUT_MS: "60000", TEST_INTERVAL_SECONDS: "60" });
    expect((await fetch(probe.url("/live"))).status).toBe(200);
    expect(probe.log.roundTrips()).toHaveLength(0); // the round trip is still in flight
  });
});

describe("the health state and seq on every loop line", () => {
  it("carries /health's state on every round-trip line, and seq counts every tick once", async () => {
    const db = await dynamo();
    const proxy = await LatencyProxy.start({ target: { host: "127.0.0.1", port: db.port } });
    cleanups.push(() => proxy.close());
    const probe = await started(`http://127.0.0.1:${proxy.port}`, {
      TEST_INTERVAL_SECONDS: "0.2",
      READ_TIMEOUT_MS: "300",
      CONNECTION_TIMEOUT_MS: "300",
      HEALTH_FAILURE_SECONDS: "0.5",
    });
    await probe.log.waitFor(isRoundTrip((r) => r.ok));
    // 700 ms on a 200 ms interval: failures (unhealthy) and ticks missed while one is in flight.
    proxy.startFault({ delayMs: 700, jitterMs: 0, maxDurationMs: 30_000 });
    const unhealthy = await probe.log.waitFor((l) => l.json?.msg === "Health changed" && l.json.healthy === false);
    await probe.log.waitFor((l) => l.json?.msg === "Tick missed");
    await probe.log.waitFor(isRoundTrip(), 20_000, probe.log.lines.indexOf(unhealthy) + 1);
    proxy.stopFault();
    const healthyAgain = await probe.log.waitFor((l) => l.json?.msg === "Health changed" && l.json.healthy === true);
    await probe.log.waitFor(
      isRoundTrip((r) => r.ok),
      20_000,
      probe.log.lines.indexOf(healthyAgain) + 1,
    );
    await probe.stop("SIGTERM");

    // In stdout order, each line's `healthy` is the state the last "Health changed" line set,
    // except that a success is healthy at once (its "Health changed" line follows it).
    let state = true;
    let sawUnhealthyTrip = false;
    for (const line of probe.log.lines) {
      if (line.json?.msg === "Health changed") state = line.json.healthy as boolean;
      if (line.json?.msg === "Tick missed") expect(line.json.healthy, line.raw).toBe(state);
      if (line.parsed.type === "round-trip") {
        expect(line.parsed.record.healthy, line.raw).toBe(line.parsed.record.ok || state);
        if (!line.parsed.record.healthy) sawUnhealthyTrip = true;
      }
    }
    expect(sawUnhealthyTrip).toBe(true);
    const recovery = probe.log.lines.indexOf(healthyAgain);
    expect(probe.log.lines[recovery - 1]?.parsed).toMatchObject({ record: { ok: true, healthy: true } });
    // Loop round trips and missed ticks together number 1, 2, 3... with no gap and no repeat.
    const seqs = probe.log.lines
      .filter(
        (l) => (l.parsed.type === "round-trip" && l.parsed.record.src === "loop") || l.json?.msg === "Tick missed",
      )
      .map((l) => l.json?.seq as number)
      .sort((a, b) => a - b);
    expect(seqs.length).toBeGreaterThan(5);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  });
});

describe("where and how the probe listens", () => {
  /** Local addresses (hex, as /proc/net shows them) listening on `port`. */
  function listeners(port: number): string[] {
    const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
    return ["/proc/net/tcp", "/proc/net/tcp6"].flatMap((file) =>
      readFileSync(file, "utf8")
        .split("\n")
        .slice(1)
        .map((row) => row.trim().split(/\s+/))
        .filter((cols) => cols[1]?.endsWith(`:${hexPort}`) && cols[3] === "0A")
        .map((cols) => (cols[1] as string).split(":")[0] as string),
    );
  }

  it("binds to PROBE_HOST when set, and to all interfaces when not", async () => {
    const db = await dynamo();
    const loopback = await started(db.endpoint, { PROBE_HOST: "127.0.0.1", TEST_INTERVAL_SECONDS: "60" });
    expect(listeners(loopback.port)).toEqual(["0100007F"]);
    expect((await fetch(loopback.url("/live"))).status).toBe(200);
    const everywhere = await started(db.endpoint, { TEST_INTERVAL_SECONDS: "60" });
    const all = listeners(everywhere.port);
    expect(all.length).toBe(1);
    expect(/^0+$/.test(all[0] as string)).toBe(true); // 0.0.0.0 or ::
  });

  it("names PORT and exits 2 when it may not listen on a port below 1024", async () => {
    // As root any port is allowed, so the probe runs as nobody, as the image runs it as node.
    const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534, node: nodeEveryoneCanRun() } : {};
    const { child, stderr } = spawnProbe({ PORT: "80", TEST_INTERVAL_SECONDS: "60" }, undefined, asUser);
    const [code] = await once(child, "exit");
    expect(stderr()).toMatch(/^fislat-probe: PORT=80: permission denied to listen .*set PORT to a port from 1024/m);
    expect(stderr()).not.toMatch(/\n\s+at /); // no stack trace
    expect(code).toBe(2);
  });

  it("names PORT and exits 2 when the port is in use", async () => {
    const taken = net.createServer().listen(0);
    await once(taken, "listening");
    cleanups.push(() => new Promise((resolve) => taken.close(resolve)));
    const port = (taken.address() as net.AddressInfo).port;
    const { child, stderr } = spawnProbe({ PORT: String(port), TEST_INTERVAL_SECONDS: "60" });
    const [code] = await once(child, "exit");
    expect(stderr()).toMatch(`fislat-probe: PORT=${port}: the port is in use`);
    expect(code).toBe(2);
  });
});

/**
 * This Node.js binary, or a copy of it that another user can run: one that npx brought (the
 * README's commands do) lives under root's home, which nobody may enter.
 */
function nodeEveryoneCanRun(): string {
  const reachable = (file: string): boolean => {
    for (let at = file; ; at = path.dirname(at)) {
      if ((statSync(at).mode & 0o001) === 0) return false;
      if (path.dirname(at) === at) return true;
    }
  };
  if (reachable(process.execPath)) return process.execPath;
  // The test run's own temporary folder may be closed to others too (only root runs this).
  const dir = mkdtempSync(path.join(reachable(os.tmpdir()) ? os.tmpdir() : "/tmp", "fislat-node-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  chmodSync(dir, 0o755);
  const copy = path.join(dir, "node");
  copyFileSync(process.execPath, copy);
  chmodSync(copy, 0o755);
  return copy;
}
