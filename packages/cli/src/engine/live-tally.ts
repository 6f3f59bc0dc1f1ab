// The counts a person watches while a run goes on, per phase, placed by the same rule the summary
// uses (phaseBetween: a round trip in flight when the fault started or ended is set aside, in no
// phase) over the same records. When the fault's start or end becomes known the counts are
// recomputed from the records, so a round trip that arrived before its boundary was known is
// placed as the summary will place it, and the last counts shown are the summary's.

import { phaseBetween } from "./phase-rule.js";
import type { RoundTripStore } from "./record-store.js";
import { isTimeoutOutcome, OK_OUTCOME } from "./record-store.js";
import type { PhaseName } from "./timeline.js";

export interface PhaseCounts {
  ok: number;
  timeouts: number;
  /** Failures other than timeouts. */
  errors: number;
}

const zero = (): PhaseCounts => ({ ok: 0, timeouts: 0, errors: 0 });

export class LiveTally {
  private counts: Record<PhaseName, PhaseCounts> = { baseline: zero(), injection: zero(), recovery: zero() };
  private aside = 0;
  private faultStart: number | undefined;
  private faultEnd: number | undefined;

  constructor(private readonly store: RoundTripStore) {}

  /** This phase's loop round trips so far. */
  phase(name: PhaseName): Readonly<PhaseCounts> {
    return this.counts[name];
  }

  /** Loop round trips in flight when the fault started or ended: counted in no phase. */
  get setAside(): number {
    return this.aside;
  }

  /** The fault's window as the injector reported it so far; recounts every record read. */
  setWindow(startedAt: Date | undefined, endedAt: Date | undefined): void {
    this.faultStart = startedAt?.getTime();
    this.faultEnd = endedAt?.getTime();
    this.counts = { baseline: zero(), injection: zero(), recovery: zero() };
    this.aside = 0;
    for (let i = 0; i < this.store.length; i++) this.add(i);
  }

  /** Counts the store's record `i` (a loop round trip; /test and other on-demand ones are not the run's). */
  add(i: number): void {
    const s = this.store;
    if (!s.isLoop(i)) return;
    const start = s.start[i] as number;
    const phase = phaseBetween(start, start + (s.rtt[i] as number), this.faultStart, this.faultEnd);
    if (!phase) {
      this.aside += 1;
      return;
    }
    const o = s.outcome[i] as number;
    const c = this.counts[phase];
    if (o === OK_OUTCOME) c.ok += 1;
    else if (isTimeoutOutcome(o)) c.timeouts += 1;
    else c.errors += 1;
  }
}
