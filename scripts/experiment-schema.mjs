#!/usr/bin/env node
// Writes the experiment file schema's `fault` from the fault kinds' modules (built dist), so the
// published schema names every kind and its fields. Run after `pnpm build`: node scripts/experiment-schema.mjs
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const file = fileURLToPath(new URL("../packages/cli/schemas/experiment.schema.json", import.meta.url));
const { faultSchema } = await import("../packages/cli/dist/engine/experiment-file.js");
const schema = JSON.parse(readFileSync(file, "utf8"));
schema.properties.fault = faultSchema();
writeFileSync(file, `${JSON.stringify(schema, null, 2)}\n`);
process.stdout.write(`wrote the fault kinds into ${file}\n`);
