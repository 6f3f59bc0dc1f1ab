// Fleet benchmarks (issue 13): judging recorded lines of 100 tasks (CPU time, peak memory), and the
// CloudWatch Logs API calls per minute the log source makes for 1, 10 and 100 tasks, against the
// FilterLogEvents quota of 5 per second per account and Region (a hard limit; see log-source.ts).
import { execFile } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { repo, report } from "./support.mjs";

// Recorded lines need a task ARN; this is the placeholder account AWS's own documentation uses.
const EXAMPLE_ACCOUNT = "123456789012";

const dist = (p) => path.join(repo, "packages/cli/dist", p);
const T0 = Date.parse("2026-11-25T10:00:00.000Z");
const BASELINE = 60_000;
const FAULT = 300_000;
const RECOVERY = 60_000;
const END = BASELINE + FAULT + RECOVERY;

/** One task's probe lines as CloudWatch would deliver them: 1 round trip a second, 5 s batches. */
function* taskEvents(id, { targeted }) {
  let healthy = true;
  let failingSince;
  for (let t = 0, seq = 1; t < END; t += 1000, seq++) {
    const faulty = targeted && t >= BASELINE + 2000 && t < BASELINE + FAULT;
    const ok = !faulty;
    if (!ok) failingSince ??= t;
    else failingSince = undefined;
    if (healthy && failingSince !== undefined && t - failingSince >= 30_000) healthy = false;
    if (!healthy && ok) healthy = true;
    const ts = T0 + t;
    const record = {
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
      healthy,
      ...(ok ? {} : { errorKind: "timeout", error: "TimeoutError: timed out" }),
    };
    yield {
      logStreamName: `ecs/probe/${id}`,
      timestamp: ts,
      ingestionTime: Math.ceil((ts + 1) / 5000) * 5000 + 500,
      message: JSON.stringify(record),
    };
  }
}

const ids = (n) => Array.from({ length: n }, (_, i) => `task${String(i).padStart(4, "0")}`);

/** Child process: judge 100 tasks' recorded lines, print CPU time and peak RSS as JSON. */
async function judgeChild() {
  const { TimelineBuilder } = await import(dist("engine/timeline.js"));
  const { degradedThreshold, evaluateRun } = await import(dist("engine/verdict.js"));
  const { parseProbeLine } = await import("@fislat/probe/record");
  const tasks = ids(100);
  const targeted = new Set(tasks.slice(0, 20));
  const events = tasks.flatMap((id) => [...taskEvents(id, { targeted: targeted.has(id) })]);
  // The plan a run of the built-in timeout scenario follows, made by the real planner.
  const { planExperiment } = await import(dist("engine/planner.js"));
  const { scenarioFile } = await import(dist("engine/scenario.js"));
  const request = planExperiment(
    { local: true, baseline: "1m", duration: "5m", recovery: "1m", interval: "1s", healthFailure: "30s" },
    { kind: "scenario", name: "timeout", data: scenarioFile("timeout") },
  );
  const plan = {
    request,
    probe: request.probe,
    healthPollMs: 5000,
    lateLineGraceMs: 120_000,
    traits: { waitsOnNewConnection: 3, connectDelayed: true },
  };
  const cpu = process.cpuUsage();
  const builder = new TimelineBuilder();
  for (const e of events) builder.add(parseProbeLine(e.message), e);
  const timeline = builder.build(
    {
      startedAt: new Date(T0 + BASELINE),
      endedAt: new Date(T0 + BASELINE + FAULT),
      targets: [...targeted],
      runEndedAt: new Date(T0 + END),
      intervalMs: 1000,
      findOnset: true,
    },
    degradedThreshold(800),
  );
  const verdict = evaluateRun(timeline, plan, {
    startedAt: new Date(T0 + BASELINE),
    endedAt: new Date(T0 + BASELINE + FAULT),
  });
  const used = process.cpuUsage(cpu);
  process.stdout.write(
    JSON.stringify({
      lines: events.length,
      cpuMs: (used.user + used.system) / 1000,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      held: `${verdict.status}: ${verdict.reasons.join("; ")}`,
    }),
  );
}

