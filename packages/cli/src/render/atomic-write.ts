// Reports are written whole or not at all: a temporary file beside the target, flushed, then
// renamed over it (rename is atomic within a folder). The temporary name is random, so two
// writers of the same file (two fislat processes, two reporters) never share one.
import { randomBytes } from "node:crypto";
import { open, rename, rm } from "node:fs/promises";
import path from "node:path";

const RANDOM_BYTES = 6;

/** How many bytes the temporary file's name adds to the report's: `.NAME.<12 hex digits>.tmp`. */
export const TEMP_NAME_EXTRA_BYTES = ".".length + ".".length + 2 * RANDOM_BYTES + ".tmp".length;

export async function writeFileAtomic(file: string, content: string): Promise<void> {
  const temp = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${randomBytes(RANDOM_BYTES).toString("hex")}.tmp`,
  );
  try {
    const handle = await open(temp, "wx");
    try {
      await handle.writeFile(content, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
