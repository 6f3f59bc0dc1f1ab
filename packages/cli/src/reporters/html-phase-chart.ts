// The HTML report's per-phase latency chart as inline SVG (no script needed, prints as drawn):
// p50, p90, p99 and max per phase as bars told apart by fill pattern and label, each time
// threshold of a phase drawn as a dashed line across that phase's group at its bound.
import { msCell } from "../engine/figures.js";
import type { Report } from "../engine/report.js";
import { PHASES } from "../engine/timeline.js";
import { escapeHtml } from "./html-escape.js";
import { hypothesisChecks, kindOf, MARK_SHAPE, markOf } from "./threshold-text.js";

const STATS = ["p50", "p90", "p99", "max"] as const;
const FILLS = ["url(#fill-p50)", "url(#fill-p90)", "url(#fill-p99)", "#555"];

export function phaseChartSvg(report: Report): string {
  const width = 720;
  const height = 300;
  const left = 56;
  const bottom = 44;
  const top = 16;
  const plotH = height - top - bottom;
  const groupW = (width - left - 8) / PHASES.length;
  const barW = (groupW - 24) / STATS.length;
  const thresholds = hypothesisChecks(report).filter(
    (t) => kindOf(t) === "time" && t.scope !== "run" && typeof t.bound === "number",
  );
  let maxV = 1;
  for (const p of PHASES) for (const s of STATS) maxV = Math.max(maxV, report.phases[p].latency?.[s] ?? 0);
  for (const t of thresholds) maxV = Math.max(maxV, t.bound as number);
  maxV *= 1.12;
  const y = (v: number) => top + plotH - (v / maxV) * plotH;
  const parts: string[] = [];
  // Axis: four gridlines with their values.
  for (let i = 0; i <= 4; i++) {
    const v = (maxV / 4) * i;
    parts.push(
      `<line x1="${left}" x2="${width - 4}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" class="grid"/>`,
      `<text x="${left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end" class="tick">${Math.round(v)}</text>`,
    );
  }
  parts.push(
    `<text x="12" y="${top + plotH / 2}" transform="rotate(-90 12 ${top + plotH / 2})" text-anchor="middle" class="tick">ms</text>`,
  );
  PHASES.forEach((phase, g) => {
    const x0 = left + g * groupW + 12;
    const lat = report.phases[phase].latency;
    STATS.forEach((s, i) => {
      const v = lat?.[s];
      const x = x0 + i * barW;
      if (v !== undefined) {
        parts.push(
          `<rect x="${x.toFixed(1)}" y="${y(v).toFixed(1)}" width="${(barW - 4).toFixed(1)}" height="${(top + plotH - y(v)).toFixed(1)}" fill="${FILLS[i]}" stroke="#333" class="bar" data-phase="${phase}" data-stat="${s}"><title>${phase} ${s} ${msCell(v)} ms</title></rect>`,
          `<text x="${(x + (barW - 4) / 2).toFixed(1)}" y="${(y(v) - 3).toFixed(1)}" text-anchor="middle" class="value">${msCell(v)}</text>`,
        );
      }
      parts.push(
        `<text x="${(x + (barW - 4) / 2).toFixed(1)}" y="${top + plotH + 14}" text-anchor="middle" class="tick">${s}</text>`,
      );
    });
    parts.push(
      `<text x="${(x0 + (groupW - 24) / 2).toFixed(1)}" y="${top + plotH + 32}" text-anchor="middle" class="phase">${phase}${lat ? "" : " (no round trips)"}</text>`,
    );
    for (const t of thresholds.filter((th) => th.scope === phase)) {
      const ty = y(t.bound as number).toFixed(1);
      const mark = markOf(t);
      parts.push(
        `<g class="threshold" data-threshold="${escapeHtml(t.id)}"><line x1="${x0 - 6}" x2="${(x0 + groupW - 18).toFixed(1)}" y1="${ty}" y2="${ty}"/><text x="${x0 - 4}" y="${(Number(ty) - 4).toFixed(1)}">${MARK_SHAPE[mark]} ${escapeHtml(`${t.metric}: ${t.expression}`)}</text></g>`,
      );
    }
  });
  return `<svg class="phase-chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="latency per phase: p50, p90, p99 and max, with the thresholds that apply">
<defs>
<pattern id="fill-p50" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="#fff"/><circle cx="3" cy="3" r="1.2" fill="#333"/></pattern>
<pattern id="fill-p90" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/><line x1="0" y1="0" x2="0" y2="6" stroke="#333" stroke-width="2"/></pattern>
<pattern id="fill-p99" width="4" height="4" patternUnits="userSpaceOnUse"><rect width="4" height="4" fill="#999"/></pattern>
</defs>
${parts.join("\n")}
</svg>`;
}
