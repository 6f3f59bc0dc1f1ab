// Fixed-rate schedule: tick k is due at start + k * interval on the monotonic clock, whatever
// the previous round trip took, so slow round trips neither shift later ones (drift) nor hide
// (coordinated omission). At most one task runs at a time; a tick that finds the previous task
// still running is reported as missed instead of being silently dropped or queued.
import { performance } from "node:perf_hooks";

export interface ScheduleHooks {
  /** Runs one task; the returned promise must settle (the schedule never rejects). */
  run(tick: number): Promise<void>;
  /** A tick came due while a task was still running. `dueAt` is on the monotonic clock. */
  missed(tick: number, dueAt: number, totalMissed: number): void;
}

export interface FixedRateSchedule {
  /** Resolves once no task is in flight. */
  stop(): Promise<void>;
  readonly missedTicks: number;
}

export function startFixedRate(
  intervalMs: number,
  hooks: ScheduleHooks,
  now: () => number = () => performance.now(),
): FixedRateSchedule {
  const origin = now();
  let tick = 0;
  let missedTicks = 0;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> | undefined;

  const fire = () => {
    if (stopped) return;
    const dueAt = origin + tick * intervalMs;
    if (inFlight) {
      missedTicks += 1;
      hooks.missed(tick, dueAt, missedTicks);
    } else {
      const current = hooks.run(tick).finally(() => {
        inFlight = undefined;
      });
      inFlight = current;
    }
    // Ticks whose time passed while the event loop was busy are missed too, not bunched up.
    const elapsedTicks = Math.floor((now() - origin) / intervalMs);
    for (let late = tick + 1; late <= elapsedTicks; late++) {
      missedTicks += 1;
      hooks.missed(late, origin + late * intervalMs, missedTicks);
    }
    tick = Math.max(tick + 1, elapsedTicks + 1);
    timer = setTimeout(fire, Math.max(0, origin + tick * intervalMs - now()));
  };
  fire();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
    },
    get missedTicks() {
      return missedTicks;
    },
  };
}
