// `fislat compare`'s formats, one table as for a run's reports: text for a person (each phase's
// BASE and RUN side by side, fitted to the width), JSON, Markdown and one self-contained HTML file.
import { type Comparison, type PhaseComparison, pText, type SideStats } from "../engine/compare.js";
import { formatRate, msCell } from "../engine/figures.js";
import { fitTable } from "../render/layout.js";
import { wrapProse } from "../render/wrap.js";
import { escapeHtml as h } from "./html-escape.js";
import { STYLES } from "./html-styles.js";

export interface ComparisonReporter {
  file?: { flag: `--${string}` };
  render(c: Comparison, width: number): string;
}

const interval = (i: [number | null, number | null]) => `${msCell(i[0])} to ${msCell(i[1])}`;

function rows(s: SideStats): string[] {
  return [
    String(s.roundTrips),
    s.failedShare === null
      ? "–"
      : `${formatRate(s.failedShare)} (${formatRate(s.failedShare95?.[0])} to ${formatRate(s.failedShare95?.[1])})`,
    `${msCell(s.p50)} (${interval(s.p50_95)})`,
    `${msCell(s.p90)} (${interval(s.p90_95)})`,
    `${msCell(s.p99)} (${interval(s.p99_95)})`,
  ];
}

export const COMPARISON_ROWS = [
  "round trips",
  "failed (95% CI)",
  "p50 ms (95% CI)",
  "p90 ms (95% CI)",
  "p99 ms (95% CI)",
];

function verdictLines(p: PhaseComparison): string[] {
  return [
    `latency: ${p.latency.worse ? "RUN is slower" : "not slower"} (Mann-Whitney U, one-sided p ${pText(p.latency.p)})`,
    `failed share: ${p.failedShare.worse ? "RUN fails more" : "not more"} (two-proportion z-test, one-sided p ${pText(p.failedShare.p)})`,
  ];
}

function headline(c: Comparison): string {
  if (c.incomparable.length > 0) return "CANNOT COMPARE";
  return c.worse ? "WORSE" : "NOT WORSE";
}

function closing(c: Comparison): string[] {
  if (c.incomparable.length > 0)
    return ["the two runs cannot be compared (exit 3):", ...c.incomparable.map((r) => `  - ${r}`)];
  if (c.worse) return ["RUN is worse than BASE (exit 1):", ...c.reasons.map((r) => `  - ${r}`)];
  return ["RUN is not worse than BASE by more than chance (exit 0)"];
}

const text: ComparisonReporter = {
  render(c, width) {
    const out = [
      `BASE ${c.base.file}: ${c.base.name}, ${c.base.startedAt} (${c.base.outcome})`,
      `RUN  ${c.run.file}: ${c.run.name}, ${c.run.startedAt} (${c.run.outcome})`,
      `method: ${c.method}; each test at p < ${pText(c.alpha)}`,
    ];
    for (const p of c.phases) {
      const table = COMPARISON_ROWS.map((label, i) => [label, rows(p.base)[i] ?? "", rows(p.run)[i] ?? ""]);
      out.push("", fitTable([p.phase, "BASE", "RUN"], table, width), ...verdictLines(p));
    }
    if (c.thresholds.length > 0) {
      out.push("", "thresholds against BASE:");
      for (const t of c.thresholds)
        out.push(
          `${t.status === "passed" ? "PASS" : t.status === "failed" ? "FAIL" : "INCONCLUSIVE"} ${t.id}: ${t.detail}`,
        );
    }
    out.push("", `${headline(c)}`, ...closing(c));
    return wrapProse(out.join("\n"), width);
  },
};

const json: ComparisonReporter = {
  file: { flag: "--json" },
  render: (c) => `${JSON.stringify(c, null, 2)}\n`,
};

const md = (s: string) => s.replace(/\|/g, "\\|");

