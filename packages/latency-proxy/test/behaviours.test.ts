// Each fault kind's behaviour through the real proxy over real TCP: what a client sees of it.
import { once } from "node:events";
import net from "node:net";
import { performance } from "node:perf_hooks";
import { afterEach, describe, expect, it } from "vitest";
import { retransmissionDelay } from "../src/behaviours/packet-loss.js";
import { LatencyProxy } from "../src/index.js";

async function echoUpstream() {
  const server = net.createServer((socket) => {
    socket.on("error", () => {});
    socket.on("data", (chunk) => socket.write(chunk));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return server;
}

const opened: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of opened.splice(0).reverse()) await o.close();
});

async function rig(seed = 1) {
  const upstream = await echoUpstream();
  opened.push({ close: () => new Promise((r) => upstream.close(r)) });
  const proxy = await LatencyProxy.start({
    target: { host: "127.0.0.1", port: (upstream.address() as net.AddressInfo).port },
    seed,
  });
  opened.push(proxy);
  return proxy;
}

async function connect(port: number) {
  const socket = net.connect(port, "127.0.0.1");
  socket.on("error", () => {});
  opened.push({ close: () => socket.destroy() });
  await once(socket, "connect");
  return socket;
}

/** Writes `text` and resolves with the ms until its echo came back. */
async function echoTime(socket: net.Socket, text: string) {
  const sent = performance.now();
  socket.write(text);
  await once(socket, "data");
  return performance.now() - sent;
}

/** Resolves "connected" or "timed out" after `ms`, as a client's connect timeout sees it. */
function connectWithin(port: number, ms: number) {
  return new Promise<string>((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.on("error", () => resolve("error"));
    const timer = setTimeout(() => {
      socket.destroy();
      resolve("timed out");
    }, ms);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.destroy();
      resolve("connected");
    });
  });
}

describe("packet loss", () => {
  it("costs a segment the doubling retransmission timeouts of its consecutive losses", () => {
    const losses = (n: number) => {
      let left = n;
      return () => left-- > 0;
    };
    expect(retransmissionDelay(losses(0), 200)).toBe(0);
    expect(retransmissionDelay(losses(1), 200)).toBe(200);
    expect(retransmissionDelay(losses(3), 200)).toBe(200 + 400 + 800);
    expect(retransmissionDelay(losses(2), 1000)).toBe(3000);
  });

  it("delays about its share of small requests by 200 ms or more, and the rest not at all", async () => {
    const proxy = await rig(11);
    const socket = await connect(proxy.port);
    proxy.startFault({ kind: "packet-loss", lossPercent: 30, maxDurationMs: 60_000 });
    const times: number[] = [];
    for (let i = 0; i < 40; i++) times.push(await echoTime(socket, `r${i}`));
    const slow = times.filter((t) => t >= 199);
    expect(slow.length).toBe(proxy.stats().delaysMs.filter((d) => d > 0).length);
    expect(slow.length).toBeGreaterThan(40 * 0.3 - 3 * Math.sqrt(40 * 0.3 * 0.7));
    expect(slow.length).toBeLessThan(40 * 0.3 + 3 * Math.sqrt(40 * 0.3 * 0.7));
    expect(times.filter((t) => t > 100 && t < 199)).toEqual([]);
    expect(proxy.stopFault()?.effects).toEqual({ count: slow.length, name: "segments lost" });
  });

  it("at 100% passes nothing and completes no new connection until the fault ends", async () => {
    const proxy = await rig();
    const socket = await connect(proxy.port);
    proxy.startFault({ kind: "packet-loss", lossPercent: 100, maxDurationMs: 60_000 });
    await proxy.settled();
    socket.write("held");
    expect(await connectWithin(proxy.port, 500)).toBe("timed out");
    const echoed = once(socket, "data");
    proxy.stopFault();
    await proxy.settled();
    expect(String((await echoed)[0])).toBe("held");
    expect(await connectWithin(proxy.port, 2000)).toBe("connected");
  });
});

describe("unreachable", () => {
  it("answers nothing on open connections and accepts no one, until the fault ends", async () => {
    const proxy = await rig();
    const socket = await connect(proxy.port);
    expect(await echoTime(socket, "before")).toBeLessThan(1000);
    proxy.startFault({ kind: "unreachable", maxDurationMs: 60_000 });
    await proxy.settled();
    socket.write("during");
    expect(await connectWithin(proxy.port, 500)).toBe("timed out");
    expect(proxy.stats().effects).toEqual({ count: 1, name: "chunks dropped" });
    proxy.stopFault();
    await proxy.settled();
    expect(await connectWithin(proxy.port, 2000)).toBe("connected");
    expect(await echoTime(socket, "after")).toBeLessThan(1000);
  });

  it("gives its port back when closed during the fault", async () => {
    const proxy = await rig();
    const port = proxy.port;
    proxy.startFault({ kind: "unreachable", maxDurationMs: 60_000 });
    await proxy.settled();
    await proxy.close();
    opened.splice(opened.indexOf(proxy), 1);
    const server = net.createServer().listen(port, "127.0.0.1");
    await once(server, "listening");
    await new Promise((r) => server.close(r));
  });
});

