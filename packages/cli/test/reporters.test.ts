// Every format rendered from recorded reports of real local runs (test/fixtures): one figure shows
// one value everywhere, with its unit; evidence checks are apart from the hypothesis; a check no
// value can fail is not a PASS; a failed run names its failed thresholds once; the summary fits
// 80 columns; and the registry is the one place a format is added.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Report } from "../src/engine/report.js";
import { PHASES } from "../src/engine/timeline.js";
import { makeChalk } from "../src/render/style.js";
import { FILE_FORMATS, REPORTERS, renderReport } from "../src/reporters/index.js";

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}.report.json`, import.meta.url), "utf8")) as Report;
const passed = fixture("timeout-local");
const failed = fixture("failed-local");
const plain = makeChalk({ isTTY: false }, {});
const summaryAt = (report: Report, width: number) => REPORTERS.summary.render(report, { chalk: plain, width });
const unwrap = (text: string) => text.replace(/\n {2,}(?=\S)/g, " ");

describe("one figure, one value", () => {
  it("shows each phase's percentiles with the JSON's digits in the summary, the Markdown and the HTML", () => {
    const summary = summaryAt(passed, 200);
    const markdown = renderReport("markdown", passed);
    const html = renderReport("html", passed);
    for (const phase of PHASES) {
      const l = passed.phases[phase].latency;
      const cells = [l?.p50, l?.p90, l?.p99, l?.max].map((v) => (v as number).toFixed(1));
      expect(summary).toMatch(new RegExp(`│ ${phase} +│ .*│ ${cells.join(" +│ ")} +│`));
      expect(markdown).toContain(`| ${phase} | ${passed.phases[phase].count} |`);
      expect(markdown).toMatch(new RegExp(`\\| ${phase} \\|.*\\| ${cells.join(" \\| ")} \\|`));
      expect(html).toMatch(new RegExp(`>${phase}</td>.*${cells.map((c) => `>${c}</td>`).join("<td[^>]*")}`));
    }
  });

  it("gives a threshold's figure the JSON's value and its unit: the p(99) line, the table's p99 and the JSON agree", () => {
    const t = passed.thresholds.find((x) => x.id === "injection.rtt: p(99)<550");
    expect(t?.observed).toBe(passed.phases.injection.latency?.p99);
    const summary = summaryAt(passed, 200);
    expect(summary).toContain(`PASS injection.rtt: p(99)<550: observed ${t?.observed} ms, bound 550 ms`);
    expect(renderReport("markdown", passed)).toContain(`| \`injection.rtt: p(99)<550\` | ✔ PASS | ${t?.observed} ms |`);
  });

  it("shows rates one way, as percentages with their 95% CI, never as bare fractions", () => {
    const markdown = renderReport("markdown", passed);
    expect(markdown).toContain("| `injection.timeouts: rate>=0.9` | ✔ PASS | 100.0% (95% CI 89.0% to 100.0%) |");
    expect(markdown).not.toMatch(/\| 1 \(95%|0\.\d{3,}/);
    const summary = summaryAt(passed, 200);
    expect(summary).toMatch(
      /predicted timeouts under the fault: 100\.0%; observed 100\.0% \(95% CI 89\.0% to 100\.0%\)/,
    );
    expect(unwrap(summary)).toMatch(/100\.0% of round trips timed out at 500 ms/);
  });

  it("puts a unit on every millisecond figure, and the probe's interval beside detect and recover times", () => {
    const summary = summaryAt(passed, 200);
    expect(summary).toContain("recovered 1026.6 ms (± 1000 ms) after the fault was removed");
    expect(summary).toMatch(
      /run\.unhealthy: value>=health_failure-health_poll-1000: observed 29003 ms \(± 1000 ms\), bound 28000 ms/,
    );
    const times = passed.thresholds.filter((t) => t.unit === "ms" && t.observed !== null);
    expect(times.length).toBeGreaterThan(4);
    for (const t of times) expect(summary).toContain(`${t.id}: observed ${t.observed} ms`);
  });
});

