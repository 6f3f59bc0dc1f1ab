// The verdict as one sentence, for the terminal and the Markdown summary.
import type { ErrorKind } from "@fislat/probe/record";
import { formatDuration } from "../durations.js";
import { formatMs, formatRate, formatResolution } from "../engine/figures.js";
import type { Report } from "../engine/report.js";

type FailureKind = ErrorKind;

/**
 * The injection's failures by kind, every kind the table counts (timeouts and errors alike): from
 * the per-second aggregates, which tell read from connect timeouts; else from the phase's counts.
 */
export function injectionFailures(report: Report): [FailureKind, number][] {
  const inj = report.phases.injection;
  const counts = new Map<FailureKind, number>();
  const seconds = report.perSecond?.injection;
  if (seconds && seconds.reduce((a, s) => a + s.count, 0) === inj.count) {
    for (const s of seconds)
      for (const [kind, n] of Object.entries(s.failed))
        counts.set(kind as FailureKind, (counts.get(kind as FailureKind) ?? 0) + (n ?? 0));
  } else {
    if (inj.timeouts > 0) counts.set("timeout", inj.timeouts);
    for (const [kind, n] of Object.entries(inj.errors)) if (n) counts.set(kind as FailureKind, n);
  }
  return [...counts].filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
}

function failureText(kind: FailureKind, n: number, report: Report): string {
  const p = report.parameters;
  switch (kind) {
    case "timeout":
      return `${n} timed out at ${p.readTimeoutMs} ms`;
    case "connect_timeout":
      return `${n} could not connect within ${p.connectionTimeoutMs} ms`;
    case "throttled":
      return `${n} throttled`;
    case "table_not_found":
      return `${n} table not found`;
    case "access_denied":
      return `${n} access denied`;
    case "network":
      return `${n} network error${n === 1 ? "" : "s"}`;
    case "http_status":
      return `${n} answered with a failing HTTP status`;
    default:
      return `${n} other error${n === 1 ? "" : "s"}`;
  }
}

/** What the report counts: the app's requests on a run against the user's app, else the probe's round trips. */
export const tripNoun = (report: Report, one = false): string =>
  report.environment.app ? (one ? "request" : "requests") : one ? "round trip" : "round trips";

/**
 * What the injection did to the round trips, counting every failure the phase table counts: "all
 * succeeded" only when none failed.
 */
function injectionClause(report: Report): string {
  const inj = report.phases.injection;
  const failed = inj.count - inj.successes;
  const noun = tripNoun(report);
  if (failed === 0) return `all ${noun} succeeded, median ${formatMs(inj.latency?.p50 ?? 0)}`;
  const kinds = injectionFailures(report);
  const share = formatRate(failed / inj.count);
  // Every failure a read timeout: the short form the timeout scenario has always read.
  if (kinds.length === 1 && kinds[0]?.[0] === "timeout")
    return `${share} of ${noun} timed out at ${report.parameters.readTimeoutMs} ms`;
  const how = kinds.map(([kind, n]) => failureText(kind, n, report)).join(", ");
  const rest =
    inj.successes > 0 && inj.successLatency
      ? `; the other ${inj.successes} succeeded, median ${formatMs(inj.successLatency.p50)}`
      : "";
  return `${failed} of ${inj.count} ${noun} (${share}) failed: ${how}${rest}`;
}

/**
 * One sentence a person can act on: "baseline healthy (median 5.1 ms); injected 800 ms ± 50 ms
 * for 40 s; 100% of round trips timed out at 500 ms; /health went 503 30003 ms (± 1000 ms) after
 * the first failure; recovered 976.2 ms (± 1000 ms) after the fault was removed".
 */
export function headline(report: Report): string {
  const { phases, parameters: p, times: t } = report;
  const parts: string[] = [];
  const base = phases.baseline;
  if (base.count > 0) {
    const healthy = base.successes === base.count;
    parts.push(
      `baseline ${healthy ? "healthy" : `${base.count - base.successes} of ${base.count} failed`} (median ${formatMs(base.latency?.p50 ?? 0)})`,
    );
  }
  if (report.fault.startedAt) {
    // A fault stopped early (Ctrl-C) says how long it really was in place; one that ran its
    // course, the duration asked for.
    const { startedAt, endedAt, endReason } = report.fault;
    const lasted = endedAt && endReason !== "completed" ? Date.parse(endedAt) - Date.parse(startedAt) : p.injectionMs;
    parts.push(`injected ${p.fault.description} for ${formatDuration(lasted)}`);
    const inj = phases.injection;
    if (inj.count > 0) parts.push(injectionClause(report));
    // Measured on a schedule: the probe's interval and the /health poll bound how precisely.
    const trip = t.resolutionMs ? ` (${formatResolution(t.resolutionMs.roundTrip)})` : "";
    const poll = t.resolutionMs ? ` (${formatResolution(t.resolutionMs.health)})` : "";
    if (t.unhealthyAfterFirstFailureMs !== null) {
      parts.push(`/health went 503 ${formatMs(t.unhealthyAfterFirstFailureMs)}${poll} after the first failure`);
    }
    if (t.timeToRecoverMs !== null)
      parts.push(`recovered ${formatMs(t.timeToRecoverMs)}${trip} after the fault was removed`);
  }
  return parts.join("; ");
}
