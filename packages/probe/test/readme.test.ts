// The README's probe table states what the contract defines: every variable, its default and its
// limits, so the documentation cannot drift from the one definition.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { PROBE_ENV, PROBE_PATHS, ROUND_TRIP_MAX_RESPONSE_BYTES } from "../src/contract.js";

const readme = readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../README.md"), "utf8");
const section = readme.slice(readme.indexOf("## The probe ("), readme.indexOf("## The latency proxy ("));

function row(name: string): string[] {
  const line = section.split("\n").find((l) => l.startsWith(`| \`${name}\` |`));
  if (!line) throw new Error(`the README's probe table has no row for ${name}`);
  return line.split("|").map((cell) => cell.trim());
}

describe("the README's probe table", () => {
  it.each(Object.values(PROBE_ENV))("states $name as the contract defines it", (spec) => {
    const [, , defaultCell, allowedCell] = row(spec.name);
    if ("default" in spec && spec.default !== undefined) expect(defaultCell).toContain(`\`${spec.default}\``);
    if (spec.kind === "integer" || spec.kind === "decimal") {
      expect(allowedCell).toContain(`${spec.min} to ${spec.max}`);
    }
    if (spec.kind === "choice") for (const choice of spec.choices) expect(allowedCell).toContain(`\`${choice}\``);
  });

  it("names the paths and the round trip's limits", () => {
    for (const p of Object.values(PROBE_PATHS)) expect(section).toContain(`| \`GET ${p}\` |`);
    expect(section).toContain(`${ROUND_TRIP_MAX_RESPONSE_BYTES} bytes`);
    expect(section).toContain("`MAX_ATTEMPTS` × (`CONNECTION_TIMEOUT_MS` + `READ_TIMEOUT_MS`)");
  });
});
