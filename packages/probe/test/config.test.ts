import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.js";
import {
  allowedText,
  durationEnvValue,
  durationLimitsMs,
  LOCAL_PROBE_ENV,
  PROBE_ENV,
  PROBE_PATHS,
  parseProbeEnv,
  ROUND_TRIP_MAX_RESPONSE_BYTES,
  roundTripDeadlineMs,
  showValue,
} from "../src/contract.js";

describe("loadConfig", () => {
  it("uses the documented defaults when nothing is set", () => {
    expect(loadConfig({})).toEqual({
      tableName: "MyTestTable",
      connectionTimeoutMs: 5000,
      readTimeoutMs: 5000,
      intervalMs: 5000,
      port: 80,
      host: undefined,
      healthFailureMs: 30_000,
      operation: "GetItem",
      key: "test1",
      keyAttribute: "id",
      maxAttempts: 1,
      testMaxConcurrent: 2,
      exitOnStdinEnd: false,
      endpoint: undefined,
    });
  });

  it("reads every variable, including fractional seconds", () => {
    const config = loadConfig({
      TABLE_NAME: "Other.Table-1",
      CONNECTION_TIMEOUT_MS: "500",
      READ_TIMEOUT_MS: "850",
      TEST_INTERVAL_SECONDS: "0.5",
      PORT: "8080",
      PROBE_HOST: "127.0.0.1",
      HEALTH_FAILURE_SECONDS: "2.5",
      PROBE_OPERATION: "Scan",
      PROBE_KEY: "test2",
      PROBE_KEY_ATTRIBUTE: "pk",
      MAX_ATTEMPTS: "3",
      TEST_MAX_CONCURRENT: "4",
      PROBE_EXIT_ON_STDIN_END: "1",
      AWS_ENDPOINT_URL_DYNAMODB: "http://127.0.0.1:8000",
    });
    expect(config).toEqual({
      tableName: "Other.Table-1",
      connectionTimeoutMs: 500,
      readTimeoutMs: 850,
      intervalMs: 500,
      port: 8080,
      host: "127.0.0.1",
      healthFailureMs: 2500,
      operation: "Scan",
      key: "test2",
      keyAttribute: "pk",
      maxAttempts: 3,
      testMaxConcurrent: 4,
      exitOnStdinEnd: true,
      endpoint: "http://127.0.0.1:8000",
    });
  });

  it.each([
    ["PROBE_HOST", "::1"],
    ["PROBE_HOST", "0.0.0.0"],
    ["PROBE_HOST", "localhost"],
    ["PROBE_HOST", "::"],
    ["PORT", "0"],
    ["HEALTH_FAILURE_SECONDS", "0"],
    ["TEST_INTERVAL_SECONDS", "0.01"],
    ["TEST_INTERVAL_SECONDS", "3600"],
    ["AWS_ENDPOINT_URL_DYNAMODB", "https://dynamodb.eu-west-1.amazonaws.com"],
    ["AWS_ENDPOINT_URL_DYNAMODB", "http://[::1]:8000/"],
  ])("accepts %s=%s", (name, value) => {
    expect(() => loadConfig({ [name]: value })).not.toThrow();
  });

  it.each([
    [
      "CONNECTION_TIMEOUT_MS",
      "abc",
      /CONNECTION_TIMEOUT_MS="abc" is not valid: expected a whole number of milliseconds from 1 to 600000/,
    ],
    ["CONNECTION_TIMEOUT_MS", "0x10", /CONNECTION_TIMEOUT_MS="0x10" is not valid: expected a whole number/],
    ["READ_TIMEOUT_MS", "1e3", /READ_TIMEOUT_MS="1e3" is not valid/],
    ["READ_TIMEOUT_MS", "+5", /READ_TIMEOUT_MS="\+5" is not valid/],
    ["READ_TIMEOUT_MS", "-0", /READ_TIMEOUT_MS="-0" is not valid/],
    ["READ_TIMEOUT_MS", "-5", /READ_TIMEOUT_MS="-5" is not valid/],
    ["READ_TIMEOUT_MS", "0", /READ_TIMEOUT_MS="0" is out of range: expected a whole number of milliseconds from 1/],
    ["READ_TIMEOUT_MS", "1.5", /READ_TIMEOUT_MS="1.5" is not valid/],
    ["READ_TIMEOUT_MS", "010", /READ_TIMEOUT_MS="010" is not valid/],
    ["READ_TIMEOUT_MS", "1_000", /READ_TIMEOUT_MS="1_000" is not valid/],
    ["READ_TIMEOUT_MS", " 500", /READ_TIMEOUT_MS=" 500" is not valid/],
    ["READ_TIMEOUT_MS", "", /READ_TIMEOUT_MS="" is blank: expected a whole number/],
    ["READ_TIMEOUT_MS", "   ", /READ_TIMEOUT_MS=" {3}" is blank/],
    ["READ_TIMEOUT_MS", "Infinity", /is not valid/],
    ["TEST_INTERVAL_SECONDS", "0", /TEST_INTERVAL_SECONDS="0" is out of range: expected a number of seconds from 0.01/],
    ["TEST_INTERVAL_SECONDS", "7200", /is out of range: expected a number of seconds from 0.01 to 3600/],
    ["TEST_INTERVAL_SECONDS", "0.0001", /is not valid: .*at most 3 after the point/],
    ["TEST_INTERVAL_SECONDS", ".5", /is not valid/],
    ["TEST_INTERVAL_SECONDS", "5.", /is not valid/],
    ["HEALTH_FAILURE_SECONDS", "1e3", /HEALTH_FAILURE_SECONDS="1e3" is not valid/],
    ["HEALTH_FAILURE_SECONDS", "172800", /is out of range/],
    ["PORT", "70000", /PORT="70000" is out of range: expected a whole port number from 0 to 65535/],
    ["PORT", "0x50", /PORT="0x50" is not valid/],
    ["MAX_ATTEMPTS", "0", /MAX_ATTEMPTS="0" is out of range/],
    [
      "PROBE_OPERATION",
      "Delete",
      /PROBE_OPERATION="Delete" is not valid: expected one of GetItem, Query, Scan, DescribeTable/,
    ],
    ["PROBE_OPERATION", "", /PROBE_OPERATION="" is blank/],
    ["TABLE_NAME", "a/b", /TABLE_NAME="a\/b" is not valid: expected 3 to 255 characters/],
    ["TABLE_NAME", "ab", /TABLE_NAME="ab" has the wrong length/],
    ["PROBE_KEY_ATTRIBUTE", "", /PROBE_KEY_ATTRIBUTE="" is blank/],
    ["PROBE_KEY_ATTRIBUTE", "  ", /PROBE_KEY_ATTRIBUTE=" {2}" is blank/],
    ["PROBE_KEY", " id ", /PROBE_KEY=" id " has blanks around it/],
    ["PROBE_HOST", "not a host", /PROBE_HOST="not a host" is not valid: expected an IP address/],
    ["PROBE_HOST", "300.1.1.1", /PROBE_HOST="300.1.1.1" is not valid/],
    ["PROBE_EXIT_ON_STDIN_END", "yes", /PROBE_EXIT_ON_STDIN_END="yes" is not valid: expected true, false, 1 or 0/],
    ["AWS_ENDPOINT_URL_DYNAMODB", "not a url", /AWS_ENDPOINT_URL_DYNAMODB="not a url" is not a URL: expected an http/],
    ["AWS_ENDPOINT_URL_DYNAMODB", "ftp://host/", /is not an http or https URL/],
    ["AWS_ENDPOINT_URL_DYNAMODB", "http://u:p@host/", /must not carry credentials/],
  ])("rejects %s=%j naming the variable, the value and what is allowed", (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrowError(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrowError(message);
  });

  it("cuts a long value short in the refusal", () => {
    const value = "9".repeat(100_000);
    let message = "";
    try {
      loadConfig({ READ_TIMEOUT_MS: value });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^READ_TIMEOUT_MS="9{60}"\.\.\. \(100000 characters\) is out of range/);
    expect(message.length).toBeLessThan(250);
    expect(showValue("short")).toBe('"short"');
  });
});

describe("the contract", () => {
  it("names every variable by its key and states limits the parser applies", () => {
    for (const [key, spec] of Object.entries(PROBE_ENV)) {
      expect(spec.name).toBe(key);
      expect(spec.description.length).toBeGreaterThan(10);
      if (spec.kind === "integer" || spec.kind === "decimal") {
        const over = spec.kind === "integer" ? String(spec.max + 1) : String(spec.max + 0.001);
        expect(() => parseProbeEnv({ [key]: String(spec.max) })).not.toThrow();
        expect(() => parseProbeEnv({ [key]: String(spec.min) })).not.toThrow();
        expect(() => parseProbeEnv({ [key]: over })).toThrowError(allowedText(spec));
      }
    }
  });

  it("keeps every duration within what a Node timer holds", () => {
    const ms = (spec: { unit: string; max: number }) => (spec.unit === "s" ? spec.max * 1000 : spec.max);
    for (const spec of Object.values(PROBE_ENV)) {
      if (spec.unit === "ms" || spec.unit === "s") expect(ms(spec)).toBeLessThanOrEqual(2_147_483_647);
    }
    const longest = roundTripDeadlineMs({
      connectionTimeoutMs: PROBE_ENV.CONNECTION_TIMEOUT_MS.max,
      readTimeoutMs: PROBE_ENV.READ_TIMEOUT_MS.max,
      maxAttempts: PROBE_ENV.MAX_ATTEMPTS.max,
    });
    expect(longest).toBeLessThanOrEqual(2_147_483_647);
  });

  it("gives each attempt its connection and read timeout as the round trip's deadline", () => {
    expect(roundTripDeadlineMs({ connectionTimeoutMs: 500, readTimeoutMs: 500, maxAttempts: 1 })).toBe(1000);
    expect(roundTripDeadlineMs({ connectionTimeoutMs: 100, readTimeoutMs: 400, maxAttempts: 3 })).toBe(1500);
    expect(ROUND_TRIP_MAX_RESPONSE_BYTES).toBe(1_048_576);
  });

  it("has the paths and the local launcher's settings, which the parser accepts", () => {
    expect(PROBE_PATHS).toEqual({ health: "/health", live: "/live", test: "/test" });
    expect(parseProbeEnv({ ...LOCAL_PROBE_ENV })).toMatchObject({ host: "127.0.0.1", exitOnStdinEnd: true });
  });

  it("gives duration limits in milliseconds and writes values the parser reads back", () => {
    expect(durationLimitsMs(PROBE_ENV.TEST_INTERVAL_SECONDS)).toEqual({ minMs: 10, maxMs: 3_600_000, defaultMs: 5000 });
    expect(durationLimitsMs(PROBE_ENV.READ_TIMEOUT_MS)).toEqual({ minMs: 1, maxMs: 600_000, defaultMs: 5000 });
    expect(durationLimitsMs(PROBE_ENV.HEALTH_FAILURE_SECONDS)).toMatchObject({ minMs: 0, maxMs: 86_400_000 });
    expect(() => durationLimitsMs(PROBE_ENV.PORT)).toThrow(/not a duration/);
    for (const ms of [10, 1234, 500, 3_600_000]) {
      const value = durationEnvValue(PROBE_ENV.TEST_INTERVAL_SECONDS, ms);
      expect(parseProbeEnv({ TEST_INTERVAL_SECONDS: value }).intervalMs).toBe(ms);
    }
    expect(durationEnvValue(PROBE_ENV.READ_TIMEOUT_MS, 500)).toBe("500");
  });
});
