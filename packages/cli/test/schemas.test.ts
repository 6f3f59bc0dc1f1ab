// The shipped JSON Schemas are generated (pnpm schemas: scripts/schemas.mjs, from the TypeScript
// types and the fault and metric registries): a committed file that differs was edited by hand, or
// its types changed without regenerating it.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

interface SchemaEntry {
  file: string;
  type: string;
}
type Load = (module: string) => Promise<unknown>;
const generator = fileURLToPath(new URL("../../../scripts/schemas.mjs", import.meta.url));
const { SCHEMAS, generateSchema } = (await import(generator)) as {
  SCHEMAS: SchemaEntry[];
  generateSchema(entry: SchemaEntry, load: Load): Promise<string>;
};
// The registries' parts from source, as the rest of the tests see them (the script reads dist).
const src = fileURLToPath(new URL("../src/", import.meta.url));
const load: Load = (module) => import(/* @vite-ignore */ `${src}${module}.ts`);

describe("the shipped JSON Schemas", () => {
  it.each(SCHEMAS.map((entry) => [entry.file, entry] as const))(
    "%s is exactly what pnpm schemas generates from its type",
    async (file, entry) => {
      const committed = readFileSync(fileURLToPath(new URL(`../${file}`, import.meta.url)), "utf8");
      expect(committed, `regenerate with: pnpm schemas (${entry.type})`).toBe(await generateSchema(entry, load));
    },
    30_000,
  );
});
