// The one interface every report format implements: a name, the file flag that asks for it (the
// terminal summary has none: it is what a person sees on stdout), and a pure render from the
// report model to text. index.ts holds the table that picks them.
import type { Report } from "../engine/report.js";
import type { makeChalk } from "../render/style.js";

export interface ReporterContext {
  /** Colour for the terminal (level 0 for files and pipes). */
  chalk: ReturnType<typeof makeChalk>;
  /** Columns to lay out for; files are not wrapped. */
  width: number;
}

export interface Reporter {
  /** What the format is, for --help: "write the full report as JSON". */
  description: string;
  /** The option that writes it to a file (`--json <file>`); none for the terminal summary. */
  file?: { flag: `--${string}`; extension: string };
  render(report: Report, context: ReporterContext): string;
}
