// A stand-in for fislat: starts the local probe with the real launcher, prints its pid and port
// as one JSON line, and lives until it is killed. On SIGINT it stops the probe as fislat does
// and prints the signal the probe's last line says it stopped on.
import { startProbeProcess } from "../../dist/local/probe-process.js";

const probe = await startProbeProcess(
  { AWS_ENDPOINT_URL_DYNAMODB: process.argv[2] ?? "http://127.0.0.1:9", TEST_INTERVAL_SECONDS: "3600" },
  { execPath: process.execPath },
);
let last;
let unexpected;
await probe.start(
  (_line, raw) => {
    last = raw;
  },
  (error) => {
    unexpected = error.message;
  },
);
process.once("SIGINT", async () => {
  await probe.stop();
  const stoppedOn = JSON.parse(last ?? "{}").signal;
  process.stdout.write(`${JSON.stringify({ stoppedOn, unexpected })}\n`);
  process.exit(0);
});
process.stdout.write(`${JSON.stringify({ pid: probe.pid, port: probe.port })}\n`);
setInterval(() => {}, 1 << 30);
