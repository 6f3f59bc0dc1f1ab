// Health of the probe's loop: unhealthy once round trips have failed continuously for the
// configured time (measured from the start of the first failing round trip), healthy again on the
// first success. The flip is timed by a timer, not by the next round trip, so /health and the
// logged transition happen when the threshold passes.
import { performance } from "node:perf_hooks";

export type HealthStatus = "starting" | "healthy" | "unhealthy";

export interface HealthSnapshot {
  status: HealthStatus;
  failingForMs: number;
  consecutiveFailures: number;
  lastError?: string;
  lastSuccessAt?: string;
}

export interface HealthChange {
  healthy: boolean;
  failingForMs: number;
  consecutiveFailures: number;
  lastError?: string;
}

export class HealthTracker {
  private status: HealthStatus = "starting";
  private failingSince: number | undefined;
  private consecutiveFailures = 0;
  private lastError: string | undefined;
  private lastSuccessAt: string | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly thresholdMs: number,
    private readonly onChange: (change: HealthChange) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  recordSuccess(): void {
    this.lastSuccessAt = new Date().toISOString();
    this.consecutiveFailures = 0;
    this.failingSince = undefined;
    this.lastError = undefined;
    clearTimeout(this.timer);
    const wasUnhealthy = this.status === "unhealthy";
    this.status = "healthy";
    if (wasUnhealthy) this.onChange({ healthy: true, failingForMs: 0, consecutiveFailures: 0 });
  }

  /** `startedAt` is when the failing round trip began, on the same clock as `now`. */
  recordFailure(startedAt: number, error: string): void {
    this.consecutiveFailures += 1;
    this.lastError = error;
    if (this.failingSince === undefined) {
      this.failingSince = startedAt;
      if (this.status !== "unhealthy") {
        clearTimeout(this.timer);
        this.timer = setTimeout(() => this.becomeUnhealthy(), Math.max(0, startedAt + this.thresholdMs - this.now()));
        this.timer.unref();
      }
    }
  }

  private becomeUnhealthy(): void {
    if (this.failingSince === undefined || this.status === "unhealthy") return;
    // Timers round fractional delays down; never flip before the threshold has really passed.
    const remaining = this.failingSince + this.thresholdMs - this.now();
    if (remaining > 0) {
      this.timer = setTimeout(() => this.becomeUnhealthy(), Math.ceil(remaining));
      this.timer.unref();
      return;
    }
    this.status = "unhealthy";
    this.onChange({
      healthy: false,
      failingForMs: this.now() - this.failingSince,
      consecutiveFailures: this.consecutiveFailures,
      ...(this.lastError === undefined ? {} : { lastError: this.lastError }),
    });
  }

  snapshot(): HealthSnapshot {
    const snap: HealthSnapshot = {
      status: this.status,
      failingForMs: this.failingSince === undefined ? 0 : Math.round(this.now() - this.failingSince),
      consecutiveFailures: this.consecutiveFailures,
    };
    if (this.lastError !== undefined) snap.lastError = this.lastError;
    if (this.lastSuccessAt !== undefined) snap.lastSuccessAt = this.lastSuccessAt;
    return snap;
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}
