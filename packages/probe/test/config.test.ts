import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.js";

describe("loadConfig", () => {
  it("uses the documented defaults when nothing is set", () => {
    expect(loadConfig({})).toEqual({
      tableName: "MyTestTable",
      connectionTimeoutMs: 5000,
      readTimeoutMs: 5000,
      intervalMs: 5000,
      port: 80,
      healthFailureMs: 30_000,
      operation: "GetItem",
      key: "test1",
      keyAttribute: "id",
      maxAttempts: 1,
      testMaxConcurrent: 2,
    });
  });

  it("reads every variable, including fractional seconds", () => {
    const config = loadConfig({
      TABLE_NAME: "Other.Table-1",
      CONNECTION_TIMEOUT_MS: "500",
      READ_TIMEOUT_MS: "850",
      TEST_INTERVAL_SECONDS: "0.5",
      PORT: "8080",
      HEALTH_FAILURE_SECONDS: "2.5",
      PROBE_OPERATION: "Scan",
      PROBE_KEY: "test2",
      MAX_ATTEMPTS: "3",
    });
    expect(config).toMatchObject({
      tableName: "Other.Table-1",
      connectionTimeoutMs: 500,
      readTimeoutMs: 850,
      intervalMs: 500,
      port: 8080,
      healthFailureMs: 2500,
      operation: "Scan",
      key: "test2",
      maxAttempts: 3,
    });
  });

  it.each([
    [
      "CONNECTION_TIMEOUT_MS",
      "abc",
      /CONNECTION_TIMEOUT_MS="abc" is not valid: expected a whole number of milliseconds/,
    ],
    [
      "CONNECTION_TIMEOUT_MS",
      "-5",
      /CONNECTION_TIMEOUT_MS="-5" is out of range: expected a whole number of milliseconds from 1/,
    ],
    ["READ_TIMEOUT_MS", "1.5", /READ_TIMEOUT_MS="1.5" is not valid/],
    ["TEST_INTERVAL_SECONDS", "0", /TEST_INTERVAL_SECONDS="0" is out of range: expected a number of seconds from 0.01/],
    ["PORT", "70000", /PORT="70000" is out of range/],
    ["MAX_ATTEMPTS", "0", /MAX_ATTEMPTS="0" is out of range/],
    [
      "PROBE_OPERATION",
      "Delete",
      /PROBE_OPERATION="Delete" is not valid: expected one of GetItem, Query, Scan, DescribeTable/,
    ],
    ["TABLE_NAME", "a/b", /TABLE_NAME="a\/b" is not valid: expected 3 to 255 characters/],
  ])("rejects %s=%s naming the variable, the value and what is allowed", (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrowError(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrowError(message);
  });
});
