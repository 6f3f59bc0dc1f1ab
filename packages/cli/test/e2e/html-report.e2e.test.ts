/// <reference lib="dom" />
// The HTML report as a person sees it: a real local run writes it, Debian's headless Chromium
// opens it, and the test looks at what was drawn: no console errors, a chart with pixels on it,
// the fault's window and a threshold line, a page that fits a phone, and no request leaving the file.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../../src/engine/report.js";
import { openInChromium } from "../support/browser.js";
import { runCli } from "../support/cli.js";
import { reportFolder, SHORT_PHASES } from "../support/local-run.js";

const reports = reportFolder();
let report: Report;
const html = reports.file("timeout", "html");

beforeAll(async () => {
  const { code, stdout, stderr } = await runCli([
    "run",
    "--local",
    "--scenario",
    "timeout",
    ...SHORT_PHASES,
    "--threshold",
    "injection.rtt:p(99)<600",
    "--label",
    "suite=html",
    "--json",
    reports.file("timeout"),
    "--html",
    html,
  ]);
  expect(code, `${stdout}\n${stderr}`).toBe(0);
  expect(stdout).toContain(`report: ${html}`);
  report = reports.read("timeout");
}, 60_000);
afterAll(() => reports.remove());

describe("the HTML report of a real local run, in headless Chromium", () => {
  it("draws every round trip, the fault's window, /health changes and the threshold, with no console error and no request", async () => {
    const opened = await openInChromium(html);
    try {
      const { page } = opened;
      await page.waitForSelector("#timeline-figure[data-drawn-points]");
      const drawn = await page.evaluate(() => ({ ...(document.getElementById("timeline-figure")?.dataset ?? {}) }));
      const loop = report.roundTrips.filter((r) => r.src === "loop").length;
      expect(drawn).toMatchObject({ drawnFault: "1", drawnPoints: String(loop) });
      expect(Number(drawn.drawnThresholds)).toBeGreaterThanOrEqual(1);
      expect(Number(drawn.drawnHealth)).toBe(report.health.length);

      // The canvas has pixels on it, and the middle of the fault's window is shaded (orange-ish).
      const pixels = await page.evaluate(() => {
        const canvas = document.querySelector("#timeline canvas") as HTMLCanvasElement;
        const over = document.querySelector("#timeline .u-over") as HTMLElement;
        const ctx = canvas.getContext("2d") as CanvasRenderingContext2D;
        const all = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
        let painted = 0;
        for (let i = 3; i < all.length; i += 4) if ((all[i] ?? 0) > 0) painted++;
        const data = JSON.parse(document.getElementById("chart-data")?.textContent ?? "{}");
        const c = canvas.getBoundingClientRect();
        const o = over.getBoundingClientRect();
        const ratio = canvas.width / c.width;
        const at = (xSeconds: number) => {
          const x = Math.round((o.left - c.left + (xSeconds / data.end) * o.width) * ratio);
          const y = Math.round((o.top - c.top + o.height * 0.5) * ratio);
          return Array.from(ctx.getImageData(x, y, 1, 1).data);
        };
        return { painted, inFault: at((data.fault.from + data.fault.to) / 2), before: at(data.fault.from / 2) };
      });
      expect(pixels.painted).toBeGreaterThan(5000);
      const [r = 0, , b = 0, alpha = 0] = pixels.inFault;
      expect(alpha).toBeGreaterThan(0);
      expect(r - b).toBeGreaterThan(20);
      // Before the fault nothing is shaded: transparent, or at most a round trip's point or line
      // passing through (not the fault's orange).
      const [br = 0, , bb = 0, ba = 0] = pixels.before;
      expect(ba === 0 || br - bb <= 20, `pixel before the fault: ${pixels.before}`).toBe(true);

      // The per-phase chart draws the threshold over the injection's bars, marked held.
      const threshold = await page.$$eval(".phase-chart .threshold", (gs) =>
        gs.map((g) => ({ id: g.getAttribute("data-threshold"), text: g.textContent })),
      );
      expect(threshold).toEqual([{ id: "injection.rtt: p(99)<600", text: "✔ rtt: p(99)<600" }]);
      expect(await page.$$eval(".phase-chart rect.bar", (r) => r.length)).toBe(12);

      // The verdict, the label and the evidence are in the page as text.
      // biome-ignore lint/performance/useDomNodeTextContent: the rendered text is what a person reads
      const text = await page.evaluate(() => document.body.innerText);
      expect(text).toMatch(/✔ PASSED/);
      expect(text).toContain("suite=html");
      expect(text).toMatch(/Could the run be judged \(evidence checks\)/i);
      expect(opened.errors).toEqual([]);
      expect(opened.requests).toEqual([`file://${html}`]);
    } finally {
      await opened.close();
    }
  });

  it("fits a phone's width without sideways scrolling of the page", async () => {
    const opened = await openInChromium(html, { width: 375, height: 740 });
    try {
      await opened.page.waitForSelector("#timeline-figure[data-drawn-points]");
      const widths = await opened.page.evaluate(() => ({
        page: document.documentElement.scrollWidth,
        chart: (document.querySelector("#timeline canvas") as HTMLCanvasElement).getBoundingClientRect().width,
      }));
      expect(widths.page).toBeLessThanOrEqual(375);
      expect(widths.chart).toBeLessThanOrEqual(375);
      expect(opened.errors).toEqual([]);
    } finally {
      await opened.close();
    }
  });

  it("prints: the pointer readout is left out, the charts and tables stay, and a PDF comes out", async () => {
    const opened = await openInChromium(html);
    try {
      const { page } = opened;
      await page.waitForSelector("#timeline-figure[data-drawn-points]");
      await page.emulateMedia({ media: "print" });
      const shown = await page.evaluate(() => ({
        readout: getComputedStyle(document.getElementById("timeline-readout") as HTMLElement).display,
        canvas: (document.querySelector("#timeline canvas") as HTMLCanvasElement).getBoundingClientRect().height,
        svg: document.querySelectorAll(".phase-chart rect.bar").length,
      }));
      expect(shown).toMatchObject({ readout: "none", svg: 12 });
      expect(shown.canvas).toBeGreaterThan(100);
      const pdf = await page.pdf({ format: "A4" });
      expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
      expect(opened.errors).toEqual([]);
    } finally {
      await opened.close();
    }
  });

  it("is one file: the chart library, styles and data are inline", () => {
    const text = readFileSync(html, "utf8");
    expect(text).not.toMatch(/<script[^>]+src=|<link[^>]+href=|<img[^>]+src=|url\(\s*['"]?https?:/i);
    expect(text).toContain("default-src 'none'");
  });
});
