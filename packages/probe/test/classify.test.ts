import { describe, expect, it } from "vitest";
import { classifyError } from "../src/classify.js";

const err = (fields: Record<string, unknown>) => Object.assign(new Error(String(fields.message ?? "boom")), fields);

describe("classifyError", () => {
  it.each([
    [{ name: "TimeoutError", message: "the request socket timed out after 500 ms of inactivity" }, "timeout"],
    [{ name: "TimeoutError", code: "ETIMEDOUT", message: "exceeded requestTimeout" }, "timeout"],
    [
      {
        name: "TimeoutError",
        message:
          "the request socket did not establish a connection with the server within the configured timeout of 500 ms.",
      },
      "connect_timeout",
    ],
    [{ name: "TimeoutError", code: "ECONNRESET", message: "socket hang up" }, "network"],
    [{ name: "Error", code: "ECONNREFUSED", message: "connect ECONNREFUSED" }, "network"],
    [{ name: "ProvisionedThroughputExceededException", $metadata: { httpStatusCode: 400 } }, "throttled"],
    [{ name: "ThrottlingException" }, "throttled"],
    [{ name: "ResourceNotFoundException", $metadata: { httpStatusCode: 400 } }, "table_not_found"],
    [{ name: "AccessDeniedException" }, "access_denied"],
    [{ name: "UnrecognizedClientException" }, "access_denied"],
    [{ name: "SyntaxError", message: "Unexpected token <" }, "other"],
  ])("classifies %o as %s", (fields, kind) => {
    expect(classifyError(err(fields)).kind).toBe(kind);
  });

  it("keeps the name, code, message and HTTP status", () => {
    expect(
      classifyError(
        err({ name: "ResourceNotFoundException", message: "no table", $metadata: { httpStatusCode: 400 } }),
      ),
    ).toEqual({ kind: "table_not_found", message: "ResourceNotFoundException: no table", httpStatus: 400 });
    expect(classifyError("a string").message).toBe("Error: a string");
  });
});
