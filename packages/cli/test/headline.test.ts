// The verdict's one sentence against the phase table, in the summary, the Markdown and the HTML,
// for what each fault kind does to round trips: latency (timeouts), errors (throttled answers),
// packet loss (some slow, some timed out), unreachable (connect timeouts, read timeouts, refusals).
import type { RoundTripRecord } from "@fislat/probe/record";
import { describe, expect, it } from "vitest";
import { buildReport } from "../src/engine/report.js";
import { makeChalk } from "../src/render/style.js";
import { headline } from "../src/reporters/headline.js";
import { REPORTERS, renderReport } from "../src/reporters/index.js";
import { expectHeadlineAgreesWithTable } from "./support/headline.js";
import { fastTrip, stream, timeoutTrip } from "./support/recorded.js";
import { runExperimentForReport } from "./support/report.js";

const plain = makeChalk({ isTTY: false }, {});
const unwrap = (text: string) => text.replace(/\n {2,}(?=\S)/g, " ");

const PROBE_RUN = { kind: "local" as const, target: "t", injector: "i" };
const APP_RUN = { ...PROBE_RUN, app: { urls: ["http://127.0.0.1:3000/"], ratePerSecond: 1 } };

async function reportOf(during: (offset: number) => Partial<RoundTripRecord>, environment = PROBE_RUN) {
  const records = stream({
    intervalMs: 1000,
    fault: [10_000, 50_000],
    endMs: 60_000,
    during: (t, phase) => (phase === "injection" ? during(t) : fastTrip),
  });
  const result = await runExperimentForReport(records);
  return buildReport(result, { version: "0.0.0", environment });
}

const throttled = { ok: false, rttMs: 4, errorKind: "throttled" as const, httpStatus: 400 };
const connectTimeout = { ok: false, rttMs: 500, errorKind: "connect_timeout" as const };
const refused = { ok: false, rttMs: 1, errorKind: "network" as const };
const slow = { ok: true, rttMs: 230 };

const CASES: [string, (t: number) => Partial<RoundTripRecord>][] = [
  ["errors: every other request throttled", (t) => (t % 2000 === 0 ? throttled : fastTrip)],
  ["latency: every round trip timed out", () => timeoutTrip],
  ["latency below the timeout: none failed", () => slow],
  ["packet-loss: some slow, some timed out", (t) => (t % 5000 === 0 ? timeoutTrip : t % 3000 === 0 ? slow : fastTrip)],
  [
    "unreachable: connect timeouts, a read timeout, a refusal",
    (t) => (t === 10_000 ? timeoutTrip : t === 11_000 ? refused : connectTimeout),
  ],
];

describe("the verdict's sentence says what the phase table counts", () => {
  it.each(CASES)("%s", async (_name, during) => {
    const report = await reportOf(during);
    const summary = unwrap(REPORTERS.summary.render(report, { chalk: plain, width: 80 }));
    expectHeadlineAgreesWithTable(summary, report);
    expectHeadlineAgreesWithTable(renderReport("markdown", report), report);
    expectHeadlineAgreesWithTable(renderReport("html", report), report);
  });

  it("counts throttled requests as failures, with the successful ones' median apart", async () => {
    const report = await reportOf((t) => (t % 2000 === 0 ? throttled : fastTrip));
    expect(report.phases.injection).toMatchObject({ count: 40, successes: 20, timeouts: 0, errors: { throttled: 20 } });
    expect(headline(report)).toContain(
      "20 of 40 round trips (50.0%) failed: 20 throttled; the other 20 succeeded, median 2 ms",
    );
  });

  it("tells connect timeouts (at the connection timeout) from read timeouts", async () => {
    const report = await reportOf((t) => (t === 10_000 ? timeoutTrip : t === 11_000 ? refused : connectTimeout));
    const p = report.parameters;
    expect(headline(report)).toContain(
      `40 of 40 round trips (100.0%) failed: 38 could not connect within ${p.connectionTimeoutMs} ms, 1 timed out at ${p.readTimeoutMs} ms, 1 network error`,
    );
  });
});

describe("a run against the user's app speaks of its requests", () => {
  // The last round trip of the fault (started 49 s in, 1.5 s long) ends after the fault: in no phase.
  const straddling = (t: number) => (t === 49_000 ? { ok: true, rttMs: 1500 } : t % 2000 === 0 ? throttled : fastTrip);

  it("in the headline, the straddle line and the local twin's note", async () => {
    const report = await reportOf(straddling, APP_RUN);
    expect(report.lines.straddlingFault).toBe(1);
    const summary = unwrap(REPORTERS.summary.render(report, { chalk: plain, width: 80 }));
    expect(summary).toContain("1 request straddled the fault's start or end and is counted in no phase");
    expectHeadlineAgreesWithTable(summary, report, "requests");
    expect(summary).toMatch(/local twin: the proxy delays each chunk your app sends to DynamoDB/);
    expect(report.parameters.fault.fidelity).not.toMatch(/probe|read timeout/);
    // The phase table counts requests, in every format.
    expect(summary).toMatch(/│ requests +│/);
    expect(renderReport("markdown", report)).toContain("| phase | requests | ok |");
    const html = renderReport("html", report);
    expect(html).toContain(`<th scope="col">requests</th>`);
    // The HTML's settings show the load, not a probe that never ran; its chart counts requests.
    expect(html).toMatch(
      /<dt>load<\/dt><dd>1 requests a second to http:\/\/127\.0\.0\.1:3000\/, each timed out after \d+ ms<\/dd>/,
    );
    expect(html).not.toMatch(/<dt>probe<\/dt>|the probe fell behind/);
    expect(html).toContain("missed sends (the load fell behind its schedule)");
    expect(html).toContain("<h2>Every request over time</h2>");
    expect(html).toMatch(/<figcaption>\d+ requests\./);
    expect(html).toContain('"noun":"request"');
    expect(summary).not.toMatch(/round trips? (straddled|succeeded|timed out|\(\d)|│ round trips/);
  });

  it("and the probe's run of round trips", async () => {
    const report = await reportOf(straddling);
    const summary = unwrap(REPORTERS.summary.render(report, { chalk: plain, width: 80 }));
    expect(summary).toContain("1 round trip straddled the fault's start or end and is counted in no phase");
    expect(summary).toMatch(/local twin: the proxy delays each chunk the probe sends/);
    expect(summary).toMatch(/│ round trips +│/);
  });
});
