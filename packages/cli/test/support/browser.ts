// Opens a file in Debian's headless Chromium (no browser download: playwright-core drives the
// system's /usr/bin/chromium) with an empty profile, and records what a person's browser would
// show a developer: console errors, page errors, and every request the page makes.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type BrowserContext, chromium, type Page } from "playwright-core";

export const CHROMIUM = process.env.FISLAT_CHROMIUM ?? "/usr/bin/chromium";

export interface OpenedPage {
  page: Page;
  errors: string[];
  requests: string[];
  close(): Promise<void>;
}

export async function openInChromium(file: string, viewport = { width: 1000, height: 800 }): Promise<OpenedPage> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `no Chromium at ${CHROMIUM}: install Debian's (apt-get install -y chromium, as .ci/run does) or set FISLAT_CHROMIUM`,
    );
  }
  const profile = mkdtempSync(path.join(os.tmpdir(), "fislat-chromium-"));
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
      ],
    });
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  const requests: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => errors.push(`page: ${e.message}`));
  // Every request, the document's own included: anything else left the file.
  context.on("request", (r) => requests.push(r.url()));
  await page.goto(`file://${file}`, { waitUntil: "load" });
  return {
    page,
    errors,
    requests,
    close: async () => {
      await context?.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
