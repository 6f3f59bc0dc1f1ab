// The HTML report's styles: one column that fits a phone, tables that scroll sideways instead of
// overflowing, print rules (no shadows, no page breaks inside a figure), and status marks that
// differ by shape and weight as well as colour.
export const STYLES = `
:root { color-scheme: light; --fg: #1d1d1f; --muted: #5a5a5f; --line: #d5d5da; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: #fff; }
main { max-width: 980px; margin: 0 auto; padding: 16px; }
h1 { font-size: 1.5rem; margin: 0.2rem 0; }
h1 small { font-weight: normal; color: var(--muted); }
h2 { font-size: 1.15rem; border-bottom: 1px solid var(--line); padding-bottom: 4px; margin-top: 2rem; }
h3 { font-size: 1rem; }
.verdict { border: 2px solid var(--fg); border-left-width: 10px; padding: 12px 16px; border-radius: 6px; }
.verdict-passed { border-color: #1b7837; }
.verdict-failed { border-color: #b2182b; border-style: double; border-width: 4px 4px 4px 12px; }
.verdict-inconclusive { border-color: #b8860b; border-style: dashed; }
.badge { font-weight: 800; font-size: 1.2rem; letter-spacing: 0.05em; margin: 0; }
.headline { font-size: 1.05rem; }
.summary, .legend, .readout, figcaption, footer { color: var(--muted); }
.settings { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
.settings dt { font-weight: 600; }
.settings dd { margin: 0; overflow-wrap: anywhere; }
figure { margin: 0; }
.chart { width: 100%; min-height: 240px; }
.phase-chart { width: 100%; height: auto; max-height: 340px; }
.phase-chart .grid { stroke: #e5e5ea; }
.phase-chart .tick, .phase-chart .value { font-size: 11px; fill: var(--muted); }
.phase-chart .phase { font-size: 13px; font-weight: 600; fill: var(--fg); }
.phase-chart .threshold line { stroke: #111; stroke-width: 2; stroke-dasharray: 8 4; }
.phase-chart .threshold text { font-size: 11px; fill: #111; font-weight: 600; }
.phase-chart text { paint-order: stroke; stroke: #fff; stroke-width: 3px; stroke-linejoin: round; }
.key { white-space: nowrap; margin-right: 10px; }
.key-ok { color: #1b7837; } .key-timeout { color: #b2182b; } .key-other { color: #5e3c99; } .key-fault { color: #8a4500; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; font-size: 0.92rem; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
table.numbers td:not(:first-child) { text-align: right; font-variant-numeric: tabular-nums; }
code { font-size: 0.88em; overflow-wrap: anywhere; }
.mark { white-space: nowrap; font-weight: 600; }
.mark-fail { color: #b2182b; font-weight: 800; text-decoration: underline; }
.mark-inconclusive, .mark-not-met { color: #8a6d00; font-style: italic; }
.mark-pass, .mark-seen { color: #1b7837; }
.caveat { color: #8a4500; }
footer { margin: 2rem 0 1rem; font-size: 0.85rem; }
@media (max-width: 600px) {
  main { padding: 10px; }
  .settings { grid-template-columns: 1fr; }
  .settings dt { margin-top: 6px; }
  table.stack thead { display: none; }
  table.stack tr { display: block; border-bottom: 1px solid var(--line); padding: 6px 0; }
  table.stack td { display: block; border: 0; padding: 1px 0; text-align: left !important; }
  table.stack td::before { content: attr(data-label) ": "; font-weight: 600; color: var(--muted); }
}
@media print {
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  .readout { display: none; }
  section, figure, table { page-break-inside: avoid; break-inside: avoid; }
}
`;
