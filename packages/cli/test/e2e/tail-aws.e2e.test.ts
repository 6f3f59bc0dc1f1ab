// fislat tail as a user runs it: the built CLI over real HTTP to a fake CloudWatch Logs on loopback.
// --output json means what it means on every command: here, the probe's raw lines for jq.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../support/cli.js";
import { FakeAws, LOG_GROUP } from "../support/fake-aws-http.js";

const dir = mkdtempSync(path.join(os.tmpdir(), "fislat-tail-"));
const config = path.join(dir, "fislat.config.json");
writeFileSync(config, "{}");
const fake = new FakeAws();
let env: Record<string, string>;
beforeAll(async () => {
  await fake.start();
  env = Object.fromEntries(Object.entries(fake.env(dir)).filter(([, v]) => v !== undefined)) as Record<string, string>;
});
afterAll(async () => {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
});

const tail = (...flags: string[]) =>
  runCli(["--config", config, "tail", "--log-group", LOG_GROUP, "--since", "30s", ...flags], env);

describe("fislat tail against CloudWatch Logs", () => {
  it("prints the probe's raw JSON lines with --output json, and with the older --json", async () => {
    for (const flag of ["--output=json", "--json"]) {
      const { code, stdout, stderr } = await tail(flag);
      expect(code, stderr).toBe(0);
      const lines = stdout.trim().split("\n");
      expect(lines.length).toBeGreaterThan(10);
      for (const line of lines) expect(JSON.parse(line)).toMatchObject({ msg: "Round trip", seq: expect.any(Number) });
    }
    expect(fake.unserved).toEqual([]);
  });

  it("prints lines for a person by default: not JSON", async () => {
    const { code, stdout } = await tail();
    expect(code).toBe(0);
    const lines = stdout.trim().split("\n");
    expect(lines.length).toBeGreaterThan(10);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z +\S+ +ok +[\d.]+ ms/);
    expect(() => JSON.parse(lines[0] as string)).toThrow();
  });
});
