import net from "node:net";
import { LOCAL_AWS_ENV, startLocalDynamo } from "@fislat/dynamo-local";
import { describe, expect, it } from "vitest";

/** A GetItem written straight to the socket, so the test can hang up before the answer. */
function getItemRequest(port: number, table: string): string {
  const body = JSON.stringify({ TableName: table, Key: { id: { S: "test1" } } });
  return [
    "POST / HTTP/1.1",
    `Host: 127.0.0.1:${port}`,
    "Content-Type: application/x-amz-json-1.0",
    "X-Amz-Target: DynamoDB_20120810.GetItem",
    `Authorization: AWS4-HMAC-SHA256 Credential=${LOCAL_AWS_ENV.AWS_ACCESS_KEY_ID}/20200101/local/dynamodb/aws4_request, SignedHeaders=host, Signature=0`,
    "X-Amz-Date: 20200101T000000Z",
    `Content-Length: ${Buffer.byteLength(body)}`,
    "",
    body,
  ].join("\r\n");
}

describe("startLocalDynamo().close()", () => {
  it("lets dynalite finish the requests it is serving, so nothing throws after it closed", async () => {
    const db = await startLocalDynamo();
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on("uncaughtException", onUncaught);
    try {
      // Clients that keep requests flowing until the server goes away, as a probe does.
      let answered = 0;
      let enough: () => void = () => {};
      const busy = new Promise<void>((resolve) => {
        enough = resolve;
      });
      const sockets = Array.from({ length: 20 }, () => {
        const socket = net.connect(db.port, "127.0.0.1");
        socket.on("error", () => {});
        socket.on("connect", () => socket.write(getItemRequest(db.port, db.tableName)));
        socket.on("data", () => {
          answered += 1;
          if (answered >= 100) enough();
          socket.write(getItemRequest(db.port, db.tableName));
        });
        return socket;
      });
      await busy;
      await db.close();
      for (const socket of sockets) socket.destroy();
      // Anything dynalite still had queued runs within a few turns of the event loop.
      for (let i = 0; i < 20; i += 1) await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off("uncaughtException", onUncaught);
    }
    expect(uncaught).toEqual([]);
  });
});