/** A virtual clock: sleeps resolve in time order as the driver advances. */
function virtualClock() {
  let now = 0;
  const timers = [];
  return {
    clock: {
      now: () => now,
      wallNow: () => new Date(T0 + now),
      sleep: (ms, signal) =>
        new Promise((resolve) => {
          if (signal?.aborted) return resolve();
          const onAbort = () => {
            timers.splice(timers.indexOf(timer), 1);
            resolve();
          };
          const timer = {
            at: now + ms,
            resolve: () => {
              signal?.removeEventListener("abort", onAbort);
              resolve();
            },
          };
          timers.push(timer);
          signal?.addEventListener("abort", onAbort, { once: true });
        }),
    },
    async runUntil(until) {
      for (;;) {
        await new Promise((r) => setImmediate(r));
        timers.sort((a, b) => a.at - b.at);
        const next = timers[0];
        if (!next || next.at > until) break;
        timers.shift();
        now = next.at;
        next.resolve();
      }
      now = until;
    },
  };
}

/** FilterLogEvents calls per minute for n tasks, polling (Live Tail off: the worst case). */
async function callsPerMinute(n) {
  const { cloudWatchSource } = await import(dist("aws/log-source.js"));
  const all = ids(n)
    .flatMap((id) => [...taskEvents(id, { targeted: true })])
    .sort((a, b) => a.timestamp - b.timestamp);
  const v = virtualClock();
  const calls = [];
  const logs = {
    send: async (command) => {
      const input = command.input;
      calls.push(v.clock.now());
      const now = v.clock.wallNow().getTime();
      const names = input.logStreamNames ? new Set(input.logStreamNames) : undefined;
      const visible = all.filter(
        (e) =>
          e.ingestionTime <= now &&
          e.timestamp >= (input.startTime ?? 0) &&
          (!names || names.has(e.logStreamName)) &&
          (!input.logStreamNamePrefix || e.logStreamName.startsWith(input.logStreamNamePrefix)),
      );
      // 1 MB pages (26 bytes of overhead per event), at most 10,000 events.
      const offset = Number(input.nextToken ?? 0);
      let bytes = 0;
      let end = offset;
      while (end < visible.length && end - offset < 10_000 && bytes + visible[end].message.length + 26 <= 1_048_576) {
        bytes += visible[end].message.length + 26;
        end += 1;
      }
      return { events: visible.slice(offset, end), ...(end < visible.length ? { nextToken: String(end) } : {}) };
    },
  };
  const source = cloudWatchSource(
    logs,
    { logGroup: "/ecs/probe", streams: ids(n).map((id) => `ecs/probe/${id}`) },
    { clock: v.clock, since: T0 - 5000, liveTail: false, intervalMs: 1000 },
  );
  await source.start(
    () => {},
    () => {},
  );
  await v.runUntil(END);
  const stopping = source.stop(120_000);
  await v.runUntil(END + 130_000);
  await stopping;
  // Over the time the source was reading: the run and its wait for the last lines.
  const minutes = (Math.max(...calls) - Math.min(...calls)) / 60_000;
  const worstSecond = Math.max(...calls.map((t) => calls.filter((u) => u >= t && u < t + 1000).length));
  return { perMinute: calls.length / minutes, worstSecond };
}

export async function fleet() {
  const run = promisify(execFile);
  const { stdout } = await run(process.execPath, [fileURLToPath(import.meta.url), "--judge-child"], {
    maxBuffer: 1 << 20,
  });
  const judged = JSON.parse(stdout);
  report(
    "judging 100 tasks (7 min at 1 round trip/s each)",
    `${judged.lines} lines, CPU ${Math.round(judged.cpuMs)} ms, peak RSS ${Math.round(judged.peakRssMb)} MB; ${judged.held}`,
    "CPU < 5 s, peak RSS < 500 MB",
    judged.cpuMs < 5000 && judged.peakRssMb < 500,
  );
  for (const n of [1, 10, 100]) {
    const { perMinute, worstSecond } = await callsPerMinute(n);
    report(
      `FilterLogEvents calls for ${n} task(s), polling`,
      `${perMinute.toFixed(1)} per minute, at most ${worstSecond} in any second`,
      "under the quota of 5 per second (300 per minute), with room for others",
      worstSecond <= 4 && perMinute <= 150,
    );
  }
}

if (process.argv.includes("--judge-child")) await judgeChild();
