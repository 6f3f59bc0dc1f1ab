// The real probe as a child process against dynalite, with latency injected by the real proxy.
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { type LocalDynamo, startLocalDynamo } from "@fislat/dynamo-local";
import { LatencyProxy } from "@fislat/latency-proxy";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RoundTripRecord } from "../../src/record.js";
import { isRoundTrip, type SeenLine } from "../support/lines.js";
import { killStrayProbes, type ProbeProcess, startProbeProcess } from "../support/probe-process.js";

const FAULT = { delayMs: 800, jitterMs: 50, maxDurationMs: 60_000 };

let db: LocalDynamo;
let proxy: LatencyProxy;
let probe: ProbeProcess | undefined;

beforeEach(async () => {
  db = await startLocalDynamo();
  proxy = await LatencyProxy.start({ target: { host: "127.0.0.1", port: db.port } });
});

afterEach(async () => {
  await probe?.stop("SIGKILL");
  probe = undefined;
  killStrayProbes();
  await proxy.close();
  await db.close();
});

const viaProxy = () => `http://127.0.0.1:${proxy.port}`;
const getJson = async (url: string) => {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

/** Waits for the next loop round trip that started after the fault did. */
const nextLoopTripAfter = (p: ProbeProcess, since: Date, pred: (r: RoundTripRecord) => boolean = () => true) =>
  p.log.waitFor(isRoundTrip((r) => r.src === "loop" && Date.parse(r.ts) >= since.getTime() && pred(r)));

describe("the probe, healthy", () => {
  it("logs one JSON round trip per interval with every documented field, reusing its connection", async () => {
    probe = await startProbeProcess(viaProxy(), { TEST_INTERVAL_SECONDS: "0.1" });
    // A tick that comes due while a round trip is still in flight is logged as "Tick missed" with
    // its seq instead (record.ts): on a loaded machine the first round trip, which opens the
    // connection, can take longer than the 100 ms interval. Every tick is one line or the other.
    const loopSeq = (l: SeenLine) =>
      (l.parsed.type === "round-trip" && l.parsed.record.src === "loop") || l.parsed.type === "tick-missed"
        ? l.parsed.record.seq
        : undefined;
    await probe.log.waitFor((l) => (loopSeq(l) ?? 0) >= 6);
    const [first, second] = probe.log.roundTrips();
    expect(first).toMatchObject({
      msg: "Round trip",
      ok: true,
      op: "GetItem",
      table: "MyTestTable",
      seq: 1,
      src: "loop",
      conn: "new",
      healthy: true,
      attempts: 1,
    });
    expect(first?.task).toBeTruthy();
    expect(Number.isNaN(Date.parse(first?.ts ?? ""))).toBe(false);
    expect(first?.rttMs).toBeGreaterThan(0);
    expect(second).toMatchObject({ ok: true, conn: "reused" });
    expect(second?.seq).toBeGreaterThan(1);
    // No tick goes unaccounted for: the loop's seqs are 1, 2, 3... without a gap.
    const seqs = probe.log.lines.map(loopSeq).filter((n) => n !== undefined);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    // Starts follow the 100 ms grid and are never early (how late one timer fires is the
    // machine's load; the scheduler's drift is tested on a fake clock in schedule.test.ts).
    const trips = probe.log.roundTrips().filter((r) => r.src === "loop");
    for (const r of trips.slice(1)) {
      expect(Date.parse(r.ts) - Date.parse(first?.ts ?? "")).toBeGreaterThanOrEqual((r.seq - 1) * 100 - 10);
    }
  });

  it("answers /health 200 and /test with one on-demand round trip, logged as such", async () => {
    probe = await startProbeProcess(viaProxy(), { TEST_INTERVAL_SECONDS: "60" });
    await probe.log.waitFor(isRoundTrip((r) => r.src === "loop"));
    const health = await getJson(probe.url("/health"));
    expect(health).toMatchObject({ status: 200, body: { status: "healthy", consecutiveFailures: 0, failingForMs: 0 } });
    const test = await getJson(probe.url("/test"));
    expect(test).toMatchObject({
      status: 200,
      body: { ok: true, msg: "Round trip", src: "test", seq: 1, op: "GetItem" },
    });
    await probe.log.waitFor(isRoundTrip((r) => r.src === "test"));
  });

  it.each(["Query", "Scan", "DescribeTable"])("runs %s round trips against the table", async (op) => {
    probe = await startProbeProcess(viaProxy(), { TEST_INTERVAL_SECONDS: "0.2", PROBE_OPERATION: op });
    const line = await probe.log.waitFor(isRoundTrip());
    expect(line.parsed).toMatchObject({ type: "round-trip", record: { ok: true, op } });
  });

  it("answers 404 for unknown paths and 405 for other methods", async () => {
    probe = await startProbeProcess(viaProxy(), { TEST_INTERVAL_SECONDS: "60" });
    expect((await fetch(probe.url("/nope"))).status).toBe(404);
    const post = await fetch(probe.url("/health"), { method: "POST" });
    expect(post.status).toBe(405);
    expect(post.headers.get("allow")).toBe("GET, HEAD");
    expect((await fetch(probe.url("/test"), { method: "DELETE" })).status).toBe(405);
  });
});

describe("the probe on ECS", () => {
  it("names its task by the ARN from the task metadata endpoint v4", async () => {
    const taskArn = "arn:aws:ecs:local:000000000000:task/probe-cluster/0123456789abcdef";
    const metadata = http.createServer((req, res) => {
      res.writeHead(req.url === "/v4/container/task" ? 200 : 404, { "content-type": "application/json" });
      res.end(JSON.stringify({ TaskARN: taskArn, Family: "dynamodb-latency-test" }));
    });
    metadata.listen(0, "127.0.0.1");
    await once(metadata, "listening");
    const { port } = metadata.address() as AddressInfo;
    try {
      probe = await startProbeProcess(viaProxy(), {
        TEST_INTERVAL_SECONDS: "60",
        ECS_CONTAINER_METADATA_URI_V4: `http://127.0.0.1:${port}/v4/container`,
      });
      const line = await probe.log.waitFor(isRoundTrip());
      expect(line.parsed).toMatchObject({ record: { task: taskArn } });
    } finally {
      metadata.close();
    }
  });
});

describe("the probe under 800 ms +/- 50 ms of injected latency", () => {
  it("with 500/500 ms timeouts reports timeouts at the read timeout, and /test answers 500", async () => {
    probe = await startProbeProcess(viaProxy(), {
      TEST_INTERVAL_SECONDS: "0.2",
      CONNECTION_TIMEOUT_MS: "500",
      READ_TIMEOUT_MS: "500",
    });
    await probe.log.waitFor(isRoundTrip((r) => r.ok));
    const fault = proxy.startFault(FAULT);
    const failed = await nextLoopTripAfter(probe, fault.wallTime);
    expect(failed.parsed).toMatchObject({ record: { ok: false, errorKind: "timeout" } });
    const { rttMs: rtt, error } = (failed.parsed as { record: RoundTripRecord }).record;
    // The read timeout ended it, not the round trip's hard deadline (connect + read, 1000 ms).
    expect(error).toMatch(/timed out after 500 ms/);
    expect(rtt).toBeGreaterThanOrEqual(500);
    expect(rtt).toBeLessThan(1000);
    const test = await getJson(probe.url("/test"));
    expect(test.status).toBe(500);
    expect(test.body).toMatchObject({ ok: false, errorKind: "timeout", src: "test" });
    expect(String(test.body.error)).toMatch(/timed out after 500 ms/);
  });

  it("with 2000/2000 ms timeouts succeeds, each round trip about the injected delay", async () => {
    probe = await startProbeProcess(viaProxy(), {
      TEST_INTERVAL_SECONDS: "0.2",
      CONNECTION_TIMEOUT_MS: "2000",
      READ_TIMEOUT_MS: "2000",
    });
    await probe.log.waitFor(isRoundTrip((r) => r.ok));
    const fault = proxy.startFault(FAULT);
    const first = await nextLoopTripAfter(probe, fault.wallTime);
    const firstSeq = (first.parsed as { record: RoundTripRecord }).record.seq;
    const loopTripsSinceFault = () =>
      probe?.log.roundTrips().filter((r) => r.src === "loop" && r.seq >= firstSeq) ?? [];
    await probe.log.waitFor(() => loopTripsSinceFault().length >= 3);
    const during = loopTripsSinceFault();
    expect(during.length).toBeGreaterThanOrEqual(3);
    for (const r of during) {
      expect(r).toMatchObject({ ok: true });
      // At least the smallest draw; well under the 2000 ms timeouts, with room for a loaded
      // machine's late timers (the proxy and dynalite run in this test's process).
      expect(r.rttMs).toBeGreaterThanOrEqual(750);
      expect(r.rttMs).toBeLessThan(1500);
    }
  });

  it("turns /health 503 after HEALTH_FAILURE_SECONDS of failures and 200 again after recovery", async () => {
    probe = await startProbeProcess(viaProxy(), {
      TEST_INTERVAL_SECONDS: "0.2",
      CONNECTION_TIMEOUT_MS: "500",
      READ_TIMEOUT_MS: "500",
      HEALTH_FAILURE_SECONDS: "1.5",
    });
    await probe.log.waitFor(isRoundTrip((r) => r.ok));
    expect((await fetch(probe.url("/health"))).status).toBe(200);
    proxy.startFault(FAULT);
    const down = await probe.log.waitFor((l) => l.json?.msg === "Health changed" && l.json.healthy === false);
    expect(Number(down.json?.failingForMs)).toBeGreaterThanOrEqual(1500);
    expect(Number(down.json?.consecutiveFailures)).toBeGreaterThanOrEqual(1);
    const unhealthy = await getJson(probe.url("/health"));
    expect(unhealthy.status).toBe(503);
    expect(unhealthy.body).toMatchObject({ status: "unhealthy", lastError: expect.stringMatching(/timed out/) });
    expect(Number(unhealthy.body.failingForMs)).toBeGreaterThanOrEqual(1500);

    proxy.stopFault();
    const up = await probe.log.waitFor((l) => l.json?.msg === "Health changed" && l.json.healthy === true);
    const upIndex = probe.log.lines.indexOf(up);
    const success = probe.log.lines.slice(0, upIndex).reverse().find(isRoundTrip());
    expect(success?.parsed).toMatchObject({ record: { ok: true } });
    expect((await getJson(probe.url("/health"))).status).toBe(200);
  });
});
