// The probe image, built without Docker by executing the Dockerfile's own steps
// (scripts/probe-image.mjs), then started from the result and asked for a round trip.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type LocalDynamo, startLocalDynamo } from "@fislat/dynamo-local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROBE_PATHS } from "../../dist/contract.js";
import { PROBE_NODE_FLAGS } from "../../dist/launch.js";
import { isRoundTrip } from "../support/lines.js";
import { killStrayProbes, type ProbeProcess, startProbeProcess } from "../support/probe-process.js";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../..");
const script = path.join(repo, "scripts/probe-image.mjs");

describe("the probe image", () => {
  let out: string;
  let manifest: { appDir: string; cmd: string[]; env: Record<string, string>; user: string; image: string };
  let db: LocalDynamo;
  let probe: ProbeProcess | undefined;

  beforeAll(async () => {
    out = mkdtempSync(path.join(os.tmpdir(), "fislat-image-"));
    await promisify(execFile)(process.execPath, [script, "build", "--out", out], { timeout: 180_000 });
    manifest = JSON.parse(readFileSync(path.join(out, "image.json"), "utf8"));
    db = await startLocalDynamo();
  }, 200_000);

  afterAll(async () => {
    await probe?.stop("SIGKILL");
    killStrayProbes();
    await db?.close();
    rmSync(out, { recursive: true, force: true });
  });

  it("is a slim Node image that runs the probe as a non-root user on port 80", () => {
    expect(manifest.image).toMatch(/^node:\d+-[a-z]+-slim$/);
    expect(manifest.user).toBe("node");
    expect(manifest.cmd).toEqual(["node", ...PROBE_NODE_FLAGS, "dist/main.js"]);
    expect(manifest.env.NODE_ENV).toBe("production");
    const dockerfile = readFileSync(path.join(repo, "Dockerfile"), "utf8");
    expect(dockerfile.match(/^FROM /gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/^EXPOSE 80$/m);
  });

  it("holds the built probe and its production dependencies only", () => {
    expect(existsSync(path.join(manifest.appDir, "dist/main.js"))).toBe(true);
    expect(existsSync(path.join(manifest.appDir, "src"))).toBe(false);
    const store = readdirSync(path.join(manifest.appDir, "node_modules/.pnpm"));
    expect(store.some((p) => p.startsWith("@aws-sdk+client-dynamodb@"))).toBe(true);
    expect(store.filter((p) => /^(typescript|vitest|dynalite|@types\+node|@fislat)/.test(p))).toEqual([]);
  });

  it("starts from the result and measures a round trip", async () => {
    probe = await startProbeProcess(db.endpoint, { TEST_INTERVAL_SECONDS: "0.2" }, [script, "start", "--out", out]);
    const line = await probe.log.waitFor(isRoundTrip());
    expect(line.parsed).toMatchObject({ type: "round-trip", record: { ok: true, table: "MyTestTable" } });
    const health = await fetch(probe.url("/health"));
    expect(health.status).toBe(200);
    expect((await probe.stop("SIGTERM")).code).toBe(0);
  });

  it("has a container health check on /live that stays healthy while DynamoDB cannot be reached", async () => {
    const dockerfile = readFileSync(path.join(repo, "Dockerfile"), "utf8");
    const check = /^HEALTHCHECK [^\n]*\\\n\s*CMD (\[.*\])$/m.exec(dockerfile);
    const argv = JSON.parse(check?.[1] ?? "[]") as string[];
    expect(argv[0]).toBe("node");
    expect(argv.join(" ")).toContain(`'${PROBE_PATHS.live}'`);
    probe = await startProbeProcess(
      "http://127.0.0.1:9", // discard port: nothing listens, every round trip fails
      { TEST_INTERVAL_SECONDS: "0.1", HEALTH_FAILURE_SECONDS: "0.2" },
      [script, "start", "--out", out],
    );
    await probe.log.waitFor((l) => l.json?.msg === "Health changed" && l.json.healthy === false);
    expect((await fetch(probe.url(PROBE_PATHS.health))).status).toBe(503);
    const run = (port: number) =>
      promisify(execFile)(process.execPath, argv.slice(1), { env: { PORT: String(port) }, timeout: 10_000 }).then(
        () => 0,
        (error: { code?: number }) => error.code ?? -1,
      );
    expect(await run(probe.port)).toBe(0);
    await probe.stop("SIGTERM");
    expect(await run(probe.port)).toBe(1); // and it does fail when nothing serves
  });
});
