// The app's keeper stops the app as promised: SIGTERM to its whole group, and SIGKILL only after
// the grace period, even when the shell that started it ends at the SIGTERM first (dash does not
// hand `sh -c "node server.js; ..."` over to the app; any shell keeps running for a command list).
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import type { AppOptions, AppProcess } from "../../src/local/app-process.js";
import { tempDir } from "../support/temp-dir.js";

const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../dist/local/app-process.js");

it("gives the app its grace period when the shell in front of it ends at the SIGTERM", async () => {
  const { startApp } = (await import(DIST)) as { startApp(options: AppOptions): Promise<AppProcess> };
  const dir = tempDir("fislat-keeper-");
  // Closing takes the app 300 ms after its SIGTERM; the shell stays its parent (a command list).
  const app = `node -e "process.on('SIGTERM', () => setTimeout(() => { require('fs').writeFileSync('closed', 'x'); process.exit(0); }, 300)); console.log('ready'); setInterval(() => {}, 1000)"; true`;
  const started = await startApp({
    command: app,
    cwd: dir,
    env: { PATH: process.env.PATH ?? "" },
    outputFile: path.join(dir, "app.log"),
    graceMs: 5000,
    host: { execPath: process.execPath, kill: (pid, signal) => process.kill(pid, signal) },
  });
  try {
    // The app has its handler in place before it is asked to stop.
    for (let i = 0; i < 100 && !readFileSync(path.join(dir, "app.log"), "utf8").includes("ready"); i++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    await started.stop();
    expect(existsSync(path.join(dir, "closed")), started.lastLines()).toBe(true);
    expect(started.exitedWith()).toMatchObject({ requested: true });
  } finally {
    await started.stop();
  }
});
