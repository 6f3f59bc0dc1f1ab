// An HTTP server that misbehaves the way no DynamoDB should: it answers 200 and then trickles
// the body a byte at a time, or sends a body far larger than any DynamoDB answer. Real sockets.
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";

export type Misbehaviour =
  | { kind: "trickle"; everyMs: number }
  | { kind: "huge"; bytes: number; declareLength: boolean };

export async function startMisbehavingDynamo(how: Misbehaviour) {
  let bytesSent = 0;
  let requests = 0;
  const timers = new Set<NodeJS.Timeout>();
  const server = http.createServer((req, res) => {
    requests += 1;
    req.resume();
    req.on("end", () => {
      if (how.kind === "trickle") {
        res.writeHead(200, { "content-type": "application/x-amz-json-1.0", "content-length": "100000" });
        res.write("{");
        const timer = setInterval(() => {
          if (res.destroyed) return clearInterval(timer);
          res.write(" ");
          bytesSent += 1;
        }, how.everyMs);
        timers.add(timer);
        res.on("close", () => clearInterval(timer));
        return;
      }
      const headers: http.OutgoingHttpHeaders = { "content-type": "application/x-amz-json-1.0" };
      if (how.declareLength) headers["content-length"] = String(how.bytes);
      res.writeHead(200, headers);
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      let left = how.bytes;
      // Honours backpressure, so the bytes sent are the bytes the probe's socket took in.
      const pump = () => {
        while (left > 0 && !res.destroyed) {
          const n = Math.min(left, chunk.length);
          left -= n;
          bytesSent += n;
          if (!res.write(chunk.subarray(0, n))) return void res.once("drain", pump);
        }
        if (!res.destroyed) res.end();
      };
      pump();
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bytesSent: () => bytesSent,
    requests: () => requests,
    close: async () => {
      for (const timer of timers) clearInterval(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
