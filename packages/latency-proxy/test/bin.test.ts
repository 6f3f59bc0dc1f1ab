// The proxy's command line as the README shows it: a real process, a real upstream.
import { spawn } from "node:child_process";
import { once } from "node:events";
import net from "node:net";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../dist/bin.js");

describe("fislat-latency-proxy", () => {
  it("listens, starts the fault after --after, ends it after --duration, and exits 0 on SIGTERM", async () => {
    const upstream = net.createServer((s) => s.pipe(s)).listen(0, "127.0.0.1");
    await once(upstream, "listening");
    const target = `127.0.0.1:${(upstream.address() as net.AddressInfo).port}`;
    const child = spawn(process.execPath, [
      BIN,
      "--target",
      target,
      "--delay",
      "100",
      "--jitter",
      "10",
      "--after",
      "0",
      "--duration",
      "0.3",
      "--seed",
      "42",
    ]);
    const lines: Record<string, unknown>[] = [];
    const seen = new Promise<void>((resolve) => {
      readline.createInterface({ input: child.stdout }).on("line", (l) => {
        lines.push(JSON.parse(l));
        if (lines.some((x) => x.msg === "Fault stop")) resolve();
      });
    });
    await seen;
    expect(lines.map((l) => l.msg)).toEqual(["Proxy listening", "Fault start", "Fault stop"]);
    expect(lines[0]).toMatchObject({ seed: 42 });
    expect(lines[1]).toMatchObject({ delayMs: 100, jitterMs: 10, maxDurationMs: 300 });
    expect(lines[2]).toMatchObject({ reason: "time-limit" });
    child.kill("SIGTERM");
    const [code] = await once(child, "exit");
    expect(code).toBe(0);
    upstream.close();
  });

  it("explains every flag with its default and range in --help, exit 0", async () => {
    const child = spawn(process.execPath, [BIN, "--help"]);
    let stdout = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    const [code] = await once(child, "exit");
    expect(code).toBe(0);
    for (const flag of ["--target", "--listen", "--delay", "--jitter", "--after", "--duration", "--seed"]) {
      expect(stdout).toMatch(new RegExp(`^  ${flag} \\S+ +\\S`, "m"));
    }
    expect(stdout).toMatch(/--delay MS +mean delay, 0 to 86400000 ms \(default 800\)/);
  });

  it("refuses a missing --target or a bad number with exit 2 and the usage", async () => {
    for (const args of [[], ["--target", "127.0.0.1:1", "--delay", "soon"]]) {
      const child = spawn(process.execPath, [BIN, ...args]);
      let stderr = "";
      child.stderr.on("data", (d) => {
        stderr += d;
      });
      const [code] = await once(child, "exit");
      expect(code).toBe(2);
      expect(stderr).toMatch(/usage: fislat-latency-proxy --target HOST:PORT/);
    }
  });

  it.each([
    [
      ["--target", "127.0.0.1:1", "--listen", "99999"],
      /--listen "99999" is out of range: expected a port number from 0 to 65535/,
    ],
    [["--target", "127.0.0.1:1", "--listen", "1.5"], /--listen "1.5" is not valid: expected a port number/],
    [["--target", "127.0.0.1:1", "--delay", "10", "--jitter", "50"], /--jitter 50 is more than --delay 10/],
    [
      ["--target", "127.0.0.1:1", "--duration", "0"],
      /--duration "0" is out of range: expected a number of seconds more than 0/,
    ],
    [
      ["--target", "127.0.0.1:99999"],
      /--target "127.0.0.1:99999" has no valid port: expected HOST:PORT with a port from 1 to 65535/,
    ],
    [["--target", "127.0.0.1:0"], /--target "127.0.0.1:0" has no valid port/],
    [["--target", "127.0.0.1"], /--target "127.0.0.1" is not valid: expected HOST:PORT/],
    [["--target", "::1:80"], /--target "::1:80" is not valid: expected HOST:PORT, e.g. 127.0.0.1:8000 or \[::1\]:8000/],
    [["--target", "127.0.0.1:1", "--delay", "1e3"], /--delay "1e3" is not valid: expected a number of milliseconds/],
    [["--target", "127.0.0.1:1", "--delay", "0x10"], /--delay "0x10" is not valid/],
    [["--target", "127.0.0.1:1", "--jitter", "-5"], /--jitter "-5" is not valid: expected a number of milliseconds/],
    [
      ["--target", "127.0.0.1:1", "--seed", "-1"],
      /--seed "-1" is not valid: expected a whole number from 0 to 4294967295/,
    ],
    [["--target", "127.0.0.1:1", "--after", "99999999999999999999"], /--after "99999999999999999999" is out of range/],
    [["--target", "127.0.0.1:1", "--duration", "86401"], /--duration "86401" is out of range: .*at most 86400/],
    [["--target", "127.0.0.1:1", "--bogus"], /Unknown option '--bogus'/],
    [
      ["--target", "127.0.0.1:1", "--seed", "4294967296"],
      /--seed "4294967296" is out of range: expected a whole number from 0 to 4294967295$/m,
    ],
    [["--target", "127.0.0.1:1", "--seed", "1.5"], /--seed "1.5" is not valid: expected a whole number from 0/],
  ])("refuses %j with a clear error, the usage and exit 2, before listening", async (args, message) => {
    const child = spawn(process.execPath, [BIN, ...args]);
    let stderr = "";
    let stdout = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    const [code] = await once(child, "exit");
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stderr).toMatch(/^fislat-latency-proxy: /);
    expect(stderr).toMatch(/usage: fislat-latency-proxy --target HOST:PORT/);
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(stdout).toBe(""); // it never said it was listening
  });

  it("accepts [::1]:PORT and takes the jitter down to a small delay", async () => {
    const child = spawn(process.execPath, [BIN, "--target", "[::1]:8000", "--delay", "10", "--after", "0"]);
    const lines: Record<string, unknown>[] = [];
    await new Promise<void>((resolve) => {
      readline.createInterface({ input: child.stdout }).on("line", (l) => {
        lines.push(JSON.parse(l));
        if (lines.some((x) => x.msg === "Fault start")) resolve();
      });
    });
    expect(lines[0]).toMatchObject({ msg: "Proxy listening", seed: expect.any(Number) });
    expect(lines[1]).toMatchObject({ delayMs: 10, jitterMs: 10 });
    child.kill("SIGTERM");
    const [code] = await once(child, "exit");
    expect(code).toBe(0);
  });

  it("names --listen and exits 2 when the port is in use", async () => {
    const taken = net.createServer().listen(0, "127.0.0.1");
    await once(taken, "listening");
    const port = (taken.address() as net.AddressInfo).port;
    const child = spawn(process.execPath, [BIN, "--target", "127.0.0.1:1", "--listen", String(port)]);
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const [code] = await once(child, "exit");
    taken.close();
    expect(code).toBe(2);
    expect(stderr).toBe(`fislat-latency-proxy: --listen ${port}: cannot listen: the port is in use\n`);
  });
});
