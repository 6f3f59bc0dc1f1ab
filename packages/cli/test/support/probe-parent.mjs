// A stand-in for fislat: starts the local probe with the real launcher, prints its pid and port
// as one JSON line, and then lives until it is killed.
import { startProbeProcess } from "../../dist/local/probe-process.js";

const probe = await startProbeProcess({
  AWS_ENDPOINT_URL_DYNAMODB: process.argv[2] ?? "http://127.0.0.1:9",
  TEST_INTERVAL_SECONDS: "3600",
});
process.stdout.write(`${JSON.stringify({ pid: probe.pid, port: probe.port })}\n`);
setInterval(() => {}, 1 << 30);
