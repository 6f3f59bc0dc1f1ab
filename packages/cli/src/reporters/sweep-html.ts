// The sweep as one self-contained HTML page (no script, no fetch): the verdict, the curve as an SVG
// chart (p50/p90/p99 under the fault and the failed share against the level, the break marked),
// the prediction, and the table of levels. Opens from a CI artifact in any browser.
import type { SweepReport } from "../engine/sweep-report.js";
import { escapeHtml } from "./html-escape.js";
import { STYLES } from "./html-styles.js";
import {
  formatLevel,
  gateText,
  injectionFigures,
  predictionText,
  SWEEP_HEADERS,
  sortedLevels,
  sweepRow,
} from "./sweep-summary.js";

const esc = escapeHtml;

const W = 720;
const H = 320;
const PAD = { left: 64, right: 64, top: 20, bottom: 44 };

/** The curve: latency percentiles on the left axis (ms), the failed share on the right (%). */
export function sweepSvg(report: SweepReport): string {
  const points = new Map<number, ReturnType<typeof injectionFigures>>();
  for (const entry of sortedLevels(report)) {
    const f = injectionFigures(entry);
    if (f.count !== undefined && f.count > 0) points.set(entry.level, f);
  }
  const levels = [...points.keys()];
  if (levels.length === 0) return "<p>No level ran long enough to draw a curve.</p>";
  const lo = levels[0] as number;
  const hi = Math.max(lo + 1, levels.at(-1) as number);
  // One level is a point in the middle, not a line at the left edge.
  const single = levels.length === 1;
  const top = Math.max(1, ...[...points.values()].map((f) => f.p99 ?? 0));
  const x = (l: number) =>
    single ? (PAD.left + W - PAD.right) / 2 : PAD.left + ((l - lo) / (hi - lo)) * (W - PAD.left - PAD.right);
  const yMs = (v: number) => H - PAD.bottom - (v / top) * (H - PAD.top - PAD.bottom);
  const yPct = (v: number) => H - PAD.bottom - v * (H - PAD.top - PAD.bottom);
  const line = (pick: (f: ReturnType<typeof injectionFigures>) => number | undefined, y: (v: number) => number) =>
    levels.map((l) => [x(l), y(pick(points.get(l) as ReturnType<typeof injectionFigures>) ?? 0)] as const);
  const series = [
    { name: "p50 ms", colour: "#1f77b4", points: line((f) => f.p50, yMs) },
    { name: "p90 ms", colour: "#ff7f0e", points: line((f) => f.p90, yMs) },
    { name: "p99 ms", colour: "#d62728", points: line((f) => f.p99, yMs) },
    { name: "failed share", colour: "#555", points: line((f) => f.failed, yPct), dash: "4 3" },
  ];
  const broke = report.breakPoint.broke;
  const held = report.breakPoint.held;
  const band =
    broke !== null && held !== null
      ? `<rect x="${x(held).toFixed(1)}" y="${PAD.top}" width="${(x(broke) - x(held)).toFixed(1)}" height="${H - PAD.top - PAD.bottom}" fill="#fdd" opacity="0.6"><title>the break lies here</title></rect>`
      : "";
  const ticks = levels
    .map(
      (l) =>
        `<line x1="${x(l).toFixed(1)}" x2="${x(l).toFixed(1)}" y1="${H - PAD.bottom}" y2="${H - PAD.bottom + 4}" stroke="#333"/>`,
    )
    .join("");
  const ends = (single ? [lo] : [lo, levels.at(-1) as number])
    .map(
      (l, i) =>
        `<text x="${x(l).toFixed(1)}" y="${H - PAD.bottom + 18}" text-anchor="${single ? "middle" : i === 0 ? "start" : "end"}">${esc(formatLevel(report, l))}</text>`,
    )
    .join("");
  const legend = series
    .map(
      (s, i) =>
        `<text x="${PAD.left + 10 + i * 150}" y="${H - 6}" fill="${s.colour}">${s.dash ? "- - " : "— "}${esc(s.name)}</text>`,
    )
    .join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" style="max-width: 100%; height: auto" role="img" aria-label="the curve against ${esc(report.fault.field)}" font-family="sans-serif" font-size="12">
${band}
<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${H - PAD.bottom}" y2="${H - PAD.bottom}" stroke="#333"/>
<line x1="${PAD.left}" x2="${PAD.left}" y1="${PAD.top}" y2="${H - PAD.bottom}" stroke="#333"/>
<line x1="${W - PAD.right}" x2="${W - PAD.right}" y1="${PAD.top}" y2="${H - PAD.bottom}" stroke="#999"/>
<text x="${PAD.left - 6}" y="${PAD.top + 4}" text-anchor="end">${top.toFixed(0)} ms</text>
<text x="${PAD.left - 6}" y="${H - PAD.bottom}" text-anchor="end">0 ms</text>
<text x="${W - PAD.right + 6}" y="${PAD.top + 4}">100%</text>
<text x="${W - PAD.right + 6}" y="${H - PAD.bottom}">0%</text>
${ticks}${ends}
${series.map((s) => `<polyline fill="none" stroke="${s.colour}" stroke-width="2"${s.dash ? ` stroke-dasharray="${s.dash}"` : ""} points="${s.points.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(" ")}"><title>${esc(s.name)}</title></polyline>`).join("\n")}
${series.map((s) => s.points.map(([px, py]) => `<circle cx="${px.toFixed(1)}" cy="${py.toFixed(1)}" r="3" fill="${s.colour}"/>`).join("")).join("\n")}
${legend}
</svg>`;
}

/** The break lies between a level that held and one that broke: the chart shades it. */
function hasBreakBand(report: SweepReport): boolean {
  return report.breakPoint.broke !== null && report.breakPoint.held !== null;
}

export function toSweepHtml(report: SweepReport): string {
  const prediction = predictionText(report);
  const gate = gateText(report);
  const rows = sortedLevels(report)
    .map(
      (e) =>
        `<tr>${sweepRow(report, e)
          .map((c) => `<td>${esc(c)}</td>`)
          .join("")}</tr>`,
    )
    .join("\n");
  const state = report.end !== "completed" ? "inconclusive" : report.breakPoint.broke === null ? "passed" : "failed";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>fislat sweep ${esc(report.experiment.name)}: ${esc(report.fault.field)}</title>
<style>${STYLES}</style>
</head>
<body><main>
<header class="verdict verdict-${state}">
<h1>fislat sweep ${esc(report.experiment.name)} <small>(${esc(report.environment)}): ${esc(report.fault.field)}</small></h1>
<p class="headline"><strong>${esc(report.verdict)}</strong></p>
<p class="summary">Hypothesis: ${esc(report.experiment.description)}. Sweep ${esc(report.end)}; exit ${report.exitCode}.</p>
${prediction ? `<p>${esc(prediction)}</p>` : ""}
${gate ? `<p>${esc(gate)}</p>` : ""}
</header>
<section><h2>The curve</h2>
<figure>${sweepSvg(report)}<figcaption>p50, p90 and p99 under the fault (left axis) and the failed share (right axis) against ${esc(report.fault.field)}, a dot for each level measured${hasBreakBand(report) ? "; the shaded band is where the break lies" : ""}.</figcaption></figure>
</section>
<section><h2>Levels</h2>
<div class="scroll"><table class="numbers">
<thead><tr>${SWEEP_HEADERS.map((h) => `<th scope="col">${esc(h)}</th>`).join("")}</tr></thead>
<tbody>
${rows}
</tbody>
</table></div>
${report.notes.length > 0 ? `<ul>${report.notes.map((n) => `<li>${esc(n)}</li>`).join("")}</ul>` : ""}
</section>
</main></body>
</html>
`;
}
