// The HTML report: one self-contained file (scripts, styles and data inline; a Content Security
// Policy that allows no network at all), so it opens from a CI artifact or an email. The verdict
// and why, the settings and labels, every round trip over time with the fault's window, the
// percentiles per phase with their thresholds, the thresholds and evidence tables, and for a fleet
// each task's verdict. Readable at a phone's width, printable, and readable without colour: every
// status and series has its own shape or pattern, not only its hue.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { formatDuration } from "../durations.js";
import { findingsOf } from "../engine/evidence.js";
import { formatMs, formatResolution } from "../engine/figures.js";
import type { Report, ThresholdReport } from "../engine/report.js";
import { PHASES } from "../engine/timeline.js";
import { headline, tripNoun } from "./headline.js";
import { chartData } from "./html-chart-data.js";
import { escapeHtml as h, scriptJson } from "./html-escape.js";
import { phaseChartSvg } from "./html-phase-chart.js";
import { PAGE_SCRIPT } from "./html-script.js";
import { STYLES } from "./html-styles.js";
import { phaseHeaders, phaseRow } from "./phase-table.js";
import type { Reporter } from "./reporter.js";
import {
  boundText,
  evidenceChecks,
  hypothesisChecks,
  MARK_SHAPE,
  markOf,
  observedText,
  outcomeSentence,
  VACUOUS_NOTE,
} from "./threshold-text.js";

const require = createRequire(import.meta.url);
let uplot: { js: string; css: string } | undefined;

/** uPlot's build, read once from the installed package and inlined whole (MIT licence kept). */
function uplotAssets() {
  uplot ??= {
    js: readFileSync(require.resolve("uplot/dist/uPlot.iife.min.js"), "utf8"),
    css: readFileSync(require.resolve("uplot/dist/uPlot.min.css"), "utf8"),
  };
  return uplot;
}

const VERDICT = {
  passed: { shape: "✔", word: "PASSED" },
  failed: { shape: "✖", word: "FAILED" },
  inconclusive: { shape: "▲", word: "INCONCLUSIVE" },
} as const;

function verdictOf(report: Report) {
  return VERDICT[report.outcome as keyof typeof VERDICT] ?? { shape: "■", word: String(report.outcome).toUpperCase() };
}

