// The probe's HTTP mode (TARGET_URL) on the real probe process against a real HTTP service on
// loopback: what it sends, how it judges the answers, its timeouts, /health and /test, and what it
// does with a hostile service or environment.
import { once } from "node:events";
import net from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { RoundTripRecord } from "../../src/record.js";
import { type HttpService, startHttpService } from "../support/http-service.js";
import { isRoundTrip } from "../support/lines.js";
import { killStrayProbes, type ProbeProcess, spawnProbe, startProbeWithEnv } from "../support/probe-process.js";
import { startUnacceptingListener } from "../support/unaccepting-listener.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  killStrayProbes();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function service(...args: Parameters<typeof startHttpService>): Promise<HttpService> {
  const s = await startHttpService(...args);
  cleanups.push(() => s.close());
  return s;
}

async function probeOf(url: string, env: Record<string, string> = {}): Promise<ProbeProcess> {
  const probe = await startProbeWithEnv({ TARGET_URL: url, TEST_INTERVAL_SECONDS: "0.2", ...env });
  cleanups.push(() => probe.stop("SIGKILL"));
  return probe;
}

async function roundTrips(probe: ProbeProcess, count: number): Promise<RoundTripRecord[]> {
  await probe.log.waitFor(() => probe.log.roundTrips().length >= count, 20_000);
  return probe.log.roundTrips();
}

async function closedPort(): Promise<number> {
  const closed = net.createServer().listen(0, "127.0.0.1");
  await once(closed, "listening");
  const port = (closed.address() as net.AddressInfo).port;
  closed.close();
  await once(closed, "close");
  return port;
}

