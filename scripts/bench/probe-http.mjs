// The probe's HTTP mode (TARGET_URL): its overhead against a bare node:http keep-alive loop on the
// same loopback service at the same pace, and its footprint (it never loads the AWS SDK).
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { median, report, startProbe } from "./support.mjs";

const BARE_LOOP = `
const http = require("node:http");
const [url, count, pauseMs] = process.argv.slice(1);
const agent = new http.Agent({ keepAlive: true });
const once = () => new Promise((resolve, reject) => {
  const req = http.request(url, { agent }, (res) => { res.resume(); res.on("end", resolve); });
  req.on("error", reject);
  req.end();
});
(async () => {
  const rtts = [];
  for (let i = 0; i < Number(count); i++) {
    const started = performance.now();
    await once();
    rtts.push(performance.now() - started);
    await new Promise((r) => setTimeout(r, Number(pauseMs)));
  }
  agent.destroy();
  process.stdout.write(JSON.stringify(rtts));
})();`;

/** A loopback service in a child process of its own, so neither side shares this event loop. */
async function startService() {
  const script = `require("node:http").createServer((q, r) => r.end("ok")).listen(0, "127.0.0.1", function () { process.stdout.write(this.address().port + "\\n"); });`;
  const { spawn } = await import("node:child_process");
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  const [data] = await (await import("node:events")).once(child.stdout, "data");
  return { url: `http://127.0.0.1:${String(data).trim()}/orders/42`, stop: () => child.kill("SIGKILL") };
}

export async function probeHttpOverhead({ samples = 1000, warmup = 100 } = {}) {
  const service = await startService();
  try {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["-e", BARE_LOOP, service.url, String(warmup + samples), "10"],
      { maxBuffer: 1 << 24 },
    );
    const bare = JSON.parse(stdout).slice(warmup);
    let done;
    const finished = new Promise((resolve) => {
      done = (_r, records) => records.length >= warmup + samples && resolve();
    });
    const probe = await startProbe({ TARGET_URL: service.url, TEST_INTERVAL_SECONDS: "0.01" }, (...a) => done(...a));
    await finished;
    const rss = probe.rssMb();
    await probe.stop();
    const probed = probe.records.slice(warmup, warmup + samples).map((r) => r.rttMs);
    const ratio = median(probed) / median(bare);
    report(
      "probe HTTP mode overhead",
      `median ${median(probed).toFixed(3)} ms via the probe vs ${median(bare).toFixed(3)} ms bare node:http = ${ratio.toFixed(3)}x`,
      "<= 1.10x",
      ratio <= 1.1,
    );
    report(
      "probe HTTP mode footprint",
      `${rss.toFixed(1)} MB resident after ${warmup + samples} requests`,
      "<= 80 MB",
      rss <= 80,
    );
  } finally {
    service.stop();
  }
}
