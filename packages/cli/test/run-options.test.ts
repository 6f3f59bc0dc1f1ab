import { readdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { resolveRunOptions } from "../src/commands/run-options.js";
import { parseDuration, toIsoDuration } from "../src/durations.js";
import { EXIT, FislatError } from "../src/errors.js";
import { writeFileAtomic } from "../src/render/atomic-write.js";
import { tempDir } from "./support/temp-dir.js";

describe("parseDuration", () => {
  it.each([
    ["45s", 45_000],
    ["5m", 300_000],
    ["500ms", 500],
    ["1.5s", 1500],
    ["PT5M", 300_000],
    ["PT1M30S", 90_000],
    ["pt2s", 2000],
  ])("reads %s", (text, expected) => {
    expect(parseDuration("--duration", text)).toBe(expected);
  });

  it.each(["abc", "30", "-5s", "0s", "P", ""])("refuses %j, naming the flag and the allowed forms", (text) => {
    expect(() => parseDuration("--duration", text)).toThrowError(
      new FislatError(
        `--duration ${JSON.stringify(text)} is not a duration: use a positive number with a unit (500ms, 45s, 5m) or ISO 8601 (PT5M)`,
        EXIT.badInput,
      ),
    );
  });

  it("writes ISO 8601 for FIS", () => {
    expect(toIsoDuration(300_000)).toBe("PT5M");
    expect(toIsoDuration(90_000)).toBe("PT90S");
  });
});

describe("resolveRunOptions", () => {
  it("uses the scenario's timeouts and the local defaults", () => {
    expect(resolveRunOptions({ scenario: "succeed" })).toMatchObject({
      connectionTimeoutMs: 2000,
      readTimeoutMs: 2000,
      delayMs: 800,
      jitterMs: 50,
      baselineMs: 10_000,
      injectionMs: 40_000,
      recoveryMs: 10_000,
      intervalMs: 1000,
      healthFailureMs: 30_000,
    });
  });

  it("lets flags override the timeouts while keeping the hypothesis", () => {
    const options = resolveRunOptions({ scenario: "succeed", readTimeout: "500", connectionTimeout: "0.6s" });
    expect(options).toMatchObject({ readTimeoutMs: 500, connectionTimeoutMs: 600 });
    expect(options.scenario.expect).toBe("success");
  });

  const refusal = (flags: Parameters<typeof resolveRunOptions>[0]) => {
    try {
      resolveRunOptions(flags);
    } catch (error) {
      expect(error).toBeInstanceOf(FislatError);
      expect((error as FislatError).exitCode).toBe(EXIT.badInput);
      return (error as Error).message;
    }
    throw new Error("expected a refusal");
  };

  it("refuses bad input with a message naming the flag and what is allowed", () => {
    expect(refusal({ scenario: "chaos" })).toBe(
      '--scenario "chaos" is not a scenario: expected one of timeout, succeed, edge',
    );
    expect(refusal({ jitter: "900" })).toMatch(/--jitter 900 ms exceeds --delay 800 ms/);
    expect(refusal({ readTimeout: "0" })).toMatch(
      /--read-timeout "0" is out of range: expected whole milliseconds from 1/,
    );
    expect(refusal({ interval: "5ms" })).toMatch(/--interval "5ms" is too short/);
    expect(refusal({ json: "/no/such/folder/report.json" })).toMatch(
      /--json "\/no\/such\/folder\/report.json": the folder/,
    );
    expect(refusal({ markdown: os.tmpdir() })).toMatch(/is a folder/);
  });
});

describe("writeFileAtomic", () => {
  it("replaces the file whole and leaves no temporary file behind", async () => {
    const dir = tempDir("fislat-atomic-");
    const file = path.join(dir, "report.json");
    writeFileSync(file, "old");
    await writeFileAtomic(file, "new content");
    expect(readdirSync(dir)).toEqual(["report.json"]);
    const { readFileSync } = await import("node:fs");
    expect(readFileSync(file, "utf8")).toBe("new content");
  });

  it("leaves the old file untouched when the write fails", async () => {
    const dir = tempDir("fislat-atomic-");
    const target = path.join(dir, "sub");
    const { mkdirSync, readFileSync } = await import("node:fs");
    mkdirSync(target);
    writeFileSync(path.join(target, "keep"), "x");
    // Renaming a file over a non-empty folder fails: the folder and its content stay as they were.
    await expect(writeFileAtomic(target, "content")).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(["sub"]);
    expect(readFileSync(path.join(target, "keep"), "utf8")).toBe("x");
  });
});
