// The verdict as one sentence, for the terminal and the Markdown summary.
import { formatDuration } from "../durations.js";
import { formatMs, formatRate, formatResolution } from "../engine/figures.js";
import type { Report } from "../engine/report.js";

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
    if (inj.count > 0) {
      const timedOut = formatRate(inj.timeouts / inj.count);
      parts.push(
        inj.timeouts > 0
          ? `${timedOut} of round trips timed out at ${p.readTimeoutMs} ms`
          : `all round trips succeeded, median ${formatMs(inj.latency?.p50 ?? 0)}`,
      );
    }
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
