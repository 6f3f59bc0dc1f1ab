#!/usr/bin/env node
// Generates the JSON Schemas that ship with the CLI (packages/cli/schemas/*.schema.json) from the
// TypeScript types they describe (ts-json-schema-generator reads the types and their JSDoc:
// descriptions, @pattern, @minimum, @asType integer...), plus the parts that registries own at
// run time (each fault kind's fields, the metric tables). One entry per schema in SCHEMAS; a test
// (packages/cli/test/schemas.test.ts) fails when a committed file differs from what this writes.
// Run: pnpm schemas (builds first: the registries' parts are imported from dist).
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createGenerator } from "ts-json-schema-generator";

const cli = fileURLToPath(new URL("../packages/cli/", import.meta.url));

/**
 * One shipped schema: the file, the type (and the module that exports it), and `fill`, which sets
 * the parts a registry owns. `load(module)` imports a module of packages/cli/src by its path there
 * ("engine/fault") from dist (this script) or from source (the test).
 */
export const SCHEMAS = [
  {
    file: "schemas/experiment.schema.json",
    source: "src/engine/experiment-file.ts",
    type: "ExperimentFile",
    async fill(schema, load) {
      const { faultSchema, hypothesisSchema } = await load("engine/experiment-file");
      schema.properties.fault = faultSchema();
      schema.properties.hypothesis = hypothesisSchema();
    },
  },
  {
    file: "schemas/report.schema.json",
    source: "src/engine/report.ts",
    type: "Report",
    async fill(schema, load) {
      const { faultReportSchema } = await load("engine/fault");
      Object.assign(schema.properties.parameters, faultReportSchema());
    },
  },
  {
    file: "schemas/sweep-report.schema.json",
    source: "src/engine/sweep-report.ts",
    type: "SweepReport",
    async fill(schema) {
      // Each level's run report is the run report's own schema, by reference, not a second copy.
      schema.properties.levels.items.properties.report = {
        description: "the level's own run report (report.schema.json); null when it could not start",
        oneOf: [{ type: "null" }, { $ref: "report.schema.json" }],
      };
    },
  },
];

/** The schema of `entry` as text, exactly as the committed file should hold it. */
export async function generateSchema(entry, load) {
  const generator = createGenerator({
    path: `${cli}${entry.source}`,
    type: entry.type,
    tsconfig: `${cli}tsconfig.schemas.json`,
    // Inlined rather than $ref'd: error messages walk the schema by the path ajv reports.
    expose: "none",
    topRef: false,
    jsDoc: "extended",
    // Objects are closed unless their type has an index signature ([key: string]: unknown).
    additionalProperties: false,
    sortProps: false,
    skipTypeCheck: true,
  });
  const schema = { $schema: "http://json-schema.org/draft-07/schema#", ...generator.createSchema(entry.type) };
  await entry.fill?.(schema, load);
  return `${JSON.stringify(schema, null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const load = (module) => import(`${cli}dist/${module}.js`);
  for (const entry of SCHEMAS) {
    writeFileSync(`${cli}${entry.file}`, await generateSchema(entry, load));
    process.stdout.write(`wrote packages/cli/${entry.file} from ${entry.type} (${entry.source})\n`);
  }
}
