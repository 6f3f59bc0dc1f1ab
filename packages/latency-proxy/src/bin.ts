#!/usr/bin/env node
// fislat-latency-proxy: run the proxy by hand, e.g. in front of DynamoDB Local, with one fault
// that starts after --after and lasts --duration. Events are printed as JSON lines.
import { parseArgs } from "node:util";
import { LatencyProxy } from "./proxy.js";

const USAGE = `usage: fislat-latency-proxy --target HOST:PORT [--listen PORT] [--delay MS] [--jitter MS]
                            [--after SECONDS] [--duration SECONDS]`;

function fail(message: string): never {
  process.stderr.write(`fislat-latency-proxy: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function number(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) fail(`--${name} ${JSON.stringify(raw)} must be a number >= 0`);
  return value;
}

let values: Record<string, string | boolean | undefined>;
try {
  ({ values } = parseArgs({
    options: {
      target: { type: "string" },
      listen: { type: "string" },
      delay: { type: "string" },
      jitter: { type: "string" },
      after: { type: "string" },
      duration: { type: "string" },
      help: { type: "boolean" },
    },
  }));
} catch (error) {
  fail((error as Error).message);
}
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const target = typeof values.target === "string" ? /^(.+):(\d+)$/.exec(values.target) : null;
if (!target) fail("--target HOST:PORT is required");
const spec = {
  delayMs: number("delay", values.delay as string | undefined, 800),
  jitterMs: number("jitter", values.jitter as string | undefined, 50),
  maxDurationMs: number("duration", values.duration as string | undefined, 60) * 1000,
};
const afterMs = number("after", values.after as string | undefined, 0) * 1000;

const proxy = await LatencyProxy.start({
  target: { host: target[1] as string, port: Number(target[2]) },
  listen: { port: number("listen", values.listen as string | undefined, 0) },
});
const print = (fields: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(fields)}\n`);
proxy.on("fault", (e) => print({ msg: `Fault ${e.type}`, ts: e.wallTime.toISOString(), ...e.spec, reason: e.reason }));
print({ msg: "Proxy listening", host: proxy.host, port: proxy.port, target: values.target });
const startTimer = setTimeout(() => proxy.startFault(spec), afterMs);

const shutdown = () => {
  clearTimeout(startTimer);
  proxy.close().then(() => process.exit(0));
};
process.once("SIGINT", shutdown);
process.once("SIGTERM", shutdown);
