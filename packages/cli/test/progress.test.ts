// The progress a person or a CI log sees: counts per phase (the injection's "ok" must not include
// the baseline's), plain timestamped lines when the output is not a live terminal.
import { Chalk } from "chalk";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { TimelineBuilder } from "../src/engine/timeline.js";
import { createProgress } from "../src/render/progress.js";
import { line, rt, T0 } from "./support/recorded.js";

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "Date", "performance"] });
});
afterEach(() => vi.useRealTimers());

function capture() {
  const lines: string[] = [];
  const stream = { isTTY: false, columns: 0, write: (s: string) => lines.push(s) } as unknown as NodeJS.WriteStream;
  return { stream, lines };
}

describe("progress", () => {
  it("counts round trips per phase, starting again at each phase", () => {
    const { stream, lines } = capture();
    const progress = createProgress(stream, new Chalk({ level: 0 }), {});
    // The engine's live tally, as runExperiment passes it with each round trip.
    const builder = new TimelineBuilder();
    const read = (r: ReturnType<typeof rt>) => {
      builder.add(line(r));
      progress.roundTrip?.(r, builder.live);
    };
    progress.phase?.("baseline", 10_000);
    for (let seq = 1; seq <= 3; seq++) read(rt(seq * 1000, { seq }));
    builder.live.setWindow(new Date(T0 + 3500), undefined);
    progress.phase?.("injection", 10_000);
    read(rt(4000, { seq: 4, ok: false }));
    vi.advanceTimersByTime(5000);
    const status = lines.filter((l) => l.includes(" left | ")).at(-1) ?? "";
    expect(status).toMatch(/injection .* left \| last #4 timeout \d+ ms \| 0 ok, 1 timeout, 0 errors$/m);
    // A round trip in flight when the fault ended is in no phase, and the count says so.
    builder.live.setWindow(new Date(T0 + 3500), new Date(T0 + 5100));
    progress.phase?.("recovery", 10_000);
    read(rt(5000, { seq: 5, rttMs: 200 }));
    vi.advanceTimersByTime(5000);
    progress.done();
    const after = lines.filter((l) => l.includes(" left | ")).at(-1) ?? "";
    expect(after).toMatch(/recovery .* \| 0 ok, 0 timeouts, 0 errors, 1 set aside \(in flight at a fault boundary\)$/m);
  });

  it("while waiting for an app, names what it waits for and the real time left of its limit", () => {
    const { stream, lines } = capture();
    const progress = createProgress(stream, new Chalk({ level: 0 }), {});
    vi.advanceTimersByTime(5000);
    // Nothing to say while starting: no "starting 0 ms left | no round trip yet" every 5 s.
    expect(lines.join("")).toBe("");
    const done = progress.waitingFor("http://127.0.0.1:3103/ to answer", 60_000, "--app-ready-timeout");
    vi.advanceTimersByTime(10_000);
    expect(lines).toEqual([
      expect.stringMatching(
        /Z waiting for http:\/\/127\.0\.0\.1:3103\/ to answer: 55 s left of --app-ready-timeout 1 min\n$/,
      ),
      expect.stringMatching(
        /Z waiting for http:\/\/127\.0\.0\.1:3103\/ to answer: 50 s left of --app-ready-timeout 1 min\n$/,
      ),
    ]);
    done();
    vi.advanceTimersByTime(5000);
    expect(lines).toHaveLength(2);
    progress.done();
  });

  it("says stopping after a stop, not the judging phase's empty clock", () => {
    const { stream, lines } = capture();
    const progress = createProgress(stream, new Chalk({ level: 0 }), {});
    progress.phase?.("baseline", 10_000);
    progress.stopping?.("SIGINT: stopping");
    progress.phase?.("judging", 0);
    vi.advanceTimersByTime(5000);
    const status = lines.at(-1) ?? "";
    expect(status).toMatch(/Z stopping \| no round trip yet \| 0 ok, 0 timeouts, 0 errors\n$/);
    expect(lines.join("")).not.toMatch(/0 ms left/);
    // A sweep's next level starts a phase again.
    progress.phase?.("baseline", 10_000);
    vi.advanceTimersByTime(5000);
    expect(lines.at(-1)).toMatch(/Z baseline 5 s left \|/);
    progress.done();
  });

  it("wraps lines at spaces to a terminal's width; a pipe gets them whole", () => {
    const target =
      "target: app pid 28040 (node server.mjs) -> latency proxy :39319 (--seed 1303853637) -> dynalite :37853 (table Orders)";
    // A terminal of known width where no spinner runs (TERM=dumb): plain lines, wrapped.
    const lines: string[] = [];
    const tty = { isTTY: true, columns: 40, write: (s: string) => lines.push(s) } as unknown as NodeJS.WriteStream;
    const progress = createProgress(tty, new Chalk({ level: 0 }), { TERM: "dumb" });
    progress.info(target);
    progress.done();
    const rows = (lines[0] ?? "").replace(/\n$/, "").split("\n");
    expect(rows.length).toBeGreaterThan(3);
    for (const row of rows) expect(row.length, row).toBeLessThanOrEqual(40);
    for (const row of rows.slice(1)) expect(row).toMatch(/^ {2}\S/);
    expect(rows.map((r) => r.trim()).join(" ")).toMatch(
      new RegExp(`Z ${target.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`),
    );
    const piped = capture();
    const plain = createProgress(piped.stream, new Chalk({ level: 0 }), {});
    plain.info(target);
    plain.done();
    expect(piped.lines).toEqual([expect.stringMatching(/Z target: .*\(table Orders\)\n$/)]);
  });

  it("writes plain lines without escape codes when the stream is not a terminal", () => {
    const { stream, lines } = capture();
    const progress = createProgress(stream, new Chalk({ level: 0 }), {});
    progress.phase?.("baseline", 1000);
    progress.info("hello");
    progress.done();
    expect(lines.join("")).not.toContain("\u001b");
    expect(lines.at(-1)).toMatch(/^\d{4}-\d\d-\d\dT\S+Z hello\n$/);
  });
});
