// fislat sweep --local against the user's own app (the second example): the sample app
// in test/fixtures/sample-app, with its own 1 s DynamoDB deadline, under open-loop load; each
// level starts the app afresh through run's local-app environment and stops it before the next.
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv } from "ajv";
import { afterAll, describe, expect, it } from "vitest";
import type { SweepReport } from "../../src/engine/sweep-report.js";
import { EXIT } from "../../src/errors.js";
import { startCli } from "../support/cli.js";
import { reportFolder } from "../support/local-run.js";

const require = createRequire(import.meta.url);
const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
ajv.addSchema(require("../../schemas/report.schema.json"), "report.schema.json");
const validSweep = ajv.compile(require("../../schemas/sweep-report.schema.json"));

const APP = `node ${path.join(path.dirname(fileURLToPath(import.meta.url)), "../fixtures/sample-app/server.mjs")}`;

const reports = reportFolder();
const running: ReturnType<typeof startCli>[] = [];
afterAll(() => {
  for (const r of running) r.child.kill("SIGKILL");
  reports.remove();
});

async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((r) => server.close(r));
  return port;
}

const groupAlive = (pgid: number) => {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
};

describe("fislat sweep --local --app", () => {
  it("finds where an app with a 1 s DynamoDB deadline breaks: holds at 700 ms, breaks by 1300 ms, each level's app stopped", async () => {
    const port = await freePort();
    const file = reports.file("app");
    // The app's output goes to a temporary file: kept in the test's folder.
    const run = startCli(
      [
        "sweep",
        "--local",
        "--app",
        APP,
        "--app-env",
        `PORT=${port}`,
        "--app-env",
        "DDB_TIMEOUT_MS=1000",
        "--url",
        `http://127.0.0.1:${port}/orders/test1`,
        "--rate",
        "20",
        "--baseline",
        "2s",
        "--duration",
        "4s",
        "--recovery",
        "2s",
        "--jitter",
        "0",
        "--delay",
        "100ms,1300ms",
        "--bisect",
        "800ms",
        "--threshold",
        "injection.failed:rate<0.05",
        "--json",
        file,
      ],
      { TMPDIR: reports.dir },
    );
    running.push(run);
    expect(await run.exit, run.stderr()).toBe(EXIT.passed);
    const report = JSON.parse(readFileSync(file, "utf8")) as SweepReport;
    expect(validSweep(report), JSON.stringify(validSweep.errors?.slice(0, 3))).toBe(true);
    expect(report.environment).toBe("local-app");
    expect(report.fault).toEqual({ kind: "latency", field: "delay", flag: "--delay", unit: "ms" });
    expect(report.levels.map((l) => [l.level, l.purpose, l.outcome])).toEqual([
      [100, "listed", "passed"],
      [1300, "listed", "failed"],
      [700, "bisection", "passed"],
    ]);
    expect(report.breakPoint).toEqual({ held: 700, broke: 1300 });
    // The timeout model is the probe's: no prediction is claimed for an app.
    expect(report.predicted).toBeNull();
    for (const entry of report.levels) {
      const pid = entry.report?.environment.app?.pid as number;
      expect(pid).toBeGreaterThan(0);
      expect(groupAlive(pid)).toBe(false);
    }
    expect(run.stdout().replace(/\s+/g, " ")).toMatch(/holds up to 700 ms .*; breaks at 1300 ms/);
  }, 120_000);
});
