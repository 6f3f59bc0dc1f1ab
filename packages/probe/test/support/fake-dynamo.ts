// Answers DynamoDB's wire protocol with canned failures that dynalite cannot produce
// (throttling, access denied, a malformed body, a reset connection). Real HTTP, real sockets.
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";

export type CannedFailure = "throttled" | "access_denied" | "malformed" | "reset" | "server_error";

const bodies: Record<
  Exclude<CannedFailure, "reset" | "malformed">,
  { status: number; type: string; message: string }
> = {
  throttled: {
    status: 400,
    type: "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
    message: "The level of configured provisioned throughput for the table was exceeded.",
  },
  access_denied: {
    status: 400,
    type: "com.amazon.coral.service#AccessDeniedException",
    message: "User is not authorized to perform: dynamodb:GetItem",
  },
  server_error: {
    status: 500,
    type: "com.amazonaws.dynamodb.v20120810#InternalServerError",
    message: "Internal server error",
  },
};

export async function startFakeDynamo(failure: CannedFailure) {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      if (failure === "reset") {
        req.socket.destroy();
        return;
      }
      if (failure === "malformed") {
        res.writeHead(200, { "content-type": "application/x-amz-json-1.0" });
        res.end("<html>not json</html>");
        return;
      }
      const body = bodies[failure];
      res.writeHead(body.status, { "content-type": "application/x-amz-json-1.0", "x-amzn-requestid": "fake" });
      res.end(JSON.stringify({ __type: body.type, message: body.message }));
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
