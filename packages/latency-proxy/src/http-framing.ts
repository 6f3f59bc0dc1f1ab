// HTTP/1.1 request framing on a raw byte stream, as a proxy sees it: where each request's head
// and body end (Content-Length or chunked), pipelined requests included. It does not forward or
// change bytes; it only tells the caller where requests begin and end, so the proxy can count a
// client's requests (and, for faults that answer instead of DynamoDB, hold back a whole request).
// Anything that is not HTTP/1.x (TLS, a protocol upgrade, garbage) turns it "opaque": it stops
// framing and says so, and the caller falls back to counting bytes.

/** One request whose last byte has arrived. */
export interface FramedRequest {
  method: string;
  target: string;
  /** Header names in lower case; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** Bytes of the request line and headers, blank line included. */
  headBytes: number;
  /** Bytes of the body as sent (chunked framing included). */
  bodyBytes: number;
  /** The request's exact bytes, when the framer was made with `keepBytes`. */
  bytes?: Buffer;
}

export interface RequestFramerOptions {
  /** Keep each request's bytes (for a fault that must answer a whole request). Default false. */
  keepBytes?: boolean;
  /** A request head longer than this is not HTTP as fislat knows it: the stream turns opaque. */
  maxHeadBytes?: number;
}

type State =
  | { kind: "head" }
  | { kind: "body"; left: number }
  | { kind: "chunk-size" }
  | { kind: "chunk-data"; left: number }
  | { kind: "trailers" }
  | { kind: "opaque"; why: string };

const REQUEST_LINE = /^([A-Z]{1,20}) (\S+) HTTP\/1\.[01]$/;

/**
 * Feed it the client's bytes in order with `push`; it returns the requests completed by each
 * chunk. Memory: the unfinished head or chunk-size line, plus the current request's bytes with
 * `keepBytes`.
 */
export class RequestFramer {
  private state: State = { kind: "head" };
  /** Bytes not yet consumed by the current state (a partial head or line). */
  private pending: Buffer = Buffer.alloc(0);
  private current: Omit<FramedRequest, "bytes"> | undefined;
  private kept: Buffer[] = [];
  private readonly keepBytes: boolean;
  private readonly maxHeadBytes: number;

  constructor(options: RequestFramerOptions = {}) {
    this.keepBytes = options.keepBytes ?? false;
    this.maxHeadBytes = options.maxHeadBytes ?? 64 * 1024;
  }

  /** Why framing stopped (not HTTP/1.x, an upgrade), or undefined while it frames. */
  get opaque(): string | undefined {
    return this.state.kind === "opaque" ? this.state.why : undefined;
  }

  /** True between a request's first byte and its last. */
  get inRequest(): boolean {
    return this.state.kind !== "opaque" && (this.current !== undefined || this.pending.length > 0);
  }

  push(chunk: Buffer): FramedRequest[] {
    const done: FramedRequest[] = [];
    let data = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = Buffer.alloc(0);
    while (data.length > 0 && this.state.kind !== "opaque") {
      const used = this.step(data, done);
      if (used === 0) {
        if (this.opaque !== undefined) break;
        // Needs more bytes (a partial head or line): keep them for the next chunk.
        this.pending = Buffer.from(data);
        if (this.state.kind === "head" && this.pending.length > this.maxHeadBytes) {
          this.becomeOpaque(`a request head longer than ${this.maxHeadBytes} bytes`);
        }
        break;
      }
      data = data.subarray(used);
    }
    return done;
  }