describe("the HTTP mode requests the URL instead of calling DynamoDB", () => {
  it("sends the method, headers and body, and logs Round trip lines with the status", async () => {
    const svc = await service({ kind: "status", status: 201, body: "made" });
    const probe = await probeOf(svc.url("/orders/42?token=secret"), {
      TARGET_METHOD: "POST",
      TARGET_HEADERS: JSON.stringify({ "Content-Type": "application/json", "x-run": "fislat" }),
      TARGET_BODY: '{"qty":1}',
    });
    const started = await probe.log.waitFor((l) => l.json?.msg === "Probe started");
    expect(started.json).toMatchObject({ mode: "http", method: "POST", url: svc.url("/orders/42") });
    expect(started.json).not.toHaveProperty("table");

    const [first, second] = await roundTrips(probe, 2);
    expect(first).toMatchObject({
      msg: "Round trip",
      ok: true,
      op: "POST",
      table: "",
      url: svc.url("/orders/42"),
      httpStatus: 201,
      seq: 1,
      src: "loop",
      conn: "new",
      attempts: 1,
    });
    expect(second).toMatchObject({ ok: true, seq: 2, conn: "reused", httpStatus: 201 });
    // The query may hold secrets: it is requested, never logged.
    expect(probe.log.lines.some((l) => l.raw.includes("secret"))).toBe(false);

    const seen = svc.requests[0];
    expect(seen).toMatchObject({ method: "POST", url: "/orders/42?token=secret", body: '{"qty":1}' });
    expect(seen?.headers).toMatchObject({
      "content-type": "application/json",
      "x-run": "fislat",
      "content-length": "9",
      "user-agent": "fislat-probe",
    });
    expect(svc.requests[1]?.connection).toBe(seen?.connection);
  });

  it("counts 2xx and 3xx as ok by default and what TARGET_OK_STATUS says otherwise", async () => {
    const svc = await service({ kind: "status", status: 302 });
    const probe = await probeOf(svc.url("/"));
    const [redirect] = await roundTrips(probe, 1);
    expect(redirect).toMatchObject({ ok: true, httpStatus: 302 });

    const strict = await probeOf(svc.url("/"), { TARGET_OK_STATUS: "200" });
    const [refused] = await roundTrips(strict, 1);
    expect(refused).toMatchObject({ ok: false, httpStatus: 302, errorKind: "http_status" });
    svc.set({ kind: "status", status: 429 });
    const from = strict.log.lines.length;
    const throttled = await strict.log.waitFor(
      isRoundTrip((r) => r.httpStatus === 429),
      10_000,
      from,
    );
    expect(throttled.parsed).toMatchObject({ record: { ok: false, errorKind: "throttled" } });
  });

  it("reports 500s as http_status with the start of the body, turns /health 503, and recovers", async () => {
    const svc = await service({ kind: "status", status: 500, body: "DynamoDB timed out\u001b[31m\n" });
    const probe = await probeOf(svc.url("/"), { HEALTH_FAILURE_SECONDS: "0.5" });
    const [first] = await roundTrips(probe, 1);
    expect(first).toMatchObject({ ok: false, errorKind: "http_status", httpStatus: 500, attempts: 1 });
    // Control characters from the service do not reach the log.
    expect(first?.error).toBe("HTTP 500 Internal Server Error: DynamoDB timed out [31m");
    await probe.log.waitFor((l) => l.json?.msg === "Health changed" && l.json.healthy === false);
    expect((await fetch(probe.url("/health"))).status).toBe(503);

    const from = probe.log.lines.length;
    svc.set({ kind: "status", status: 200 });
    await probe.log.waitFor(
      isRoundTrip((r) => r.ok),
      10_000,
      from,
    );
    expect((await fetch(probe.url("/health"))).status).toBe(200);
  });

  it("retries 5xx, 429 and errors up to MAX_ATTEMPTS, but not a 404", async () => {
    const svc = await service({ kind: "status", status: 200 });
    svc.next({ kind: "status", status: 503 }, { kind: "status", status: 429 });
    const probe = await probeOf(svc.url("/"), { MAX_ATTEMPTS: "3" });
    const [first] = await roundTrips(probe, 1);
    expect(first).toMatchObject({ ok: true, attempts: 3, httpStatus: 200 });

    const notFound = await service({ kind: "status", status: 404 });
    const other = await probeOf(notFound.url("/"), { MAX_ATTEMPTS: "3" });
    const [missing] = await roundTrips(other, 1);
    expect(missing).toMatchObject({ ok: false, attempts: 1, errorKind: "http_status", httpStatus: 404 });
  });

  it("sends a request again once on a new connection when a kept-alive one turns out closed", async () => {
    const svc = await service({ kind: "status", status: 200 });
    const probe = await probeOf(svc.url("/"), { TEST_INTERVAL_SECONDS: "0.3" });
    await roundTrips(probe, 1);
    // The next request arrives on the kept-alive connection, which the service then drops unanswered.
    svc.next({ kind: "reset" });
    const [, second] = await roundTrips(probe, 2);
    expect(second).toMatchObject({ ok: true, seq: 2, conn: "new", attempts: 1 });
    expect(svc.requests.length).toBeGreaterThanOrEqual(3);

    // Only once: a service that drops every request is reported.
    svc.set({ kind: "reset" });
    const from = probe.log.lines.length;
    const failed = await probe.log.waitFor(
      isRoundTrip((r) => !r.ok),
      10_000,
      from,
    );
    expect(failed.parsed).toMatchObject({ record: { errorKind: "network" } });
  });

  it("answers /test with one request now, and keeps /live shallow", async () => {
    const svc = await service({ kind: "status", status: 500, body: "no" });
    const probe = await probeOf(svc.url("/x"), { TEST_INTERVAL_SECONDS: "60" });
    const test = await fetch(probe.url("/test"));
    expect(test.status).toBe(500);
    expect(await test.json()).toMatchObject({
      src: "test",
      errorKind: "http_status",
      httpStatus: 500,
      url: svc.url("/x"),
    });
    svc.set({ kind: "status", status: 200 });
    const ok = await fetch(probe.url("/test"));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ src: "test", ok: true, httpStatus: 200 });
    expect((await fetch(probe.url("/live"))).status).toBe(200);
  });
});

