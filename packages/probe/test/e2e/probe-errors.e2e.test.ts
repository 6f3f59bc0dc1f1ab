// Failure paths of the real probe process: every error kind is a logged round trip (never a
// crash), bad configuration stops it with exit 2, signals stop it with exit 0, /test is capped.
import { once } from "node:events";
import net from "node:net";
import { type LocalDynamo, startLocalDynamo } from "@fislat/dynamo-local";
import { LatencyProxy } from "@fislat/latency-proxy";
import { afterEach, describe, expect, it } from "vitest";
import type { RoundTripRecord } from "../../src/record.js";
import { type CannedFailure, startFakeDynamo } from "../support/fake-dynamo.js";
import { isRoundTrip } from "../support/lines.js";
import { killStrayProbes, type ProbeProcess, spawnProbe, startProbeProcess } from "../support/probe-process.js";
import { startUnacceptingListener } from "../support/unaccepting-listener.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  killStrayProbes();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function started(endpoint: string, env: Record<string, string> = {}): Promise<ProbeProcess> {
  const probe = await startProbeProcess(endpoint, { TEST_INTERVAL_SECONDS: "0.2", ...env });
  cleanups.push(() => probe.stop("SIGKILL"));
  return probe;
}

async function dynamo(): Promise<LocalDynamo> {
  const db = await startLocalDynamo();
  cleanups.push(() => db.close());
  return db;
}

/** The second round trip proves the probe survived the first failure. */
async function twoRoundTrips(probe: ProbeProcess): Promise<RoundTripRecord[]> {
  await probe.log.waitFor(() => probe.log.roundTrips().length >= 2);
  return probe.log.roundTrips();
}

describe("errors from DynamoDB are logged round trips with a kind, and the probe carries on", () => {
  it("reports a missing table as table_not_found", async () => {
    const db = await dynamo();
    const [first, second] = await twoRoundTrips(await started(db.endpoint, { TABLE_NAME: "NoSuchTable" }));
    expect(first).toMatchObject({ ok: false, errorKind: "table_not_found", httpStatus: 400 });
    expect(first?.error).toMatch(/ResourceNotFoundException/);
    expect(second).toMatchObject({ ok: false, errorKind: "table_not_found" });
  });

  it("reports a refused connection as network", async () => {
    const closed = net.createServer().listen(0, "127.0.0.1");
    await once(closed, "listening");
    const port = (closed.address() as net.AddressInfo).port;
    closed.close();
    const [first] = await twoRoundTrips(await started(`http://127.0.0.1:${port}`));
    expect(first).toMatchObject({ ok: false, errorKind: "network", conn: "new" });
    expect(first?.error).toMatch(/ECONNREFUSED/);
  });

  it.each<[CannedFailure, string, RegExp]>([
    ["throttled", "throttled", /ProvisionedThroughputExceededException/],
    ["access_denied", "access_denied", /AccessDeniedException/],
    ["reset", "network", /ECONNRESET|socket hang up/],
    ["malformed", "other", /./],
    ["server_error", "other", /InternalServerError/],
  ])("reports a %s answer as %s", async (failure, kind, message) => {
    const fake = await startFakeDynamo(failure);
    cleanups.push(() => fake.close());
    const [first] = await twoRoundTrips(await started(fake.endpoint));
    expect(first).toMatchObject({ ok: false, errorKind: kind, attempts: 1 });
    expect(first?.error).toMatch(message);
  });

  it("reports a connection that cannot be established in CONNECTION_TIMEOUT_MS as connect_timeout", async () => {
    const listener = await startUnacceptingListener();
    cleanups.push(() => listener.close());
    const [first] = await twoRoundTrips(
      await started(listener.endpoint, { CONNECTION_TIMEOUT_MS: "300", READ_TIMEOUT_MS: "5000" }),
    );
    expect(first).toMatchObject({ ok: false, errorKind: "connect_timeout", conn: "new" });
    // The connection timeout fired, not the read timeout: how late its timer ran is the machine's load.
    expect(first?.rttMs).toBeGreaterThanOrEqual(300);
    expect(first?.rttMs).toBeLessThan(5000);
  });
});

