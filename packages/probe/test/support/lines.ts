// Collects a child process's stdout as parsed probe lines and lets a test wait for a line
// (event-driven: it resolves when the line arrives, or fails with what was seen so far).

import readline from "node:readline";
import type { Readable } from "node:stream";
import { type ProbeLine, parseProbeLine } from "../../src/record.js";

export interface SeenLine {
  raw: string;
  parsed: ProbeLine;
  json: Record<string, unknown> | undefined;
}

export class LineLog {
  readonly lines: SeenLine[] = [];
  private waiters: { match: (l: SeenLine) => boolean; resolve: (l: SeenLine) => void }[] = [];

  constructor(stream: Readable) {
    readline.createInterface({ input: stream }).on("line", (raw) => {
      let json: Record<string, unknown> | undefined;
      try {
        json = JSON.parse(raw);
      } catch {
        json = undefined;
      }
      const line = { raw, parsed: parseProbeLine(raw), json };
      this.lines.push(line);
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(line)) return true;
        w.resolve(line);
        return false;
      });
    });
  }

  /** Resolves with the first line (already seen or future) after index `from` that matches. */
  waitFor(match: (l: SeenLine) => boolean, timeoutMs = 20_000, from = 0): Promise<SeenLine> {
    const seen = this.lines.slice(from).find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`no matching line within ${timeoutMs} ms; last lines:\n${this.tail()}`));
      }, timeoutMs);
      this.waiters.push({
        match,
        resolve: (l) => {
          clearTimeout(timer);
          resolve(l);
        },
      });
    });
  }

  roundTrips() {
    return this.lines.flatMap((l) => (l.parsed.type === "round-trip" ? [l.parsed.record] : []));
  }

  tail(n = 8): string {
    return this.lines
      .slice(-n)
      .map((l) => l.raw)
      .join("\n");
  }
}

export const isRoundTrip =
  (pred: (r: import("../../src/record.js").RoundTripRecord) => boolean = () => true) =>
  (l: SeenLine) =>
    l.parsed.type === "round-trip" && pred(l.parsed.record);
