// Request framing on byte streams as a proxy receives them: split anywhere, pipelined, chunked,
// and streams that are not HTTP/1.x.
import { describe, expect, it } from "vitest";
import { RequestFramer } from "../src/http-framing.js";

const post = (body: string, extra = "") =>
  `POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.0\r\n${extra}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

/** Feeds `text` in pieces of `size` bytes; returns every request completed. */
function frame(text: string, size: number, framer = new RequestFramer({ keepBytes: true })) {
  const bytes = Buffer.from(text);
  const out = [];
  for (let i = 0; i < bytes.length; i += size) out.push(...framer.push(bytes.subarray(i, i + size)));
  return { out, framer };
}

describe("RequestFramer", () => {
  it("finds each pipelined request's end however the bytes are split, with its exact bytes", () => {
    const text = post('{"TableName":"t"}') + post("{}") + "GET /x HTTP/1.1\r\nHost: y\r\n\r\n";
    for (const size of [1, 2, 7, 64, text.length]) {
      const { out, framer } = frame(text, size);
      expect(out.map((r) => `${r.method} ${r.target} ${r.bodyBytes}`)).toEqual(["POST / 17", "POST / 2", "GET /x 0"]);
      expect(Buffer.concat(out.map((r) => r.bytes as Buffer)).toString()).toBe(text);
      expect(framer.inRequest).toBe(false);
      expect(out[0]?.headers["content-type"]).toBe("application/x-amz-json-1.0");
    }
  });

  it("frames a chunked body up to its last chunk and trailers", () => {
    const text =
      "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n3;ext=1\r\nabc\r\n0\r\nX-T: 1\r\n\r\n" +
      post("z");
    const { out } = frame(text, 3);
    expect(out.map((r) => r.target)).toEqual(["/c", "/"]);
    expect(Buffer.concat(out.map((r) => r.bytes as Buffer)).toString()).toBe(text);
  });

  it("says a request is unfinished until its last body byte arrives", () => {
    const framer = new RequestFramer();
    const text = post("0123456789");
    expect(framer.push(Buffer.from(text.slice(0, -1)))).toEqual([]);
    expect(framer.inRequest).toBe(true);
    expect(framer.push(Buffer.from(text.slice(-1)))).toHaveLength(1);
  });

  it("turns opaque on bytes that are not HTTP/1.x, and on an upgrade, and frames nothing after", () => {
    const tls = new RequestFramer();
    expect(tls.push(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x0d, 0x0a, 0x0d, 0x0a]))).toEqual([]);
    expect(tls.opaque).toMatch(/not an HTTP\/1.x request line/);
    const ws = new RequestFramer();
    expect(ws.push(Buffer.from(`GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n${post("{}")}`))).toEqual([]);
    expect(ws.opaque).toMatch(/upgrade to websocket/);
    const huge = new RequestFramer({ maxHeadBytes: 100 });
    huge.push(Buffer.from(`GET / HTTP/1.1\r\nX: ${"a".repeat(200)}`));
    expect(huge.opaque).toMatch(/longer than 100 bytes/);
  });
});
