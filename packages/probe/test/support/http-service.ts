// A stand-in for the user's service in the probe's HTTP-mode tests: a real HTTP server on
// loopback whose next answers a test sets (a status, a stall, a trickle, raw bytes), and which
// records every request it got (method, path, headers, body), so a test asserts on what was sent.
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";

export type Behaviour =
  | { kind: "status"; status: number; body?: string; statusText?: string }
  /** Answers only after `ms`, with 200. */
  | { kind: "stall"; ms: number }
  /** Answers 200 with a declared body and then sends a byte every `everyMs`, never finishing. */
  | { kind: "trickle"; everyMs: number }
  /** Writes these bytes on the socket as the whole answer and closes it. */
  | { kind: "raw"; bytes: string }
  /** Destroys the connection without a word. */
  | { kind: "reset" };

export interface SeenRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The connection's number: equal numbers mean a kept-alive connection was reused. */
  connection: number;
}

export async function startHttpService(initial: Behaviour = { kind: "status", status: 200, body: "ok" }) {
  let behaviour = initial;
  const queue: Behaviour[] = [];
  const requests: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const connectionIds = new WeakMap<Socket, number>();
  let connections = 0;
  const waiters: { count: number; resolve: () => void }[] = [];

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      requests.push({
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        connection: connectionIds.get(req.socket) ?? 0,
      });
      for (const w of waiters.splice(0)) {
        if (requests.length >= w.count) w.resolve();
        else waiters.push(w);
      }
      const how = queue.shift() ?? behaviour;
      switch (how.kind) {
        case "status":
          res.statusMessage = how.statusText ?? http.STATUS_CODES[how.status] ?? "";
          res.writeHead(how.status, { "content-type": "text/plain" });
          res.end(how.body ?? "");
          return;
        case "stall": {
          const timer = setTimeout(() => res.end("late"), how.ms);
          timers.add(timer);
          res.on("close", () => clearTimeout(timer));
          return;
        }
        case "trickle": {
          res.writeHead(200, { "content-length": "100000" });
          res.write("x");
          const timer = setInterval(() => res.write("x"), how.everyMs);
          timers.add(timer);
          res.on("close", () => clearInterval(timer));
          return;
        }
        case "raw":
          req.socket.end(how.bytes);
          return;
        case "reset":
          req.socket.destroy();
          return;
      }
    });
  });
  server.on("connection", (socket) => {
    connections += 1;
    connectionIds.set(socket, connections);
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;

  return {
    url: (path = "/") => `http://127.0.0.1:${port}${path}`,
    port,
    requests,
    /** From now on, every answer. */
    set(next: Behaviour) {
      behaviour = next;
    },
    /** The next answers, one each, before the standing behaviour resumes. */
    next(...answers: Behaviour[]) {
      queue.push(...answers);
    },
    /** Closes every idle kept-alive connection from the server's side, as an idle timeout does. */
    closeIdleConnections() {
      server.closeIdleConnections();
    },
    /** Resolves once the service has seen `count` requests in all. */
    seen(count: number): Promise<void> {
      if (requests.length >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.destroy();
      server.close();
      await once(server, "close").catch(() => {});
    },
  };
}

export type HttpService = Awaited<ReturnType<typeof startHttpService>>;
