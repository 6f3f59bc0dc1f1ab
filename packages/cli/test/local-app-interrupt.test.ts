// A Ctrl-C while the local world starts (dynalite, the proxy) means the user's app never starts:
// it may do things on start-up, and the person asked fislat to stop.
import { existsSync } from "node:fs";
import path from "node:path";
import { Chalk } from "chalk";
import { expect, it } from "vitest";
import { planRun } from "../src/commands/run-options.js";
import { prepareLocalApp } from "../src/environments/local-app.js";
import { createProgress } from "../src/render/progress.js";
import { Resources } from "../src/resources.js";
import { memoryOutput, testContext } from "./support/context.js";
import { tempDir } from "./support/temp-dir.js";

it("does not start your app once interrupted while dynalite and the proxy started", async () => {
  const dir = tempDir("fislat-interrupt-");
  const marker = path.join(dir, "app-started");
  const request = planRun(
    {
      local: true,
      app: `node -e "require('fs').writeFileSync('app-started', 'x'); setInterval(() => {}, 1000)"`,
      url: ["http://127.0.0.1:9/"],
      rate: "5",
    },
    dir,
  );
  const abort = new AbortController();
  // The Ctrl-C arrives as the proxy is registered, the last thing before the app would start.
  class InterruptedAtProxy extends Resources {
    override add(name: string, release: () => unknown, options?: { fault?: boolean }): void {
      super.add(name, release, options);
      if (name.startsWith("latency proxy")) abort.abort("SIGINT received");
    }
  }
  const resources = new InterruptedAtProxy();
  const ctx = testContext({ cwd: dir, resources });
  const progress = createProgress(memoryOutput(), new Chalk({ level: 0 }), {});
  try {
    await expect(prepareLocalApp(request, progress, abort.signal, ctx)).rejects.toThrow("SIGINT received");
    expect(resources.pending()).toEqual([expect.stringMatching(/^latency proxy/), expect.stringMatching(/^dynalite/)]);
  } finally {
    expect(await resources.releaseAll()).toEqual([]);
  }
  expect(existsSync(marker)).toBe(false);
});
