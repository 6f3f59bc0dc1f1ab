#!/usr/bin/env node
// fislat-latency-proxy: run the proxy by hand, e.g. in front of DynamoDB Local, with one fault
// that starts after --after and lasts --duration. Events are printed as JSON lines. Every value
// is checked before anything listens: a bad one is named with what is allowed, exit 2.
import { parseArgs } from "node:util";
import { LatencyProxy, SEED_MAX } from "./proxy.js";

const USAGE = `usage: fislat-latency-proxy --target HOST:PORT [--listen PORT] [--delay MS] [--jitter MS]
                            [--after SECONDS] [--duration SECONDS] [--seed N]`;

// Node timers hold at most 2^31-1 ms; a day keeps every value well inside.
const MAX_MS = 86_400_000;
const MAX_S = 86_400;

function fail(message: string): never {
  process.stderr.write(`fislat-latency-proxy: ${message}\n${USAGE}\n`);
  process.exit(2);
}

const show = (raw: string) => JSON.stringify(raw.length > 60 ? `${raw.slice(0, 60)}...` : raw);

/** Decimal digits only (no sign, exponent, hex or blanks), with at most 3 after the point. */
function number(
  flag: string,
  raw: string | undefined,
  fallback: number,
  rule: { min: number; max: number; integer: boolean; unit: string; above?: boolean },
): number {
  if (raw === undefined) return fallback;
  const what =
    rule.unit === "port"
      ? "a port number"
      : rule.unit === "seed"
        ? "a whole number"
        : `${rule.integer ? "a whole number" : "a number"} of ${rule.unit}`;
  const range = rule.above ? `more than ${rule.min} and at most ${rule.max}` : `from ${rule.min} to ${rule.max}`;
  const wanted = `${what} ${range}${rule.integer ? "" : ", in decimal digits with at most 3 after the point"}`;
  const pattern = rule.integer ? /^(0|[1-9][0-9]*)$/ : /^(0|[1-9][0-9]*)(\.[0-9]{1,3})?$/;
  if (!pattern.test(raw)) fail(`--${flag} ${show(raw)} is not valid: expected ${wanted}`);
  const value = Number(raw);
  if (value < rule.min || value > rule.max || (rule.above && value === rule.min)) {
    fail(`--${flag} ${show(raw)} is out of range: expected ${wanted}`);
  }
  return value;
}

function target(raw: string | undefined): { host: string; port: number } {
  if (raw === undefined) fail("--target HOST:PORT is required");
  // HOST:PORT, or [IPv6]:PORT.
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:[\]]+)):([^:]*)$/.exec(raw);
  if (!match) fail(`--target ${show(raw)} is not valid: expected HOST:PORT, e.g. 127.0.0.1:8000 or [::1]:8000`);
  const port = Number(match[3]);
  if (!/^[1-9][0-9]*$/.test(match[3] as string) || port > 65_535) {
    fail(`--target ${show(raw)} has no valid port: expected HOST:PORT with a port from 1 to 65535`);
  }
  return { host: (match[1] ?? match[2]) as string, port };
}

const HELP = `${USAGE}

Delays the bytes a client sends to --target, as an ECS network latency fault does; replies pass
through undelayed. One fault, from --after for --duration; events are printed as JSON lines.

  --target HOST:PORT   where connections go (required); IPv6 as [::1]:8000
  --listen PORT        port on 127.0.0.1, 0 to 65535 (default 0: any free port)
  --delay MS           mean delay, 0 to 86400000 ms (default 800)
  --jitter MS          each delay drawn from [delay - jitter, delay + jitter), 0 to --delay (default 50)
  --after SECONDS      when the fault starts, 0 to 86400 (default 0)
  --duration SECONDS   how long the fault lasts, its hard limit, more than 0 up to 86400 (default 60)
  --seed N             seed of the delay draws, 0 to ${SEED_MAX} (default random, printed):
                       the same seed draws the same delays in the same order

A bad value exits 2 before anything listens; SIGINT or SIGTERM stops the fault and exits 0.`;

const VALUE_FLAGS = ["target", "listen", "delay", "jitter", "after", "duration", "seed"] as const;

// "--delay -5" is a value the checks below refuse by name, not an option parseArgs cannot tell
// from a flag: join a negative number to its flag first.
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length - 1; i++) {
  if (VALUE_FLAGS.some((f) => argv[i] === `--${f}`) && /^-[\d.]/.test(argv[i + 1] as string)) {
    argv.splice(i, 2, `${argv[i]}=${argv[i + 1]}`);
  }
}

let values: Record<string, string | boolean | undefined>;
try {
  ({ values } = parseArgs({
    args: argv,
    options: {
      ...Object.fromEntries(VALUE_FLAGS.map((f) => [f, { type: "string" as const }])),
      help: { type: "boolean" },
    },
  }));
} catch (error) {
  fail((error as Error).message);
}
if (values.help) {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}
const str = (name: string) => values[name] as string | undefined;
const to = target(str("target"));
const listenPort = number("listen", str("listen"), 0, { min: 0, max: 65_535, integer: true, unit: "port" });
const delayMs = number("delay", str("delay"), 800, { min: 0, max: MAX_MS, integer: false, unit: "milliseconds" });
const jitterMs = number("jitter", str("jitter"), Math.min(50, delayMs), {
  min: 0,
  max: MAX_MS,
  integer: false,
  unit: "milliseconds",
});
if (jitterMs > delayMs) {
  fail(
    `--jitter ${jitterMs} is more than --delay ${delayMs}: expected a jitter from 0 to the delay (a delay cannot be negative)`,
  );
}
const spec = {
  delayMs,
  jitterMs,
  maxDurationMs:
    number("duration", str("duration"), 60, { min: 0, max: MAX_S, integer: false, unit: "seconds", above: true }) *
    1000,
};
const afterMs = number("after", str("after"), 0, { min: 0, max: MAX_S, integer: false, unit: "seconds" }) * 1000;

const seedText = str("seed");
const seed =
  seedText === undefined
    ? undefined
    : number("seed", seedText, 0, { min: 0, max: SEED_MAX, integer: true, unit: "seed" });

let proxy: LatencyProxy;
try {
  proxy = await LatencyProxy.start({ target: to, listen: { port: listenPort }, seed });
} catch (error) {
  const code = (error as NodeJS.ErrnoException).code;
  const why =
    code === "EACCES"
      ? "permission denied (ports below 1024 need root)"
      : code === "EADDRINUSE"
        ? "the port is in use"
        : (error as Error).message;
  process.stderr.write(`fislat-latency-proxy: --listen ${listenPort}: cannot listen: ${why}\n`);
  process.exit(2);
}
const print = (fields: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(fields)}\n`);
proxy.on("fault", (e) => print({ msg: `Fault ${e.type}`, ts: e.wallTime.toISOString(), ...e.spec, reason: e.reason }));
print({ msg: "Proxy listening", host: proxy.host, port: proxy.port, target: str("target"), seed: proxy.seed });
const startTimer = setTimeout(() => proxy.startFault(spec), afterMs);

const shutdown = () => {
  clearTimeout(startTimer);
  proxy.close().then(() => process.exit(0));
};
process.once("SIGINT", shutdown);
process.once("SIGTERM", shutdown);
