// Probe benchmarks (issue 3): overhead against a bare SDK loop, timeout precision, footprint.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { LOCAL_AWS_ENV, startLocalDynamo } from "@fislat/dynamo-local";
import { LatencyProxy } from "@fislat/latency-proxy";
import { median, percentile, repo, report, startProbe } from "./support.mjs";

const untilCount = (n) => (resolve) => (_record, records) => records.length >= n && resolve();

const BARE_LOOP = `
const { DynamoDBClient, GetItemCommand } = require("@aws-sdk/client-dynamodb");
const [endpoint, table, count, pauseMs] = process.argv.slice(1);
const client = new DynamoDBClient({ endpoint, maxAttempts: 1 });
(async () => {
  const rtts = [];
  for (let i = 0; i < Number(count); i++) {
    const started = performance.now();
    await client.send(new GetItemCommand({ TableName: table, Key: { id: { S: "test1" } } }));
    rtts.push(performance.now() - started);
    await new Promise((r) => setTimeout(r, Number(pauseMs)));
  }
  client.destroy();
  process.stdout.write(JSON.stringify(rtts));
})();`;

/** A bare SDK GetItem loop (keep-alive, maxAttempts 1, no timeouts) in a child process. */
async function bareSdkLoop(db, count, pauseMs) {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["-e", BARE_LOOP, db.endpoint, db.tableName, String(count), String(pauseMs)],
    { cwd: path.join(repo, "packages/probe"), env: { ...process.env, ...LOCAL_AWS_ENV }, maxBuffer: 1 << 24 },
  );
  return JSON.parse(stdout);
}

export async function probeOverhead({ samples = 1000, warmup = 100 } = {}) {
  const db = await startLocalDynamo();
  try {
    // The bare loop runs in a child process of its own, as the probe does, both against the
    // dynalite of this process, at the same pace.
    const bare = await bareSdkLoop(db, warmup + samples, 10);

    let done;
    const finished = new Promise((resolve) => {
      done = untilCount(warmup + samples)(resolve);
    });
    const probe = await startProbe(
      { AWS_ENDPOINT_URL_DYNAMODB: db.endpoint, TEST_INTERVAL_SECONDS: "0.01" },
      (...args) => done(...args),
    );
    await finished;
    await probe.stop();
    const probed = probe.records.slice(warmup, warmup + samples).map((r) => r.rttMs);
    bare.splice(0, warmup);
    const ratio = median(probed) / median(bare);
    report(
      "probe overhead",
      `median ${median(probed).toFixed(3)} ms via the probe vs ${median(bare).toFixed(3)} ms bare SDK = ${ratio.toFixed(3)}x`,
      "<= 1.10x",
      ratio <= 1.1,
    );
  } finally {
    await db.close();
  }
}

export async function timeoutPrecision({ probes = 2, perProbe = 60 } = {}) {
  const db = await startLocalDynamo();
  const proxy = await LatencyProxy.start({ target: { host: "127.0.0.1", port: db.port } });
  try {
    proxy.startFault({ delayMs: 800, jitterMs: 50, maxDurationMs: 600_000 });
    const running = [];
    const finished = [];
    for (let i = 0; i < probes; i++) {
      let done;
      finished.push(new Promise((resolve) => (done = untilCount(perProbe)(resolve))));
      running.push(
        await startProbe(
          {
            AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${proxy.port}`,
            TEST_INTERVAL_SECONDS: "0.55",
            CONNECTION_TIMEOUT_MS: "500",
            READ_TIMEOUT_MS: "500",
          },
          (...args) => done(...args),
        ),
      );
    }
    await Promise.all(finished);
    await Promise.all(running.map((p) => p.stop()));
    const timeouts = running
      .flatMap((p) => p.records)
      .filter((r) => r.errorKind === "timeout")
      .map((r) => r.rttMs);
    const p99 = percentile(timeouts, 99);
    report(
      "timeout precision",
      `${timeouts.length} timeouts at READ_TIMEOUT_MS=500 under 800 +/- 50 ms: p50 ${median(timeouts).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms = ${(p99 / 500).toFixed(3)}x`,
      "p99 <= 1.03x",
      p99 / 500 <= 1.03,
    );
  } finally {
    await proxy.close();
    await db.close();
  }
}

export async function footprint({ total = 10_000 } = {}) {
  const db = await startLocalDynamo();
  try {
    const rss = {};
    let probe;
    const finished = new Promise((resolve) => {
      startProbe({ AWS_ENDPOINT_URL_DYNAMODB: db.endpoint, TEST_INTERVAL_SECONDS: "0.01" }, (_r, records) => {
        if (records.length === total / 2 && probe) rss.half = probe.rssMb();
        if (records.length === total && probe) {
          rss.end = probe.rssMb();
          resolve();
        }
      }).then((p) => {
        probe = p;
      });
    });
    await finished;
    await probe.stop();
    const growth = rss.end - rss.half;
    report(
      "probe footprint",
      `RSS ${rss.end.toFixed(1)} MB after ${total} round trips; growth over the last ${total / 2}: ${growth.toFixed(2)} MB`,
      "<= 80 MB, growth <= 2 MB",
      rss.end <= 80 && growth <= 2,
    );
  } finally {
    await db.close();
  }
}