const markdown: ComparisonReporter = {
  file: { flag: "--markdown" },
  render(c) {
    const icon = c.incomparable.length > 0 ? "⚠️" : c.worse ? "❌" : "✅";
    const out = [
      `## ${icon} fislat compare: ${headline(c)}`,
      "",
      `BASE \`${md(c.base.file)}\` (${md(c.base.name)}, ${c.base.startedAt}) against RUN \`${md(c.run.file)}\` (${md(c.run.name)}, ${c.run.startedAt}).`,
      "",
      `Method: ${md(c.method)}; each test at p < ${pText(c.alpha)}.`,
      "",
    ];
    for (const p of c.phases) {
      out.push(`| ${p.phase} | BASE | RUN |`, "|---|---|---|");
      COMPARISON_ROWS.forEach((label, i) => {
        out.push(`| ${label} | ${rows(p.base)[i]} | ${rows(p.run)[i]} |`);
      });
      out.push("", ...verdictLines(p).map((l) => `- ${md(l)}`), "");
    }
    if (c.thresholds.length > 0) {
      out.push("| threshold against BASE | result | detail |", "|---|---|---|");
      for (const t of c.thresholds)
        out.push(
          `| \`${md(t.id)}\` | ${t.status === "failed" ? "**✖ FAIL**" : t.status === "passed" ? "✔ PASS" : "▲ INCONCLUSIVE"} | ${md(t.detail)} |`,
        );
      out.push("");
    }
    out.push(...closing(c).map((l) => md(l)), "");
    return out.join("\n");
  },
};

const html: ComparisonReporter = {
  file: { flag: "--html" },
  render(c) {
    const shape = c.incomparable.length > 0 ? "▲" : c.worse ? "✖" : "✔";
    const tables = c.phases
      .map((p) => {
        const body = COMPARISON_ROWS.map(
          (label, i) =>
            `<tr><th scope="row">${h(label)}</th><td>${h(rows(p.base)[i] ?? "")}</td><td>${h(rows(p.run)[i] ?? "")}</td></tr>`,
        ).join("");
        return `<section><h2>${h(p.phase)}</h2><div class="scroll"><table class="numbers"><thead><tr><th></th><th scope="col">BASE</th><th scope="col">RUN</th></tr></thead><tbody>${body}</tbody></table></div><ul>${verdictLines(
          p,
        )
          .map((l) => `<li>${h(l)}</li>`)
          .join("")}</ul></section>`;
      })
      .join("\n");
    const thresholds = c.thresholds.length
      ? `<section><h2>Thresholds against BASE</h2><div class="scroll"><table><thead><tr><th>threshold</th><th>result</th><th>detail</th></tr></thead><tbody>${c.thresholds.map((t) => `<tr><td><code>${h(t.id)}</code></td><td class="mark">${t.status === "failed" ? "✖ FAIL" : t.status === "passed" ? "✔ PASS" : "▲ INCONCLUSIVE"}</td><td>${h(t.detail)}</td></tr>`).join("")}</tbody></table></div></section>`
      : "";
    const [first, ...rest] = closing(c);
    return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>${h(`fislat compare: ${headline(c)}`)}</title><style>${STYLES}</style></head>
<body><main>
<header class="verdict verdict-${c.incomparable.length ? "inconclusive" : c.worse ? "failed" : "passed"}">
<p class="badge"><span aria-hidden="true">${shape}</span> ${h(headline(c))}</p>
<h1>fislat compare</h1>
<p>BASE <code>${h(c.base.file)}</code> (${h(c.base.name)}, ${h(c.base.startedAt)}) against RUN <code>${h(c.run.file)}</code> (${h(c.run.name)}, ${h(c.run.startedAt)})</p>
<p class="headline">${h(first ?? "")}</p>${rest.length ? `<ul class="reasons">${rest.map((r) => `<li>${h(r.replace(/^ {2}- /, ""))}</li>`).join("")}</ul>` : ""}
<p class="summary">${h(c.method)}; each test at p &lt; ${h(pText(c.alpha))}.</p>
</header>
${tables}
${thresholds}
</main></body></html>
`;
  },
};

export const COMPARISON_REPORTERS = { text, json, markdown, html };
