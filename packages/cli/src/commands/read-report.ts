// Reading a JSON report back (fislat report, fislat compare): the file read, parsed and checked
// against the report schema that ships with the CLI, every refusal naming the file and exiting 2.
import { readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { Ajv } from "ajv";
import { oneLine, quoted } from "../engine/limits.js";
import { REPORT_SCHEMA_VERSION, type Report } from "../engine/report.js";
import { badInput } from "../errors.js";

const require = createRequire(import.meta.url);
const REPORT_SCHEMA = require("../../schemas/report.schema.json") as Record<string, unknown>;
let validate: ReturnType<Ajv["compile"]> | undefined;

/** Reports are bounded (F's aggregates beyond ~10,000 round trips); a much bigger file is a mistake. */
const MAX_REPORT_BYTES = 256 * 1024 * 1024;

/** `file` as given (in messages), read from `cwd` when relative. */
export function readReport(file: string, what: string, cwd: string): Report {
  let text: string;
  try {
    const stat = statSync(path.resolve(cwd, file));
    if (!stat.isFile()) throw badInput(`${what} ${quoted(file)} is not a regular file`);
    if (stat.size > MAX_REPORT_BYTES)
      throw badInput(`${what} ${quoted(file)} is ${stat.size} bytes: too big for a fislat report`);
    text = readFileSync(path.resolve(cwd, file), "utf8");
  } catch (error) {
    if ((error as { exitCode?: number }).exitCode !== undefined) throw error;
    throw badInput(
      `${what} ${quoted(file)}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw badInput(
      `${what} ${quoted(file)} is not JSON (${oneLine((error as Error).message)}): give a report written by fislat run --json`,
    );
  }
  const version = (data as { schemaVersion?: unknown } | null)?.schemaVersion;
  if ((data as { kind?: unknown } | null)?.kind === "sweep") {
    throw badInput(
      `${what} ${quoted(file)} is a sweep's report (fislat sweep --json), and this command reads one run's report: give a report written by fislat run --json, or one level's (its levels[].report); a sweep writes its own --html, --markdown and --junit`,
    );
  }
  if (version !== REPORT_SCHEMA_VERSION) {
    throw badInput(
      `${what} ${quoted(file)} is not a fislat report of schema version ${REPORT_SCHEMA_VERSION} (schemaVersion ${JSON.stringify(version ?? null)}): give a report written by fislat run --json`,
    );
  }
  validate ??= new Ajv({ allErrors: false, strict: false, validateFormats: false }).compile(REPORT_SCHEMA);
  if (!validate(data)) {
    const e = validate.errors?.[0];
    const field = e?.instancePath.replace(/^\//, "").replace(/\//g, ".") || "(the report)";
    throw badInput(`${what} ${quoted(file)}: ${field} ${e?.message ?? "is not valid"} (schemas/report.schema.json)`);
  }
  return data as Report;
}