describe("errors", () => {
  const request = (target: string, body = '{"TableName":"t"}') =>
    `POST / HTTP/1.1\r\nHost: dynamodb\r\nX-Amz-Target: ${target}\r\nContent-Type: application/x-amz-json-1.0\r\nContent-Length: ${body.length}\r\n\r\n${body}`;

  /** Sends one request, in pieces, and resolves with the first reply bytes. */
  async function reply(socket: net.Socket, text: string) {
    const got = once(socket, "data");
    for (let i = 0; i < text.length; i += 40) socket.write(text.slice(i, i + 40));
    return String((await got)[0]);
  }

  it("answers a DynamoDB request itself, as DynamoDB does, and lets others through", async () => {
    const proxy = await rig();
    const socket = await connect(proxy.port);
    proxy.startFault({ kind: "errors", error: "ThrottlingException", rate: 1, maxDurationMs: 60_000 });
    const answer = await reply(socket, request("DynamoDB_20120810.GetItem"));
    const [head, body] = answer.split("\r\n\r\n") as [string, string];
    expect(head.split("\r\n")[0]).toBe("HTTP/1.1 400 Bad Request");
    expect(head).toMatch(/\r\nContent-Type: application\/x-amz-json-1\.0\r\n/);
    expect(head).toMatch(/\r\nx-amzn-RequestId: [A-Z0-9]{52}\r\n/);
    expect(head).toContain(`Content-Length: ${Buffer.byteLength(body)}`);
    expect(JSON.parse(body)).toEqual({
      __type: "com.amazonaws.dynamodb.v20120810#ThrottlingException",
      message: expect.stringMatching(/^Throughput exceeds the current capacity/),
    });
    const crc = Number(/x-amz-crc32: (\d+)/.exec(head)?.[1]);
    const { crc32 } = await import("node:zlib");
    if (typeof crc32 === "function") expect(crc).toBe(crc32(Buffer.from(body)));
    // Not a DynamoDB call: the upstream (an echo) answers.
    const other = request("Other.Call");
    expect(await reply(socket, other)).toBe(other);
    expect(proxy.stopFault()?.effects).toEqual({ count: 1, name: "requests answered with an error" });
  });

  it("answers about its rate of requests, with each error's status", async () => {
    for (const [error, status] of [
      ["InternalServerError", "500 Internal Server Error"],
      ["ServiceUnavailable", "503 Service Unavailable"],
      ["ProvisionedThroughputExceededException", "400 Bad Request"],
    ] as const) {
      const proxy = await rig(4);
      const socket = await connect(proxy.port);
      proxy.startFault({ kind: "errors", error, rate: 0.5, maxDurationMs: 60_000 });
      const answers = [];
      for (let i = 0; i < 40; i++) answers.push(await reply(socket, request("DynamoDB_20120810.Query")));
      const errorsSeen = answers.filter((a) => a.startsWith(`HTTP/1.1 ${status}`)).length;
      expect(errorsSeen).toBe(proxy.stats().effects?.count);
      expect(errorsSeen).toBeGreaterThan(40 * 0.5 - 3 * Math.sqrt(10));
      expect(errorsSeen).toBeLessThan(40 * 0.5 + 3 * Math.sqrt(10));
      expect(answers.filter((a) => a.startsWith("POST /")).length).toBe(40 - errorsSeen);
    }
  });

  it("hands on a request still arriving when the fault ends, and passes a stream that is not HTTP", async () => {
    const proxy = await rig();
    const socket = await connect(proxy.port);
    proxy.startFault({ kind: "errors", error: "ThrottlingException", rate: 1, maxDurationMs: 60_000 });
    const text = request("DynamoDB_20120810.GetItem");
    socket.write(text.slice(0, 30));
    await new Promise((resolve) => setImmediate(resolve));
    const got = once(socket, "data");
    proxy.stopFault();
    socket.write(text.slice(30));
    let echoed = String((await got)[0]);
    while (echoed.length < text.length) echoed += String((await once(socket, "data"))[0]);
    expect(echoed).toBe(text);
    const tls = await connect(proxy.port);
    proxy.startFault({ kind: "errors", error: "ThrottlingException", rate: 1, maxDurationMs: 60_000 });
    expect(await reply(tls, "\x16\x03\x01 not http at all")).toBe("\x16\x03\x01 not http at all");
  });
});
