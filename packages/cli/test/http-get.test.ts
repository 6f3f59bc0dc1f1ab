// Readiness checks and /health polls reach a service on any port: fetch() refuses the Fetch
// standard's "bad ports" (6000, 6665-6669, 10080, ...), where a person's own app may well listen.
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { healthPoller } from "../src/local/health-poller.js";
import { httpGet } from "../src/local/http-get.js";

/** Ports fetch() refuses; the test listens on the first one free here. */
const FETCH_BLOCKED = [6000, 6665, 6666, 6667, 6668, 6669, 6697, 10080, 5060, 5061, 4045, 6679];

let server: Server | undefined;
afterEach(async () => {
  if (server) await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

async function listenOnBlockedPort(): Promise<number> {
  for (const port of FETCH_BLOCKED) {
    const candidate = createServer((_req, res) => res.writeHead(503).end("not yet"));
    try {
      candidate.listen(port, "127.0.0.1");
      await once(candidate, "listening");
      server = candidate;
      return port;
    } catch {
      candidate.close();
    }
  }
  throw new Error(`none of ${FETCH_BLOCKED.join(", ")} is free on this machine`);
}

describe("a GET to a port fetch() refuses", () => {
  it("is answered: the readiness check and the /health poll see the service", async () => {
    const port = await listenOnBlockedPort();
    const url = `http://127.0.0.1:${port}/health`;
    // What the code used before: fetch refuses the port outright.
    await expect(fetch(url)).rejects.toThrow();
    expect(await httpGet(url, AbortSignal.timeout(2000), { text: true })).toEqual({ status: 503, text: "not yet" });
    const poller = healthPoller(url, 500);
    const seen = new Promise<number | string>((resolve) => poller.start((o) => resolve(o.status)));
    try {
      expect(await seen).toBe(503);
    } finally {
      poller.stop();
    }
  });
});
