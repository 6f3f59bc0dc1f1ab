// Benchmarks of the open-loop load generator (packages/cli/src/workloads/http-load.ts) that
// drives a user's service: how late it sends, whether it reports a stalled server's latency
// truthfully (against autocannon on the same server), the highest rate one core sends (next to
// autocannon and wrk), and its median latency overhead against a bare undici loop.
import { execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:http";
import path from "node:path";
import readline from "node:readline";
import { promisify } from "node:util";
import { Agent } from "undici";
import { median, percentile, repo, report } from "./support.mjs";

/**
 * autocannon is loaded only when its figure is taken, after ours: merely importing it slowed our
 * generator in the same process (seen: 17,000 connections opened for 10,000 requests), so our
 * figures are measured before it is loaded, and bench.mjs runs the load benches in that order.
 */
const autocannon = async (options) => (await import("autocannon")).default(options);

const { defaultMaxInFlight, MAX_CONNECTIONS, startHttpLoad } = await import(
  path.join(repo, "packages/cli/dist/workloads/http-load.js")
);

/** A plain HTTP server in its own process (the other core), answering "ok" at once. */
async function startServerProcess() {
  const child = spawn(
    process.execPath,
    [
      "-e",
      `const s=require("node:http").createServer((q,r)=>{q.resume();q.on("end",()=>r.end("ok"))});s.keepAliveTimeout=60000;s.listen(0,"127.0.0.1",()=>console.log(s.address().port))`,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const [line] = await once(readline.createInterface({ input: child.stdout }), "line");
  return {
    url: `http://127.0.0.1:${Number(line)}/`,
    stop: async () => {
      child.kill("SIGKILL");
      await once(child, "exit");
    },
  };
}

async function load(url, ratePerSecond, seconds, extra = {}) {
  const results = [];
  const summary = await startHttpLoad(
    {
      requests: [{ url }],
      ratePerSecond,
      // As fislat run sizes it: every request due within one timeout may be in flight.
      maxInFlight: defaultMaxInFlight(ratePerSecond, 5000),
      requestTimeoutMs: 5000,
      count: Math.round(ratePerSecond * seconds),
      ...extra,
    },
    { onResult: (r) => results.push(r) },
  ).finished;
  return { summary, results };
}

export async function loadLateness() {
  const server = await startServerProcess();
  try {
    for (const rate of [200, 2000]) {
      const { summary } = await load(server.url, rate, 5);
      const p99 = summary.lateness?.p99 ?? Number.NaN;
      report(
        `load lateness p99 at ${rate} req/s`,
        `${p99.toFixed(2)} ms (${(p99 / (1000 / rate)).toFixed(2)}x the ${(1000 / rate).toFixed(1)} ms period; ${summary.dropped} dropped)`,
        "<= 5 ms",
        p99 <= 5,
      );
    }
  } finally {
    await server.stop();
  }
}

/**
 * A server that stalls for 1 s every 5 s: a request arriving in a stall is answered when it
 * ends. A user arriving at time t in a stall waits until its end: that is the true latency.
 */
async function startStallingServer() {
  const t0 = performance.now();
  const held = new Set();
  const server = createServer((req, res) => {
    req.resume();
    const into = (performance.now() - t0) % 5000;
    if (into < 1000) {
      const timer = setTimeout(() => {
        held.delete(timer);
        res.end("ok");
      }, 1000 - into);
      held.add(timer);
    } else res.end("ok");
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    t0,
    url: `http://127.0.0.1:${server.address().port}/`,
    stop: async () => {
      for (const t of held) clearTimeout(t);
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

export async function loadTruth() {
  const rate = 200;
  const seconds = 10;
  const server = await startStallingServer();
  let ours;
  let truth;
  try {
    const started = performance.now();
    const { results } = await load(server.url, rate, seconds);
    // True latency of a user arriving at each intended start: the rest of the stall, if any,
    // plus what an unstalled request takes.
    const base = median(results.map((r) => r.serviceMs).filter((v) => v < 100));
    truth = results.map((_, i) => {
      const into = (started + i * (1000 / rate) - server.t0) % 5000;
      return (into < 1000 ? 1000 - into : 0) + base;
    });
    ours = results.map((r) => r.latencyMs);
  } finally {
    await server.stop();
  }
  const stalling = await startStallingServer();
  let ac;
  try {
    // autocannon at the same rate: 10 connections, its own correction for coordinated omission.
    ac = await autocannon({ url: stalling.url, connections: 10, overallRate: rate, duration: seconds });
  } finally {
    await stalling.stop();
  }
  const tp99 = percentile(truth, 99);
  const op99 = percentile(ours, 99);
  const tp90 = percentile(truth, 90);
  const op90 = percentile(ours, 90);
  report(
    "load p99 vs true p99, server stalling 1 s in 5",
    `ours ${op99.toFixed(0)} ms vs true ${tp99.toFixed(0)} ms = ${(op99 / tp99).toFixed(3)}x; p90 ${op90.toFixed(0)} vs ${tp90.toFixed(0)} ms = ${(op90 / tp90).toFixed(3)}x; autocannon p99 ${ac.latency.p99} ms = ${(ac.latency.p99 / tp99).toFixed(3)}x (p90 ${ac.latency.p90} ms)`,
    "0.95x to 1.05x of true",
    op99 / tp99 >= 0.95 && op99 / tp99 <= 1.05,
  );
}

export async function loadMaxRate() {
  const server = await startServerProcess();
  try {
    let best = 0;
    // Warm up (JIT, the first connections) before the rates that count.
    await load(server.url, 500, 2);
    for (const rate of [1000, 2000, 5000, 10000, 20000, 40000]) {
      const { summary } = await load(server.url, rate, 3);
      const achieved = summary.ok / summary.elapsedS;
      // Kept up: the schedule's rate was sent and answered (within 5%), with under 1% dropped.
      const kept = summary.dropped / summary.scheduled < 0.01 && achieved >= 0.95 * rate;
      process.stdout.write(
        `    at ${rate}/s: ${achieved.toFixed(0)} ok/s, ${summary.dropped} dropped, lateness p99 ${summary.lateness?.p99.toFixed(1)} ms\n`,
      );
      if (!kept) break;
      best = Math.max(best, achieved);
    }
    const ac = await autocannon({ url: server.url, connections: 50, duration: 5 });
    const acRate = ac.requests.average;
    let wrkRate = null;
    try {
      const { stdout } = await promisify(execFile)("wrk", ["-t1", "-c50", "-d5s", server.url]);
      wrkRate = Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1]);
    } catch {
      process.stdout.write("    wrk not found: skipped (apt-get install -y wrk)\n");
    }
    report(
      "load highest sustained rate, one core",
      `${best.toFixed(0)} req/s open-loop (>= 95% of the schedule answered, < 1% dropped); autocannon ${acRate.toFixed(0)} req/s closed-loop = ${(best / acRate).toFixed(2)}x${wrkRate ? `; wrk ${wrkRate.toFixed(0)} req/s = ${(best / wrkRate).toFixed(2)}x` : ""}`,
      ">= 2000 req/s",
      best >= 2000,
    );
  } finally {
    await server.stop();
  }
}

/**
 * Our median latency from the send against two bare undici loops on the same server, all paced
 * at the same rate, in interleaved rounds. Like with like: the bare loops use an Agent set up as
 * the generator's own (connections, one request per connection, the connect timeout) and read
 * every response to its end. The stricter one sends through dispatch() with a handler that does
 * nothing but wait for the last byte (the least any undici client does); the other through
 * request() and body.dump() (undici's usual way, what the generator did before). Neither has a
 * per-request deadline, which any correct generator must keep, so both are floors the generator
 * cannot beat by doing less.
 */
export async function loadOverhead() {
  const server = await startServerProcess();
  try {
    const rate = 200;
    const timeoutMs = 5000;
    const perRound = 500;
    const warm = 50;
    const origin = new URL(server.url).origin;
    const agent = () =>
      new Agent({
        connections: Math.min(defaultMaxInFlight(rate, timeoutMs), MAX_CONNECTIONS),
        pipelining: 1,
        connect: { timeout: timeoutMs },
      });
    const viaRequest = async (dispatcher) => {
      const res = await dispatcher.request({ origin, path: "/", method: "GET" });
      await res.body.dump({ limit: Number.MAX_SAFE_INTEGER });
    };
    const viaDispatch = (dispatcher) =>
      new Promise((resolve, reject) => {
        dispatcher.dispatch(
          { origin, path: "/", method: "GET" },
          { onRequestStart() {}, onResponseData() {}, onResponseEnd: resolve, onResponseError: (_, e) => reject(e) },
        );
      });
    // A paced loop (a paced process sleeps between requests, which costs a wake-up a
    // back-to-back loop never pays): one request per tick, timed from its send.
    const bareRound = (send) => async () => {
      const dispatcher = agent();
      const times = [];
      const t0 = performance.now();
      for (let i = 0; i < perRound; i++) {
        const wait = t0 + i * (1000 / rate) - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        const t = performance.now();
        await send(dispatcher);
        times.push(performance.now() - t);
      }
      await dispatcher.close();
      return { times: times.slice(warm) };
    };
    const oursRound = async () => {
      const { results } = await load(server.url, rate, perRound / rate, { requestTimeoutMs: timeoutMs });
      const kept = results.slice(warm);
      return { times: kept.map((r) => r.serviceMs), fromIntended: kept.map((r) => r.latencyMs) };
    };
    const loops = { dispatch: bareRound(viaDispatch), request: bareRound(viaRequest), ours: oursRound };
    const all = { dispatch: [], request: [], ours: [] };
    const fromIntended = [];
    const ratios = { dispatch: [], request: [] };
    // Rounds interleave, in a rotating order, so a machine that gets busier or quieter weighs on
    // all alike.
    const names = Object.keys(loops);
    const rounds = 8;
    for (let round = 0; round < rounds; round++) {
      const medians = {};
      for (let k = 0; k < names.length; k++) {
        const name = names[(round + k) % names.length];
        const { times, fromIntended: fi } = await loops[name]();
        all[name].push(...times);
        if (fi) fromIntended.push(...fi);
        medians[name] = median(times);
      }
      for (const bare of Object.keys(ratios)) ratios[bare].push(medians.ours / medians[bare]);
    }
    const ours = median(all.ours);
    const spread = (r) => `rounds ${Math.min(...r).toFixed(2)}x to ${Math.max(...r).toFixed(2)}x`;
    const vsDispatch = ours / median(all.dispatch);
    const vsRequest = ours / median(all.request);
    report(
      "load median latency vs a bare undici loop",
      `${ours.toFixed(3)} ms from the send vs dispatch() ${median(all.dispatch).toFixed(3)} ms = ${vsDispatch.toFixed(3)}x (${spread(ratios.dispatch)}), vs request()+dump() ${median(all.request).toFixed(3)} ms = ${vsRequest.toFixed(3)}x (${spread(ratios.request)}); ${rounds} interleaved rounds, all paced at ${rate}/s (from the intended start ${median(fromIntended).toFixed(3)} ms: the timer's lateness included)`,
      "<= 1.05x",
      vsDispatch <= 1.05,
    );
  } finally {
    await server.stop();
  }
}
