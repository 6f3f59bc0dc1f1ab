// Which phase a round trip belongs to, from when it started and ended against the fault's window.
// One rule, read by the timeline (the summary) and the live tally (the progress) alike.
import type { PhaseName } from "./timeline.js";

/**
 * A round trip in flight when the fault started or ended belongs to neither side: it is set aside
 * (and counted) rather than allowed to bias a phase.
 */
export function phaseBetween(
  start: number,
  end: number,
  faultStart?: number,
  faultEnd?: number,
): PhaseName | undefined {
  if (faultStart === undefined || end < faultStart) return "baseline";
  if (start < faultStart) return undefined;
  if (faultEnd === undefined || end <= faultEnd) return "injection";
  if (start < faultEnd) return undefined;
  return "recovery";
}
