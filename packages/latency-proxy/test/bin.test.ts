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
    expect(lines[1]).toMatchObject({ delayMs: 100, jitterMs: 10, maxDurationMs: 300 });
    expect(lines[2]).toMatchObject({ reason: "time-limit" });
    child.kill("SIGTERM");
    const [code] = await once(child, "exit");
    expect(code).toBe(0);
    upstream.close();
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
});