describe("what the thresholds can and cannot say", () => {
  it("names a bound the sample cannot support, in every format", () => {
    const caveat = passed.thresholds.find((t) => t.id === "baseline.failed: rate<0.01")?.caveat;
    expect(caveat).toMatch(/^the 95% CI 0\.0% to 27\.8% of 10 round trips does not clear the bound 1\.0%/);
    expect(unwrap(summaryAt(passed, 80))).toContain(`! ${caveat}`);
    expect(renderReport("markdown", passed)).toContain(`⚠ ${caveat}`);
    expect(renderReport("html", passed)).toContain(`⚠ ${caveat}`);
    expect(passed.thresholds.find((t) => t.id === "injection.rtt: p(99)<550")?.caveat).toMatch(
      /^p\(99\) of 31 round trips is their maximum/,
    );
  });

  it("lists the evidence checks apart from the hypothesis's thresholds", () => {
    const summary = summaryAt(passed, 200);
    const [evidence = "", hypothesis = ""] =
      summary.split("could the run be judged (evidence checks):")[1]?.split("the hypothesis's thresholds:") ?? [];
    expect(evidence).toMatch(/baseline\.samples/);
    expect(evidence).toMatch(/injection\.degraded/);
    expect(evidence).not.toMatch(/injection\.timeouts/);
    expect(hypothesis).not.toMatch(/samples|degraded:/);
    const markdown = renderReport("markdown", passed);
    expect(markdown.indexOf("| `baseline.samples")).toBeGreaterThan(markdown.indexOf("Could the run be judged"));
  });

  it("does not show a check no value can fail as a PASS", () => {
    const summary = summaryAt(passed, 200);
    expect(summary).toMatch(
      /^SEEN run\.recover: value>=0: observed 1026\.6 ms \(± 1000 ms\), bound 0 ms; any value holds/m,
    );
    expect(summary).not.toMatch(/PASS run\.recover: value>=0/);
  });

  it("prints a failed run's failed thresholds once", () => {
    const summary = summaryAt(failed, 200);
    const failedIds = failed.thresholds.filter((t) => t.status === "failed").map((t) => t.id);
    expect(failedIds.length).toBeGreaterThan(1);
    for (const id of failedIds) expect(summary.split(id).length - 1).toBe(1);
    expect(summary).toMatch(
      /succeed: the hypothesis failed: 4 of 8 thresholds did not hold \(FAIL above\) \(exit 1\)$/,
    );
  });
});

describe("the summary's width", () => {
  it("fits 80 columns, table, chart, thresholds and headline alike", () => {
    for (const report of [passed, failed]) {
      const lines = summaryAt(report, 80).split("\n");
      expect(Math.max(...lines.map((l) => [...l].length))).toBeLessThanOrEqual(80);
    }
  });
});

describe("the reporters' table", () => {
  it("gives every file format a flag on run and report, and renders each from the same report", async () => {
    expect(FILE_FORMATS).toEqual(["json", "junit", "markdown", "html"]);
    const help = readFileSync(new URL("../src/cli.ts", import.meta.url), "utf8");
    for (const format of FILE_FORMATS) {
      const flag = REPORTERS[format].file?.flag;
      expect(
        help.match(new RegExp(`"${flag} <file>"`, "g"))?.length,
        `${flag} on run and report`,
      ).toBeGreaterThanOrEqual(2);
      expect(renderReport(format, passed).length).toBeGreaterThan(100);
    }
    expect(JSON.parse(renderReport("json", passed))).toEqual(passed);
  });
});

describe("the HTML report's size", () => {
  it("stays well under 1 MB for a 5-minute run at one round trip a second (7 minutes with its phases)", () => {
    const start = Date.parse(passed.startedAt);
    const template = passed.roundTrips.filter((r) => r.src === "loop");
    const roundTrips = Array.from({ length: 420 }, (_, i) => ({
      ...(template[i % template.length] as Report["roundTrips"][number]),
      seq: i + 1,
      ts: new Date(start + i * 1000).toISOString(),
    }));
    const long = { ...passed, roundTrips, endedAt: new Date(start + 420_000).toISOString() };
    const size = Buffer.byteLength(renderReport("html", long));
    console.log(`HTML report, 420 round trips: ${(size / 1024).toFixed(1)} kB`);
    expect(size).toBeLessThan(250 * 1024);
  });
});

