// HTTP mode (TARGET_URL): a round trip is one request to the user's service instead of a DynamoDB
// call, with the DynamoDB mode's timeouts as they apply to any HTTP exchange:
//   CONNECTION_TIMEOUT_MS: TCP connect of a new socket only (a TLS handshake counts as reading);
//   READ_TIMEOUT_MS: socket inactivity once connected, through the response body;
//   the hard deadline, MAX_ATTEMPTS x (connect + read), since an inactivity timer never fires on a
//   server that trickles bytes.
// Node's own http client, as the DynamoDB mode's handler uses: no dependency, and the same socket
// semantics. The body is read and discarded (never buffered, so a large answer costs no memory;
// the deadline bounds an endless one); only the start of a failed answer's body is kept for the log.
import http from "node:http";
import https from "node:https";
import { performance } from "node:perf_hooks";
import { type Classified, classifyError } from "./classify.js";
import type { ProbeConfig } from "./config.js";
import { type HttpTargetSettings, isOkStatus, roundTripDeadlineMs } from "./contract.js";
import type { RoundTripper, RoundTripResult } from "./round-trip.js";

/** How much of a failed answer's body (its status line's explanation, usually) goes to the log. */
const ERROR_BODY_CHARS = 200;
const ERROR_MESSAGE_CHARS = 500;

class TimeoutError extends Error {
  override readonly name = "TimeoutError";
}

class DeadlineError extends Error {
  override readonly name = "DeadlineExceeded";
}

