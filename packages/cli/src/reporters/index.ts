// The report formats, one module each behind reporters/reporter.ts, chosen by this one table (as
// vitest's reporters are): a new format is a new file and one entry here. Every format with a
// `file` becomes a `--<name> <file>` option on `run` and `report`.
import type { Report } from "../engine/report.js";
import { writeFileAtomic } from "../render/atomic-write.js";
import { makeChalk } from "../render/style.js";
import { html } from "./html.js";
import { json } from "./json.js";
import { junit } from "./junit.js";
import { markdown } from "./markdown.js";
import type { Reporter } from "./reporter.js";
import { summary } from "./summary.js";

export const REPORTERS = { summary, json, junit, markdown, html } satisfies Record<string, Reporter>;

export type ReportFormat = keyof typeof REPORTERS;
/** Formats written to files: each has a flag. */
export type FileFormat = Exclude<ReportFormat, "summary">;
export type ReportFiles = Partial<Record<FileFormat, string>>;

export const FILE_FORMATS = (Object.keys(REPORTERS) as ReportFormat[]).filter(
  (f): f is FileFormat => REPORTERS[f].file !== undefined,
);

/** The file reporters' flags, e.g. { json: "--json", ... }, for options and messages. */
export const fileFlag = (format: FileFormat) => (REPORTERS[format] as Reporter).file?.flag ?? `--${format}`;

/** The files asked for in a command's flags (`{ json: "r.json", html: "r.html" }`). */
export function reportFilesOf(flags: Record<string, unknown>): ReportFiles {
  const files: ReportFiles = {};
  for (const format of FILE_FORMATS) {
    const file = flags[format];
    if (typeof file === "string") files[format] = file;
  }
  return files;
}

/** A format's text, for files: no colour, no wrapping. */
export function renderReport(format: ReportFormat, report: Report): string {
  return REPORTERS[format].render(report, {
    chalk: makeChalk({ isTTY: false }, {}),
    width: Number.POSITIVE_INFINITY,
  });
}

export interface WrittenReports {
  written: string[];
  failed: { file: string; error: string }[];
}

/** Writes every report it can: one that fails does not stop the others. */
export async function writeReports(report: Report, files: ReportFiles): Promise<WrittenReports> {
  const out: WrittenReports = { written: [], failed: [] };
  for (const format of FILE_FORMATS) {
    const file = files[format];
    if (!file) continue;
    try {
      await writeFileAtomic(file, renderReport(format, report));
      out.written.push(file);
    } catch (error) {
      out.failed.push({ file, error: (error as NodeJS.ErrnoException).code ?? (error as Error).message });
    }
  }
  return out;
}