describe("the HTTP mode's timeouts", () => {
  it("ends a request whose answer takes longer than READ_TIMEOUT_MS as a timeout", async () => {
    const svc = await service({ kind: "stall", ms: 5000 });
    const probe = await probeOf(svc.url("/"), { READ_TIMEOUT_MS: "300", CONNECTION_TIMEOUT_MS: "2000" });
    const [first] = await roundTrips(probe, 1);
    expect(first).toMatchObject({ ok: false, errorKind: "timeout", conn: "new" });
    expect(first?.error).toMatch(/no data from 127\.0\.0\.1:\d+ for 300 ms \(READ_TIMEOUT_MS\)/);
    expect(first?.rttMs).toBeGreaterThanOrEqual(299);
    expect(first?.rttMs).toBeLessThan(2300);
  });

  it("ends a request whose service trickles its body at the hard deadline", async () => {
    const svc = await service({ kind: "trickle", everyMs: 100 });
    const probe = await probeOf(svc.url("/"), {
      READ_TIMEOUT_MS: "400",
      CONNECTION_TIMEOUT_MS: "400",
      TEST_INTERVAL_SECONDS: "0.5",
    });
    const [first] = await roundTrips(probe, 1);
    expect(first).toMatchObject({ ok: false, errorKind: "timeout" });
    // Its headers said 200, but the answer never ended: no status is claimed for it.
    expect(first).not.toHaveProperty("httpStatus");
    expect(first?.error).toMatch(/hard deadline of 800 ms/);
    expect(first?.rttMs).toBeGreaterThanOrEqual(799);
  });

  it("reports a refused connection as network", async () => {
    const port = await closedPort();
    const probe = await probeOf(`http://127.0.0.1:${port}/`);
    const [first, second] = await roundTrips(probe, 2);
    expect(first).toMatchObject({ ok: false, errorKind: "network", conn: "new" });
    expect(first?.error).toMatch(/ECONNREFUSED/);
    expect(second).toMatchObject({ ok: false, seq: 2 });
  });

  it("reports a connection not established within CONNECTION_TIMEOUT_MS as connect_timeout", async () => {
    const listener = await startUnacceptingListener();
    cleanups.push(() => listener.close());
    const probe = await probeOf(`${listener.endpoint}/`, { CONNECTION_TIMEOUT_MS: "300", READ_TIMEOUT_MS: "5000" });
    const [first] = await roundTrips(probe, 1);
    expect(first).toMatchObject({ ok: false, errorKind: "connect_timeout", conn: "new" });
    expect(first?.rttMs).toBeGreaterThanOrEqual(299);
    expect(first?.rttMs).toBeLessThan(5000);
  });
});

describe("a hostile service or environment", () => {
  it.each([
    ["a status line that is not HTTP", "NOT HTTP AT ALL\r\n\r\n"],
    ["a bad content-length", "HTTP/1.1 200 OK\r\ncontent-length: abc\r\n\r\nhello"],
    ["a body cut short", "HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nshort"],
    ["nothing at all", ""],
  ])("survives %s as a failed round trip and carries on", async (_what, bytes) => {
    const svc = await service({ kind: "raw", bytes });
    const probe = await probeOf(svc.url("/"));
    const [first, second] = await roundTrips(probe, 2);
    expect(first?.ok).toBe(false);
    expect(["network", "other"]).toContain(first?.errorKind);
    expect(second?.seq).toBe(2);
    expect((await fetch(probe.url("/live"))).status).toBe(200);
  });

  it("reads a large answer without holding it", async () => {
    const svc = await service({ kind: "status", status: 200, body: "x".repeat(8 * 1024 * 1024) });
    const probe = await probeOf(svc.url("/"), { TEST_INTERVAL_SECONDS: "0.5" });
    const [first] = await roundTrips(probe, 1);
    expect(first).toMatchObject({ ok: true, httpStatus: 200 });
  });

  it.each([
    ["TARGET_URL", "ftp://host/", /TARGET_URL="ftp:\/\/host\/" is not an http or https URL/],
    ["TARGET_HEADERS", '{"content-length":"5"}', /sets "content-length", which the probe manages itself/],
    ["TARGET_OK_STATUS", "2xx,600", /has "600", which is not a status class, code or range/],
    ["TARGET_METHOD", "TRACE", /TARGET_METHOD="TRACE" is not valid: expected one of GET, HEAD/],
  ])("stops with exit 2 and one line on a bad %s", async (name, value, message) => {
    const env = { TARGET_URL: "http://127.0.0.1:1/", [name]: value };
    const { child, stderr } = spawnProbe(env);
    const [code] = await once(child, "exit");
    expect(code).toBe(2);
    expect(stderr()).toMatch(message);
    expect(stderr().trim().split("\n")).toHaveLength(1);
  });

  it("refuses the HTTP mode's settings without TARGET_URL", async () => {
    const { child, stderr } = spawnProbe({ TARGET_METHOD: "POST" });
    const [code] = await once(child, "exit");
    expect(code).toBe(2);
    expect(stderr()).toMatch(/TARGET_METHOD is set but TARGET_URL is not/);
  });
});