/** The URL as the log shows it: no query or fragment, which may carry secrets or noise. */
export function loggedUrl(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

type Attempt =
  | { kind: "answer"; status: number; statusText: string; bodyStart: string }
  | { kind: "error"; error: unknown; answered: boolean; reused: boolean };

interface RoundState {
  opened: boolean;
  request?: http.ClientRequest;
  /** Why the probe itself destroyed the request: Node then reports only "aborted" or "socket hang up". */
  abortReason?: Error;
  expired?: DeadlineError;
}

// Printable text only: a hostile body or status text must not put control characters in the log.
const printable = (text: string, max: number) =>
  text
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
    .replace(/[\u0000-\u001f\u007f]+/g, " ")
    .trim()
    .slice(0, max);

/** Whether a failed request should be sent again as a new attempt, as the SDK's standard retry does. */
const retryable = (attempt: Attempt) => attempt.kind === "error" || attempt.status === 429 || attempt.status >= 500;

/** A kept-alive connection the server closed while idle fails the next request before any answer;
 * sending it again once on a new connection (as browsers do) is not an attempt of its own. */
const staleConnection = (attempt: Attempt) => {
  if (attempt.kind !== "error" || attempt.answered || !attempt.reused) return false;
  const code = (attempt.error as { code?: unknown })?.code;
  return code === "ECONNRESET" || code === "EPIPE";
};

export function createHttpTarget(config: ProbeConfig, settings: HttpTargetSettings): RoundTripper {
  const url = new URL(settings.url);
  const secure = url.protocol === "https:";
  const agentOptions = { keepAlive: true, maxSockets: 50 };
  const agent = secure ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
  const request = secure ? https.request : http.request;
  const headers = { "user-agent": "fislat-probe", ...settings.headers };
  const deadlineMs = roundTripDeadlineMs(config);
  const inFlight = new Set<http.ClientRequest>();
  const where = url.host;

  const attempt = (round: RoundState): Promise<Attempt> =>
    new Promise((resolve) => {
      let answered = false;
      let reused = false;
      let connectTimer: NodeJS.Timeout | undefined;
      let readTimer: NodeJS.Timeout | undefined;
      let settled = false;
      const req = request(url, { method: settings.method, headers, agent });
      const finish = (outcome: Attempt) => {
        if (settled) return;
        settled = true;
        clearTimeout(connectTimer);
        clearTimeout(readTimer);
        inFlight.delete(req);
        resolve(outcome);
      };
      const fail = (error: unknown) => finish({ kind: "error", error: round.abortReason ?? error, answered, reused });
      const abort = (reason: Error) => {
        round.abortReason ??= reason;
        req.destroy(reason);
      };
      inFlight.add(req);
      round.request = req;
      if (round.expired) abort(round.expired);

      // READ_TIMEOUT_MS: armed once connected, pushed back by every part of the answer that arrives.
      // A timer of our own, refreshed, rather than the socket's setTimeout: that one cost ~0.15 ms a
      // request on loopback (measured: scripts/bench/probe-http.mjs), a sixth of the round trip.
      const armRead = () => {
        if (settled) return;
        if (readTimer) readTimer.refresh();
        else
          readTimer = setTimeout(
            () => abort(new TimeoutError(`no data from ${where} for ${config.readTimeoutMs} ms (READ_TIMEOUT_MS)`)),
            config.readTimeoutMs,
          );
      };
      req.on("socket", (socket) => {
        reused = req.reusedSocket;
        if (!reused) round.opened = true;
        if (!socket.connecting) armRead();
        else {
          socket.once("connect", armRead);
          connectTimer = setTimeout(
            () =>
              abort(
                new TimeoutError(
                  `could not establish a connection to ${where} within ${config.connectionTimeoutMs} ms (CONNECTION_TIMEOUT_MS)`,
                ),
              ),
            config.connectionTimeoutMs,
          );
          socket.once("connect", () => clearTimeout(connectTimer));
        }
      });
      req.on("response", (res) => {
        answered = true;
        armRead();
        const status = res.statusCode ?? 0;
        const keep = !isOkStatus(status, settings.okStatus);
        let bodyStart = "";
        res.on("data", (chunk: Buffer) => {
          armRead();
          if (keep && bodyStart.length < ERROR_BODY_CHARS) bodyStart += chunk.toString("utf8", 0, ERROR_BODY_CHARS);
        });
        res.on("end", () =>
          finish({
            kind: "answer",
            status,
            statusText: printable(res.statusMessage ?? "", 100),
            bodyStart: printable(bodyStart, ERROR_BODY_CHARS),
          }),
        );
        res.on("error", fail);
        res.on("aborted", () => fail(new Error("the connection closed before the response body ended")));
      });
      req.on("error", fail);
      req.end(settings.body);
    });

  const classify = (last: Attempt): Classified => {
    if (last.kind === "answer") {
      const text = last.statusText === "" ? "" : ` ${last.statusText}`;
      const body = last.bodyStart === "" ? "" : `: ${last.bodyStart}`;
      return {
        // A 429 is the service throttling, as the DynamoDB mode and the load generator call it.
        kind: last.status === 429 ? "throttled" : "http_status",
        message: `HTTP ${last.status}${text}${body}`.slice(0, ERROR_MESSAGE_CHARS),
        httpStatus: last.status,
      };
    }
    if (last.error instanceof DeadlineError) return { kind: "timeout", message: last.error.message };
    return classifyError(last.error);
  };

  return {
    describe: { op: settings.method, table: "", url: loggedUrl(settings.url) },
    async warmUp() {
      // Nothing to load: Node's http client is already in memory, and the first request's
      // connection is part of what the first round trip measures (conn: "new").
    },
    async roundTrip(): Promise<RoundTripResult> {
      const round: RoundState = { opened: false };
      const started = performance.now();
      const deadline = setTimeout(() => {
        round.expired = new DeadlineError(
          `DeadlineExceeded: the round trip did not end within its hard deadline of ${deadlineMs} ms (MAX_ATTEMPTS x (CONNECTION_TIMEOUT_MS + READ_TIMEOUT_MS))`,
        );
        round.abortReason = round.expired;
        round.request?.destroy(round.expired);
      }, deadlineMs);
      let attempts = 0;
      let last: Attempt;
      let resent = false;
      try {
        for (;;) {
          attempts += 1;
          round.abortReason = round.expired;
          last = await attempt(round);
          if (!resent && staleConnection(last) && !round.expired) {
            resent = true;
            attempts -= 1;
            continue;
          }
          const ok = last.kind === "answer" && isOkStatus(last.status, settings.okStatus);
          if (ok || round.expired || attempts >= config.maxAttempts || !retryable(last)) break;
        }
      } finally {
        clearTimeout(deadline);
      }
      const rttMs = performance.now() - started;
      const conn = round.opened ? "new" : "reused";
      const httpStatus = last.kind === "answer" ? last.status : undefined;
      const base = { rttMs, conn, attempts, ...(httpStatus === undefined ? {} : { httpStatus }) } as const;
      if (last.kind === "answer" && isOkStatus(last.status, settings.okStatus)) return { ok: true, ...base };
      return { ok: false, ...base, error: classify(last) };
    },
    destroy() {
      for (const req of inFlight) req.destroy();
      agent.destroy();
    },
  };
}
