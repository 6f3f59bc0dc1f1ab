// How far a task's clock is from AWS's, estimated from the data: an event cannot be ingested before
// it was written, so ingestion time minus event timestamp below zero shows the task's clock ahead
// by at least that much; and the fault cannot end in the data before FIS ended it, which bounds
// the skew from the other side. The estimate corrects the task's times before they are judged.

/** Skew up to this is corrected and judged as usual; beyond it, the report says times are uncertain. */
export const SKEW_TOLERANCE_MS = 5000;

export interface SkewEstimate {
  /** Task clock minus AWS's is at least this (negative ingestion delays). */
  atLeastMs?: number;
  /** ...and at most this (the first recovered round trip against FIS's end of the action). */
  atMostMs?: number;
  /** Subtracted from the task's times before judging. */
  correctionMs: number;
  beyondTolerance: boolean;
  note?: string;
}

/** The fault's end is seen one round trip late at best: less than this behind is not evidence. */
const BEHIND_DEAD_BAND_MS = 1000;

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * `ingestionDelays`: ingestion time minus event timestamp for each line. `recoveredAfterEndMs`: the
 * first round trip that no longer showed the fault, on the task's clock, minus FIS's end of the
 * action (FIS needs time to remove the fault, so the skew is at most this).
 */
export function estimateSkew(ingestionDelays: number[], recoveredAfterEndMs?: number): SkewEstimate | undefined {
  if (ingestionDelays.length === 0 && recoveredAfterEndMs === undefined) return undefined;
  const minDelay =
    ingestionDelays.length > 0 ? ingestionDelays.reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY) : undefined;
  const estimate: SkewEstimate = { correctionMs: 0, beyondTolerance: false };
  if (minDelay !== undefined && minDelay < 0) estimate.atLeastMs = -minDelay;
  if (recoveredAfterEndMs !== undefined) estimate.atMostMs = recoveredAfterEndMs;
  // Correct only by what the data proves: ahead by at least the ingestion bound, or behind by at
  // least the fault-end bound. Never by the fault's own timing alone, or recovery would be measured
  // against itself.
  if (estimate.atLeastMs !== undefined && estimate.atLeastMs > 0) estimate.correctionMs = estimate.atLeastMs;
  else if (estimate.atMostMs !== undefined && estimate.atMostMs < -BEHIND_DEAD_BAND_MS)
    estimate.correctionMs = estimate.atMostMs;
  if (estimate.correctionMs === 0) return estimate;
  const ahead = estimate.correctionMs > 0;
  const bounds = [
    estimate.atLeastMs !== undefined ? `at least ${s(estimate.atLeastMs)} from ingestion times` : undefined,
    estimate.atMostMs !== undefined ? `at most ${s(estimate.atMostMs)} from the fault's end` : undefined,
  ]
    .filter(Boolean)
    .join(", ");
  estimate.beyondTolerance = Math.abs(estimate.correctionMs) > SKEW_TOLERANCE_MS;
  estimate.note = `clock ${ahead ? "ahead of" : "behind"} AWS's by about ${s(Math.abs(estimate.correctionMs))} (${bounds}); times corrected before judging${
    estimate.beyondTolerance
      ? `; beyond the ${s(SKEW_TOLERANCE_MS)} tolerance, so this task's timings are uncertain`
      : ""
  }`;
  return estimate;
}