describe("the HTML report's evidence and fleets", () => {
  it("gives each task of a fleet its verdict, with what did not hold, and each task's evidence", () => {
    const tasks = ["task-a", "task-b"];
    const fleet: Report = {
      ...passed,
      thresholds: tasks.flatMap((task, i) =>
        passed.thresholds.map((t) => ({
          ...t,
          id: `${task}: ${t.id}`,
          status: i === 1 && t.id === "injection.timeouts: rate>=0.9" ? ("failed" as const) : t.status,
        })),
      ),
      evidence: {
        tasks: tasks.map((task) => ({
          task,
          lines: 50,
          missing: task === "task-b" ? 2 : 0,
          lateness: { medianMs: 800, maxMs: 4000 },
          skew: { correctionMs: 120, atLeastMs: 100, atMostMs: 140, beyondTolerance: false },
          onset: { at: passed.fault.startedAt, lagMs: 2500, beyondBound: false },
        })),
        findings: ["task-b: 2 round trips lost (seq gaps)"],
      },
      targetEvents: [{ at: passed.endedAt, task: "task-b", kind: "stopped", detail: "replaced by the service" }],
    };
    const html = renderReport("html", fleet);
    expect(html).toMatch(/<h2>Each task's verdict<\/h2>/);
    expect(html).toMatch(
      /<code>task-a<\/code><\/td><td[^>]*><span class="mark">✔ PASS<\/span><\/td><td[^>]*>every threshold held/,
    );
    expect(html).toMatch(
      /<code>task-b<\/code><\/td><td[^>]*><span class="mark">✖ FAIL<\/span><\/td><td[^>]*>injection\.timeouts: rate&gt;=0\.9/,
    );
    expect(html).toContain("800 ms / 4000 ms");
    expect(html).toContain("corrected by 120 ms (between 100 ms and 140 ms)");
    expect(html).toContain(">2500 ms<");
    expect(html).toContain("task-b: 2 round trips lost (seq gaps)");
    expect(html).toContain("stopped: replaced by the service");
  });

  it("charts a big report's per-second aggregates when it holds no records past its limit", async () => {
    const { chartData } = await import("../src/reporters/html-chart-data.js");
    const t0 = Date.parse(passed.startedAt);
    const second = (s: number, max: number, failed = {}) => ({
      at: new Date(t0 + s * 1000).toISOString(),
      count: 3,
      ok: 3,
      failed,
      p50: max,
      p90: max,
      p99: max,
      max,
    });
    const big = {
      ...passed,
      roundTrips: [],
      records: { total: 30_000, limit: 10_000, held: "aggregates" },
      perSecond: {
        baseline: [second(1, 20)],
        injection: [second(12, 510, { timeout: 3 })],
        recovery: [second(45, 15)],
      },
    } as unknown as Report;
    const data = chartData(big);
    expect(data.points).toBe("per-second");
    expect(data.x).toEqual([1.5, 12.5, 45.5]);
    expect(data.y).toEqual([20, 510, 15]);
    expect(data.k.map((i) => data.kinds[i])).toEqual(["ok", "timeout", "ok"]);
    expect(renderReport("html", big)).toContain("3 seconds, each drawn at its slowest round trip");
  });
});

describe("an evidence check short of its bound", () => {
  it("is NOT MET (the run could not judge), not a FAIL of the hypothesis", () => {
    const unmet: Report = {
      ...passed,
      outcome: "inconclusive",
      thresholds: passed.thresholds.map((t) =>
        t.id === "injection.degraded: rate>=0.8" ? { ...t, status: "failed" as const } : t,
      ),
    };
    const summary = summaryAt(unmet, 200);
    expect(summary).toMatch(/^NOT MET injection\.degraded: rate>=0\.8: /m);
    expect(summary).not.toMatch(/FAIL injection\.degraded/);
    expect(renderReport("markdown", unmet)).toContain("| `injection.degraded: rate>=0.8` | **▲ NOT MET** |");
  });
});

describe("a failed run's thresholds in the Markdown and the HTML", () => {
  it("are named once: the summary counts them, the table (Markdown) or the list (HTML) names them", () => {
    const failedIds = failed.thresholds.filter((t) => t.status === "failed").map((t) => t.id);
    const markdown = renderReport("markdown", failed);
    expect(markdown).toMatch(/the hypothesis failed: 4 of 8 thresholds did not hold \(✖ below\)/);
    for (const id of failedIds) expect(markdown.split(id).length - 1, id).toBe(1);
    const header = renderReport("html", failed).split("</header>")[0] ?? "";
    expect(header).toContain("the hypothesis failed: 4 of 8 thresholds did not hold (listed below) (exit 1)");
    for (const id of failedIds)
      expect(header.split(id.replace(/</g, "&lt;").replace(/>/g, "&gt;")).length - 1, id).toBe(1);
  });
});