describe("configuration", () => {
  it.each([
    ["CONNECTION_TIMEOUT_MS", "abc"],
    ["CONNECTION_TIMEOUT_MS", "-5"],
    ["PROBE_OPERATION", "Delete"],
    ["TEST_INTERVAL_SECONDS", "soon"],
  ])("stops at once with exit 2 and one line naming %s=%s", async (name, value) => {
    const { child, stderr, log } = spawnProbe({ [name]: value });
    const [code] = await once(child, "exit");
    expect(code).toBe(2);
    const lines = stderr().trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`${name}="${value}"`);
    expect(lines[0]).toMatch(/expected/);
    expect(log.lines).toHaveLength(0);
  });
});

describe("stopping", () => {
  it.each(["SIGTERM", "SIGINT"] as const)(
    "exits 0 within 2 s on %s, even with a round trip in flight",
    async (signal) => {
      const db = await dynamo();
      const proxy = await LatencyProxy.start({ target: { host: "127.0.0.1", port: db.port } });
      cleanups.push(() => proxy.close());
      const probe = await started(`http://127.0.0.1:${proxy.port}`, { READ_TIMEOUT_MS: "10000" });
      await probe.log.waitFor(isRoundTrip());
      proxy.startFault({ delayMs: 5000, jitterMs: 0, maxDurationMs: 30_000 });
      await probe.log.waitFor((l) => l.json?.msg === "Tick missed"); // a round trip is stuck in flight
      const before = performance.now();
      const { code } = await probe.stop(signal);
      expect(code).toBe(0);
      expect(performance.now() - before).toBeLessThan(2000);
      expect(probe.log.lines.at(-1)?.json).toMatchObject({ msg: "Probe stopped", signal });
    },
  );
});

describe("a signal the moment it has started", () => {
  it("still stops cleanly with exit 0 and its last line (the signal handlers exist before that line)", async () => {
    const db = await dynamo();
    // A parent that reacts to "Probe started" at once used to kill it before its handlers existed.
    for (let i = 0; i < 5; i++) {
      const { child, log } = spawnProbe({ AWS_ENDPOINT_URL_DYNAMODB: db.endpoint, TEST_INTERVAL_SECONDS: "60" });
      const exited = once(child, "exit");
      await log.waitFor((l) => l.json?.msg === "Probe started");
      child.kill("SIGTERM");
      const [code, signal] = await exited;
      expect({ code, signal }).toEqual({ code: 0, signal: null });
      await log.waitFor((l) => l.json?.msg === "Probe stopped");
    }
  });
});

describe("/test under load", () => {
  it("answers 429 beyond TEST_MAX_CONCURRENT and never starves the loop", async () => {
    const db = await dynamo();
    const proxy = await LatencyProxy.start({ target: { host: "127.0.0.1", port: db.port } });
    cleanups.push(() => proxy.close());
    const probe = await started(`http://127.0.0.1:${proxy.port}`, {
      TEST_MAX_CONCURRENT: "1",
      READ_TIMEOUT_MS: "3000",
      TEST_INTERVAL_SECONDS: "0.3",
    });
    await probe.log.waitFor(isRoundTrip());
    proxy.startFault({ delayMs: 1200, jitterMs: 0, maxDurationMs: 30_000 });
    const faultOn = Date.now();
    const responses = await Promise.all([1, 2, 3].map(() => fetch(probe.url("/test"))));
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 429, 429]);
    expect(responses.find((r) => r.status === 429)?.headers.get("retry-after")).toBe("1");
    // The loop kept measuring while /test was busy: a loop round trip started during it, and it
    // succeeded through the same delay rather than waiting behind /test.
    const testEnd = Date.now();
    const loopDuring = await probe.log.waitFor(
      isRoundTrip((r) => r.src === "loop" && Date.parse(r.ts) >= faultOn && Date.parse(r.ts) < testEnd),
    );
    expect(loopDuring.parsed).toMatchObject({ record: { ok: true } });
    expect((loopDuring.parsed as { record: RoundTripRecord }).record.rttMs).toBeGreaterThanOrEqual(1100);
  });
});