  /** Consumes bytes from the front of `data` for the current state; 0 when more are needed. */
  private step(data: Buffer, done: FramedRequest[]): number {
    const state = this.state;
    switch (state.kind) {
      case "head": {
        // Blank lines between requests are allowed (RFC 9112 section 2.2).
        if (data[0] === 0x0d || data[0] === 0x0a) {
          const skip = data[0] === 0x0d && data.length > 1 && data[1] === 0x0a ? 2 : 1;
          if (data[0] === 0x0d && data.length < 2) return 0;
          return skip;
        }
        const end = data.indexOf("\r\n\r\n");
        if (end < 0) return 0;
        const headBytes = end + 4;
        this.keep(data.subarray(0, headBytes));
        const head = this.parseHead(data.subarray(0, end).toString("latin1"), headBytes);
        if (!head) return headBytes;
        this.current = head;
        const te = head.headers["transfer-encoding"];
        if (te !== undefined) {
          if (!/(^|,)\s*chunked\s*$/i.test(te)) {
            this.becomeOpaque(`transfer-encoding ${te} is not chunked`);
            return headBytes;
          }
          this.state = { kind: "chunk-size" };
        } else {
          const length = Number(head.headers["content-length"] ?? "0");
          if (!/^\d+$/.test(head.headers["content-length"] ?? "0") || !Number.isSafeInteger(length)) {
            this.becomeOpaque("a content-length that is not a number");
            return headBytes;
          }
          if (length === 0) this.finish(done);
          else this.state = { kind: "body", left: length };
        }
        return headBytes;
      }
      case "body": {
        const take = Math.min(state.left, data.length);
        this.addBody(data.subarray(0, take));
        state.left -= take;
        if (state.left === 0) this.finish(done);
        return take;
      }
      case "chunk-size": {
        const end = data.indexOf("\r\n");
        if (end < 0) return data.length > 1024 ? this.becomeOpaque("a chunk-size line over 1 KB") : 0;
        const line = data.subarray(0, end).toString("latin1");
        const size = Number.parseInt(line.split(";")[0]?.trim() ?? "", 16);
        this.addBody(data.subarray(0, end + 2));
        if (!/^[0-9a-fA-F]+/.test(line.trim()) || !Number.isSafeInteger(size)) {
          return this.becomeOpaque("a chunk size that is not hexadecimal") || end + 2;
        }
        this.state = size === 0 ? { kind: "trailers" } : { kind: "chunk-data", left: size + 2 };
        return end + 2;
      }
      case "chunk-data": {
        const take = Math.min(state.left, data.length);
        this.addBody(data.subarray(0, take));
        state.left -= take;
        if (state.left === 0) this.state = { kind: "chunk-size" };
        return take;
      }
      case "trailers": {
        const end = data.indexOf("\r\n");
        if (end < 0) return 0;
        this.addBody(data.subarray(0, end + 2));
        // An empty line ends the trailers, and the request.
        if (end === 0) this.finish(done);
        return end + 2;
      }
      default:
        return data.length;
    }
  }

  private parseHead(text: string, headBytes: number): Omit<FramedRequest, "bytes"> | undefined {
    const [requestLine = "", ...lines] = text.split("\r\n");
    const match = REQUEST_LINE.exec(requestLine);
    if (!match) {
      this.becomeOpaque("bytes that are not an HTTP/1.x request line");
      return undefined;
    }
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(":");
      if (colon <= 0) {
        this.becomeOpaque("a header line without a name");
        return undefined;
      }
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    const method = match[1] as string;
    if (method === "CONNECT" || headers.upgrade !== undefined) {
      this.becomeOpaque(method === "CONNECT" ? "a CONNECT tunnel" : `an upgrade to ${headers.upgrade}`);
      return undefined;
    }
    return { method, target: match[2] as string, headers, headBytes, bodyBytes: 0 };
  }

  private addBody(bytes: Buffer): void {
    if (this.current) this.current.bodyBytes += bytes.length;
    this.keep(bytes);
  }

  private keep(bytes: Buffer): void {
    if (this.keepBytes) this.kept.push(Buffer.from(bytes));
  }

  private finish(done: FramedRequest[]): void {
    const request = this.current as FramedRequest;
    if (this.keepBytes) request.bytes = Buffer.concat(this.kept);
    this.kept = [];
    this.current = undefined;
    this.state = { kind: "head" };
    done.push(request);
  }

  private becomeOpaque(why: string): 0 {
    this.state = { kind: "opaque", why };
    this.pending = Buffer.alloc(0);
    this.kept = [];
    this.current = undefined;
    return 0;
  }
}
