// Evidence at scale (issue 22): 840,000 request records (2000 requests/s for 7 minutes) and a
// 1000-task fleet (1 round trip/s for 7 minutes) through the engine: CPU time and peak RSS of
// judging them, the JSON report's size, and the cost of judging as the records grow. Each case
// runs in its own child process so its peak RSS is its own; lines are made as they are fed, never
// held, so the figures are the engine's.
import { execFile } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { repo, report } from "./support.mjs";

const EXAMPLE_ACCOUNT = "123456789012";
const dist = (p) => path.join(repo, "packages/cli/dist", p);
const T0 = Date.parse("2026-11-25T10:00:00.000Z");
const BASELINE = 60_000;
const FAULT = 300_000;
const RECOVERY = 60_000;
const END = BASELINE + FAULT + RECOVERY;

/**
 * An HTTP load generator's records: `rate` requests/s, open loop, one process (one seq series).
 * Under the fault (800 ms delay, 500 ms timeout) most time out; the rest are slow.
 */
function* requestLines(total) {
  const spacing = END / total;
  for (let seq = 1; seq <= total; seq++) {
    const t = (seq - 1) * spacing;
    const faulty = t >= BASELINE + 2000 && t < BASELINE + FAULT;
    // A cheap deterministic spread of latencies: 2 to 12 ms, or 800 to 850 ms under the fault.
    const spread = ((seq * 7919) % 1000) / 100;
    const ok = !faulty || seq % 20 === 0;
    const rttMs = faulty ? (ok ? 800 + spread * 5 : 503) : 2 + spread;
    yield JSON.stringify({
      ts: new Date(T0 + Math.floor(t)).toISOString(),
      level: ok ? "info" : "warn",
      msg: "Round trip",
      ok,
      rttMs: Math.round(rttMs * 10) / 10,
      op: "GET /orders",
      table: "http://127.0.0.1:8080",
      seq,
      src: "loop",
      task: "load-1",
      conn: "reused",
      ...(ok ? {} : { errorKind: "timeout", error: "TimeoutError: no answer within 500 ms" }),
    });
  }
}

/** 1000 tasks' lines as CloudWatch would deliver them: second by second, every task's line of that second. */
function* fleetLines(tasks, targetedCount) {
  const state = Array.from({ length: tasks }, () => ({ healthy: true, failingSince: undefined }));
  for (let t = 0, seq = 1; t < END; t += 1000, seq++) {
    for (let i = 0; i < tasks; i++) {
      const s = state[i];
      const faulty = i < targetedCount && t >= BASELINE + 2000 && t < BASELINE + FAULT;
      const ok = !faulty;
      if (!ok) s.failingSince ??= t;
      else s.failingSince = undefined;
      if (s.healthy && s.failingSince !== undefined && t - s.failingSince >= 30_000) s.healthy = false;
      if (!s.healthy && ok) s.healthy = true;
      const ts = T0 + t + (i % 1000) / 10;
      const id = `task${String(i).padStart(4, "0")}`;
      const message = JSON.stringify({
        ts: new Date(ts).toISOString(),
        level: ok ? "info" : "warn",
        msg: "Round trip",
        ok,
        rttMs: ok ? 8 : 503,
        op: "GetItem",
        table: "MyTestTable",
        seq,
        src: "loop",
        task: `arn:aws:ecs:us-east-1:${EXAMPLE_ACCOUNT}:task/FIS/${id}`,
        conn: "reused",
        healthy: s.healthy,
        ...(ok ? {} : { errorKind: "timeout", error: "TimeoutError: timed out" }),
      });
      yield {
        message,
        meta: { stream: `ecs/probe/${id}`, timestamp: ts, ingestionTime: Math.ceil((ts + 1) / 5000) * 5000 + 500 },
      };
    }
  }
}

/** The fleet: the built-in timeout scenario. Requests: a user's file (a load generator has no /health). */
async function planFor(fleet) {
  const { planExperiment } = await import(dist("engine/planner.js"));
  const { scenarioFile } = await import(dist("engine/scenario.js"));
  const requests = {
    fault: { kind: "latency", delay: "800ms", jitter: "50ms" },
    hypothesis: {
      baseline: { failed: ["rate==0"], rtt: ["p(99)<50"] },
      injection: { timeouts: ["rate>=0.9"], ok_rtt: ["med>=800"] },
      recovery: { failed: ["rate<0.01"], rtt: ["p(99)<50"] },
      run: { recover: ["value<2000"] },
    },
  };
  const request = planExperiment(
    { local: true, baseline: "1m", duration: "5m", recovery: "1m", interval: "1s", healthFailure: "30s" },
    fleet
      ? { kind: "scenario", name: "timeout", data: scenarioFile("timeout") }
      : { kind: "file", name: "requests.yaml", data: requests },
  );
  return {
    request,
    probe: request.probe,
    healthPollMs: 5000,
    lateLineGraceMs: 120_000,
    traits: { waitsOnNewConnection: 3, connectDelayed: true },
  };
}

