// The HTTP mode's settings (TARGET_*): parsed strictly by the contract, refused with the variable,
// the value and what is allowed, and never anything but a ProbeEnvError whatever the input.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.js";
import { isOkStatus, PROBE_ENV, parseProbeValue } from "../src/contract.js";

describe("the HTTP mode's settings", () => {
  it("are absent without TARGET_URL, and have defaults with it", () => {
    expect(loadConfig({}).target).toBeUndefined();
    expect(loadConfig({ TARGET_URL: "https://orders.example.com/orders/42" }).target).toEqual({
      url: "https://orders.example.com/orders/42",
      method: "GET",
      headers: {},
      body: undefined,
      okStatus: [
        [200, 299],
        [300, 399],
      ],
    });
  });

  it("reads every variable", () => {
    const config = loadConfig({
      TARGET_URL: "http://10.0.0.5:8080/orders?x=1",
      TARGET_METHOD: "PUT",
      TARGET_HEADERS: '{"Content-Type":"application/json","X-Api-Key":"k\\té"}',
      TARGET_BODY: ' {"a":1}\n',
      TARGET_OK_STATUS: "200-204, 404,3xx",
    });
    expect(config.target).toEqual({
      url: "http://10.0.0.5:8080/orders?x=1",
      method: "PUT",
      headers: { "content-type": "application/json", "x-api-key": "k\té" },
      body: ' {"a":1}\n',
      okStatus: [
        [200, 204],
        [404, 404],
        [300, 399],
      ],
    });
  });

  it("judges a status by the ranges", () => {
    const ranges = parseProbeValue(PROBE_ENV.TARGET_OK_STATUS, "2xx,404") as [number, number][];
    expect([200, 299, 404].map((s) => isOkStatus(s, ranges))).toEqual([true, true, true]);
    expect([199, 300, 403, 500].map((s) => isOkStatus(s, ranges))).toEqual([false, false, false, false]);
  });

  it.each([
    ["TARGET_URL", "orders.example.com/x", /TARGET_URL="orders.example.com\/x" is not a URL: expected an http/],
    ["TARGET_URL", "http://user:pw@host/", /must not carry credentials/],
    ["TARGET_URL", "", /TARGET_URL="" is blank/],
    [
      "TARGET_METHOD",
      "get",
      /TARGET_METHOD="get" is not valid: expected one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS/,
    ],
    ["TARGET_HEADERS", "authorization: x", /TARGET_HEADERS="authorization: x" is not JSON: expected a JSON object/],
    ["TARGET_HEADERS", '["a"]', /is not a JSON object/],
    ["TARGET_HEADERS", '{"a b":"x"}', /has a header name that is not valid \("a b"\)/],
    ["TARGET_HEADERS", '{"x":1}', /gives "x" a value that is not a string/],
    ["TARGET_HEADERS", '{"x":"a\\r\\nInjected: yes"}', /gives "x" a value with control characters/],
    ["TARGET_HEADERS", '{"X":"1","x":"2"}', /sets "x" twice/],
    ["TARGET_HEADERS", '{"Transfer-Encoding":"chunked"}', /sets "Transfer-Encoding", which the probe manages itself/],
    [
      "TARGET_HEADERS",
      JSON.stringify(Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`h${i}`, "v"]))),
      /has 51 headers/,
    ],
    ["TARGET_HEADERS", `{"x":"${"a".repeat(9000)}"}`, /is too long/],
    ["TARGET_OK_STATUS", "ok", /has "ok", which is not a status class, code or range/],
    ["TARGET_OK_STATUS", "6xx", /has "6xx"/],
    ["TARGET_OK_STATUS", "299-200", /the range 299-200, whose end is below its start/],
    ["TARGET_OK_STATUS", "2xx,", /has "", which is not/],
    [
      "TARGET_BODY",
      "x".repeat(70_000),
      /TARGET_BODY="x{60}"\.\.\. \(70000 characters\) is too long: expected at most 65536 characters/,
    ],
  ])("refuses %s=%j naming the variable and what is allowed", (name, value, message) => {
    const env = { TARGET_URL: "http://127.0.0.1:1/", [name]: value };
    expect(() => loadConfig(env)).toThrowError(ConfigError);
    expect(() => loadConfig(env)).toThrowError(message);
  });

  it("refuses a body for HEAD and the settings without TARGET_URL", () => {
    expect(() => loadConfig({ TARGET_URL: "http://h/", TARGET_METHOD: "HEAD", TARGET_BODY: "x" })).toThrowError(
      /TARGET_BODY is set but TARGET_METHOD is HEAD/,
    );
    for (const name of ["TARGET_METHOD", "TARGET_HEADERS", "TARGET_BODY", "TARGET_OK_STATUS"]) {
      expect(() => loadConfig({ [name]: "x" })).toThrowError(new RegExp(`${name} is set but TARGET_URL is not`));
    }
  });

  it("meets any text with a setting or a ProbeEnvError, never anything else", () => {
    const names = ["TARGET_URL", "TARGET_METHOD", "TARGET_HEADERS", "TARGET_BODY", "TARGET_OK_STATUS"] as const;
    const text = fc.oneof(
      fc.string({ maxLength: 300 }),
      fc.json(),
      fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer())).map((o) => JSON.stringify(o)),
      fc
        .array(fc.oneof(fc.constantFrom("1xx", "2xx", "200", "599", "100-599", ""), fc.string({ maxLength: 5 })))
        .map((a) => a.join(",")),
    );
    fc.assert(
      fc.property(fc.constantFrom(...names), text, (name, value) => {
        const env = { TARGET_URL: "http://127.0.0.1:1/", [name]: value };
        try {
          const target = loadConfig(env).target;
          expect(target).toBeDefined();
          for (const [k, v] of Object.entries(target?.headers ?? {})) {
            expect(k).toBe(k.toLowerCase());
            expect(v).not.toMatch(/[\r\n\0]/);
          }
        } catch (error) {
          expect(error).toBeInstanceOf(ConfigError);
          expect((error as Error).message.startsWith(`${name}`)).toBe(true);
          expect((error as Error).message.length).toBeLessThan(700);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