/** On a phone, a `stack` table shows each row as a block, each cell labelled with its header. */
function table(headers: string[], rows: string[][], className = "stack"): string {
  const head = headers.map((x) => `<th scope="col">${h(x)}</th>`).join("");
  const body = rows
    .map((r) => `<tr>${r.map((c, i) => `<td data-label="${h(headers[i] ?? "")}">${c}</td>`).join("")}</tr>`)
    .join("\n");
  return `<div class="scroll"><table class="${className}"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

function checkRows(checks: ThresholdReport[]): string[][] {
  return checks.map((t) => {
    const mark = markOf(t);
    const notes = [
      h(t.detail),
      t.vacuous ? h(VACUOUS_NOTE) : "",
      t.caveat ? `<span class="caveat">⚠ ${h(t.caveat)}</span>` : "",
    ].filter(Boolean);
    return [
      `<code>${h(t.id)}</code>`,
      `<span class="mark mark-${mark.toLowerCase().replace(" ", "-")}">${MARK_SHAPE[mark]} ${mark}</span>`,
      h(observedText(t)),
      h(boundText(t)),
      notes.join("<br>"),
    ];
  });
}

function settings(report: Report): string {
  const p = report.parameters;
  const rows: [string, string][] = [
    ["experiment", `${report.experiment.name} (${report.experiment.source})`],
    ["hypothesis", report.experiment.description],
    ["fault", `${p.fault.description}, for ${formatDuration(p.injectionMs)}`],
    [
      "phases",
      `baseline ${formatDuration(p.baselineMs)}, injection ${formatDuration(p.injectionMs)}, recovery ${formatDuration(p.recoveryMs)}`,
    ],
    // Against your app there is no probe: the load fislat sent is what was measured.
    report.environment.app
      ? [
          "load",
          `${report.environment.app.ratePerSecond} requests a second to ${report.environment.app.urls.join(", ")}, each timed out after ${p.readTimeoutMs} ms`,
        ]
      : [
          "probe",
          `connection timeout ${p.connectionTimeoutMs} ms, read timeout ${p.readTimeoutMs} ms, a round trip every ${p.intervalMs} ms, /health 503 after ${formatDuration(p.healthFailureMs)} of failures`,
        ],
    [
      "environment",
      `${report.environment.kind}: ${report.environment.target}${report.environment.seed !== undefined && !report.environment.target.includes("--seed") ? ` (--seed ${report.environment.seed})` : ""}`,
    ],
    ["injector", report.environment.injector],
    ["ran", `${report.startedAt} to ${report.endedAt}`],
    [
      "fault in place",
      report.fault.startedAt
        ? `${report.fault.startedAt} to ${report.fault.endedAt ?? "?"} (${report.fault.removal})`
        : "never took effect",
    ],
    [
      "labels",
      Object.entries(report.labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(", ") || "none",
    ],
    ["fislat", report.tool.version],
  ];
  return `<dl class="settings">${rows.map(([k, v]) => `<dt>${h(k)}</dt><dd>${h(v)}</dd>`).join("")}</dl>`;
}

function timesList(report: Report): string {
  const t = report.times;
  const trip = t.resolutionMs
    ? ` (${formatResolution(t.resolutionMs.roundTrip)}, ${report.environment.app ? "the time between requests" : "the probe's interval"})`
    : "";
  const poll = t.resolutionMs ? ` (${formatResolution(t.resolutionMs.health)}, the /health poll)` : "";
  const items = [
    t.timeToDetectMs !== null && `detected ${formatMs(t.timeToDetectMs)}${trip} after the fault took effect`,
    t.unhealthyAfterFirstFailureMs !== null &&
      `/health answered 503 ${formatMs(t.unhealthyAfterFirstFailureMs)}${poll} after the first failure`,
    t.timeToRecoverMs !== null && `recovered ${formatMs(t.timeToRecoverMs)}${trip} after the fault was removed`,
    t.timeToHealthyMs !== null && `/health answered 200 again ${formatMs(t.timeToHealthyMs)}${poll} after that`,
  ].filter((x): x is string => typeof x === "string");
  return items.length > 0 ? `<ul class="times">${items.map((i) => `<li>${h(i)}</li>`).join("")}</ul>` : "";
}

function evidenceSection(report: Report): string {
  const parts: string[] = [];
  const l = report.lines;
  parts.push(
    table(
      ["lines", "count"],
      [
        ["malformed", String(l.malformed)],
        ["duplicate", String(l.duplicate)],
        ["out of order", String(l.outOfOrder)],
        [
          report.environment.app
            ? "missed sends (the load fell behind its schedule)"
            : "missed ticks (the probe fell behind its schedule)",
          String(l.missedTicks),
        ],
        ["in flight at a fault edge (set aside)", String(l.straddlingFault)],
        ...PHASES.map((p) => [`lost in ${p} (seq gaps)`, String(report.missingByPhase[p] ?? 0)]),
      ].map((r) => r.map(h)),
    ),
  );
  const tasks = taskEvidence(report.evidence);
  if (tasks.length > 0) {
    parts.push(
      "<h3>Per task</h3>",
      table(
        ["task", "lines", "lost", "late (median / max)", "clock skew", "fault onset lag", "stopped"],
        tasks.map((t) => [
          `<code>${h(t.task)}</code>`,
          String(t.lines ?? "–"),
          String(t.missing ?? 0),
          t.lateness ? h(`${formatMs(t.lateness.medianMs)} / ${formatMs(t.lateness.maxMs)}`) : "–",
          t.skew ? h(skewText(t.skew)) : "–",
          t.onset ? h(`${formatMs(t.onset.lagMs)}${t.onset.beyondBound ? " (beyond the bound)" : ""}`) : "–",
          t.stopped ? h(`${String(t.stopped.at)}: ${t.stopped.reason}`) : "–",
        ]),
      ),
    );
  }
  const events = report.targetEvents ?? [];
  if (events.length > 0) {
    parts.push(
      "<h3>Target events (tasks stopped or replaced, target health)</h3>",
      table(
        ["at", "task", "what"],
        events.map((e) => [h(e.at), `<code>${h(e.task)}</code>`, h(`${e.kind}: ${e.detail}`)]),
      ),
    );
  }
  const findings = findingsOf(report.evidence);
  if (findings.length > 0) parts.push(`<ul class="findings">${findings.map((f) => `<li>${h(f)}</li>`).join("")}</ul>`);
  return parts.join("\n");
}

interface TaskEvidenceView {
  task: string;
  lines?: number;
  missing?: number;
  lateness?: { medianMs: number; maxMs: number };
  skew?: Record<string, unknown>;
  onset?: { lagMs: number; beyondBound: boolean };
  stopped?: { at: unknown; reason: string };
}

function taskEvidence(evidence: unknown): TaskEvidenceView[] {
  const tasks = (evidence as { tasks?: unknown } | undefined)?.tasks;
  return Array.isArray(tasks) ? (tasks.filter((t) => typeof t?.task === "string") as TaskEvidenceView[]) : [];
}

/** engine/skew.ts's estimate: the correction applied, and the range the lines allow. */
function skewText(skew: Record<string, unknown>): string {
  const n = (k: string) => (typeof skew[k] === "number" ? (skew[k] as number) : undefined);
  const correction = n("correctionMs");
  if (correction === undefined) return JSON.stringify(skew);
  const range =
    n("atLeastMs") !== undefined || n("atMostMs") !== undefined
      ? ` (between ${formatMs(n("atLeastMs"), "?")} and ${formatMs(n("atMostMs"), "?")})`
      : "";
  return `corrected by ${formatMs(correction)}${range}${skew.beyondTolerance ? ", beyond tolerance" : ""}`;
}

/** A fleet's checks are named "task: check": each task's verdict, from its own checks. */
function taskVerdicts(report: Report): string {
  const tasks = taskEvidence(report.evidence).map((t) => t.task);
  if (tasks.length < 2) return "";
  const rows = tasks.map((task) => {
    const own = report.thresholds.filter((t) => t.id.startsWith(`${task}: `));
    const mark =
      own.length === 0
        ? "not judged"
        : own.some((t) => t.status === "failed")
          ? "FAIL"
          : own.some((t) => t.status === "inconclusive")
            ? "INCONCLUSIVE"
            : "PASS";
    const shape = mark === "not judged" ? "○" : MARK_SHAPE[mark];
    const failed = own.filter((t) => t.status !== "passed").map((t) => t.id.slice(task.length + 2));
    return [
      `<code>${h(task)}</code>`,
      `<span class="mark">${shape} ${h(mark)}</span>`,
      h(failed.join("; ") || (own.length ? "every threshold held" : "")),
    ];
  });
  return `<section><h2>Each task's verdict</h2>${table(["task", "verdict", "what did not hold"], rows)}</section>`;
}