/** Child: judge one case, print CPU time, peak RSS, the verdict and the JSON report's size. */
async function judgeChild(kind, n) {
  const { TimelineBuilder } = await import(dist("engine/timeline.js"));
  const { evaluateRun } = await import(dist("engine/verdict.js"));
  const { buildReport } = await import(dist("engine/report.js"));
  const { faultKind } = await import(dist("engine/fault.js"));
  const { parseProbeLine } = await import("@fislat/probe/record");
  const fleet = kind === "fleet";
  const plan = await planFor(fleet);
  // Making the lines is the load generator's work, not the engine's: measured alone, then subtracted.
  const made = process.cpuUsage();
  for (const _ of fleet ? fleetLines(n, Math.ceil(n / 5)) : requestLines(n));
  const making = process.cpuUsage(made);
  const window = { startedAt: new Date(T0 + BASELINE), endedAt: new Date(T0 + BASELINE + FAULT) };
  const cpu = process.cpuUsage();
  const builder = new TimelineBuilder();
  let lines = 0;
  if (fleet) {
    for (const { message, meta } of fleetLines(n, Math.ceil(n / 5))) {
      builder.add(parseProbeLine(message), meta);
      lines++;
    }
  } else {
    for (const message of requestLines(n)) {
      builder.add(parseProbeLine(message));
      lines++;
    }
  }
  const targets = fleet
    ? Array.from({ length: Math.ceil(n / 5) }, (_, i) => `task${String(i).padStart(4, "0")}`)
    : undefined;
  const timeline = builder.build(
    {
      ...window,
      ...(targets ? { targets } : {}),
      runEndedAt: new Date(T0 + END),
      intervalMs: fleet ? 1000 : undefined,
      findOnset: fleet,
    },
    faultKind(plan.request.fault).degradedThreshold(plan.request.fault),
  );
  const verdict = evaluateRun(timeline, plan, window);
  const result = {
    plan,
    startedAt: new Date(T0),
    endedAt: new Date(T0 + END),
    targets: [],
    fault: { ...window, endReason: "completed" },
    faultRemoval: "ended",
    timeline,
    verdict,
  };
  const json = JSON.stringify(
    buildReport(result, {
      version: "bench",
      environment: { kind: fleet ? "aws" : "local", target: "bench", injector: "bench" },
    }),
    null,
    2,
  );
  const used = process.cpuUsage(cpu);
  process.stdout.write(
    JSON.stringify({
      lines,
      cpuMs: (used.user + used.system - making.user - making.system) / 1000,
      makingMs: (making.user + making.system) / 1000,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      reportMb: Buffer.byteLength(json) / 1e6,
      held: `${verdict.status}${verdict.reasons.length > 0 ? `: ${verdict.reasons[0].slice(0, 100)}` : ""}`,
    }),
  );
}

async function judge(kind, n) {
  const run = promisify(execFile);
  try {
    const { stdout } = await run(
      process.execPath,
      ["--max-old-space-size=4096", fileURLToPath(import.meta.url), "--judge-child", kind, String(n)],
      { maxBuffer: 1 << 20 },
    );
    return JSON.parse(stdout);
  } catch (error) {
    return {
      failed: String(error.stderr ?? error.message)
        .trim()
        .split("\n")
        .slice(-3)
        .join(" "),
    };
  }
}

const mb = (v) => `${v.toFixed(1)} MB`;

export async function scale() {
  for (const [kind, n, name] of [
    ["requests", 840_000, "840,000 request records (2000/s for 7 min)"],
    ["fleet", 1000, "a 1000-task fleet for 7 min (1 round trip/s each)"],
  ]) {
    const r = await judge(kind, n);
    if (r.failed) {
      report(name, `did not finish: ${r.failed}`, "CPU < 10 s, peak RSS < 500 MB", false);
      continue;
    }
    report(
      `judging ${name}`,
      `${r.lines} lines, CPU ${(r.cpuMs / 1000).toFixed(1)} s (parsing, judging, the report; making the lines took another ${(r.makingMs / 1000).toFixed(1)} s), peak RSS ${Math.round(r.peakRssMb)} MB; ${r.held}`,
      "CPU < 10 s, peak RSS < 500 MB",
      r.cpuMs < 10_000 && r.peakRssMb < 500,
    );
    report(`JSON report of ${name}`, mb(r.reportMb), "< 20 MB", r.reportMb < 20);
  }
  const points = [];
  for (const n of [10_000, 100_000, 840_000]) {
    const r = await judge("requests", n);
    if (r.failed) {
      report(`judging ${n} records`, `did not finish: ${r.failed}`, "linear", false);
      continue;
    }
    points.push({ n, cpuMs: r.cpuMs });
  }
  if (points.length === 3) {
    // Linear: each added record costs the same, whether the run had 10k or 100k before it (the
    // first 10k also pay for warming up and for listing every round trip in the report).
    const [a, b, c] = points;
    const early = ((b.cpuMs - a.cpuMs) * 1000) / (b.n - a.n);
    const late = ((c.cpuMs - b.cpuMs) * 1000) / (c.n - b.n);
    report(
      "cost of judging by records",
      `${points.map((p) => `${p.n / 1000}k: ${Math.round(p.cpuMs)} ms`).join(", ")}; each record from 10k to 100k ${early.toFixed(2)} µs, from 100k to 840k ${late.toFixed(2)} µs = ${(late / early).toFixed(2)}x`,
      "linear: the cost of a record at 100k-840k within 1.5x of its cost at 10k-100k",
      late / early <= 1.5,
    );
  }
}

if (process.argv.includes("--judge-child")) {
  const i = process.argv.indexOf("--judge-child");
  await judgeChild(process.argv[i + 1], Number(process.argv[i + 2]));
}