function render(report: Report): string {
  const { js, css } = uplotAssets();
  const v = verdictOf(report);
  const sentence = headline(report);
  const hypothesis = hypothesisChecks(report);
  const evidence = evidenceChecks(report);
  // A failed run lists the thresholds that did not hold once, here; the summary only counts them.
  const why =
    report.outcome === "passed" || report.reasons.length === 0
      ? ""
      : `<ul class="reasons">${report.reasons.map((r) => `<li>${h(r)}</li>`).join("")}</ul>`;
  const data = chartData(report);
  const faultCaption = data.fault
    ? `The shaded, hatched band is the fault, from when it took effect (${data.fault.from.toFixed(1)} s) to when it was removed (${data.fault.to.toFixed(1)} s).`
    : "No fault took effect.";
  const healthCaption = data.health.length
    ? ` Dashed vertical lines: /health changes (${data.health.map((x) => `${x.healthy ? "200" : "503"} at ${x.at.toFixed(1)} s`).join(", ")}).`
    : "";
  const thresholdCaption = data.thresholds.length ? " Dashed horizontal lines: time thresholds over their phase." : "";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<title>${h(`fislat ${report.experiment.name}: ${v.word}`)}</title>
<style>${css}</style>
<style>${STYLES}</style>
</head>
<body>
<main>
<header class="verdict verdict-${h(report.outcome)}">
<p class="badge"><span aria-hidden="true">${v.shape}</span> ${h(v.word)}</p>
<h1>fislat ${h(report.experiment.name)} <small>(${h(report.environment.kind)})</small></h1>
<p class="headline">${h(sentence)}</p>
<p class="summary">${h(outcomeSentence(report, "listed below"))} (exit ${report.exitCode})</p>
${why}
</header>
<section><h2>Settings</h2>${settings(report)}</section>
<section>
<h2>Every ${tripNoun(report, true)} over time</h2>
<figure id="timeline-figure">
<div id="timeline" class="chart"></div>
<p class="legend"><span class="key key-ok">● ok</span> <span class="key key-timeout">✖ timeout</span> <span class="key key-other">■ another error</span> <span class="key key-fault">▨ fault in place</span> <span class="key">┆ /health change</span> <span class="key">╌ threshold</span></p>
<p id="timeline-readout" class="readout" aria-live="polite">Point at the chart for a ${tripNoun(report, true)}'s time, latency and outcome.</p>
<figcaption>${h(`${data.points === "every" ? `${data.x.length} ${tripNoun(report)}.` : `${data.x.length} seconds, each drawn at its slowest ${tripNoun(report, true)} (the report holds per-second aggregates past its record limit).`} ${faultCaption}${healthCaption}${thresholdCaption}`)}</figcaption>
</figure>
${timesList(report)}
</section>
<section>
<h2>Latency per phase</h2>
<figure>${phaseChartSvg(report)}<figcaption>Bars: p50 (dotted), p90 (striped), p99 (grey), max (dark), ms. Dashed lines: the phase's time thresholds, marked ${MARK_SHAPE.PASS} held or ${MARK_SHAPE.FAIL} failed.</figcaption></figure>
${table(
  phaseHeaders(report),
  PHASES.map((p) => phaseRow(p, report).map(h)),
  "numbers stack",
)}
</section>
<section>
<h2>The hypothesis's thresholds</h2>
${hypothesis.length > 0 ? table(["threshold", "result", "observed", "bound", "detail"], checkRows(hypothesis)) : "<p>No thresholds.</p>"}
</section>
<section>
<h2>Could the run be judged (evidence checks)</h2>
${evidence.length > 0 ? table(["check", "result", "observed", "bound", "detail"], checkRows(evidence)) : "<p>No evidence checks were made.</p>"}
</section>
${taskVerdicts(report)}
<section><h2>Evidence</h2>${evidenceSection(report)}</section>
<footer>Written by fislat ${h(report.tool.version)} from a report of schema version ${report.schemaVersion}. This file makes no network requests.</footer>
</main>
<script type="application/json" id="chart-data">${scriptJson(data)}</script>
<script>${js}</script>
<script>${PAGE_SCRIPT}</script>
</body>
</html>
`;
}

export const html: Reporter = {
  description: "write one self-contained HTML report (charts inline, no network)",
  file: { flag: "--html", extension: "html" },
  render,
};
