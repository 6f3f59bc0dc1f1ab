// Every `fislat run` input's limits, defined once: the flag, the experiment file's field, the unit
// and the range, each with why. The planner checks flags and files against this table, the
// README's input tables state it, and the probe's own settings come from the probe's contract.
import { durationLimitsMs, MAX_TIMER_MS, PROBE_ENV, type ProbeEnvVar } from "./probe-contract.js";

/** The longest a Node timer waits (2^31-1 ms, about 24.8 days); longer ones fire at once. */
export const TIMER_MAX_MS = MAX_TIMER_MS;
/** FIS runs an action for 1 minute to 12 hours (FIS actions reference; quota "Action duration in hours", 12). */
export const FIS_ACTION_MIN_MS = 60_000;
export const FIS_ACTION_MAX_MS = 12 * 3_600_000;
/** What the FIS latency action slows by default (`--sources`): written here only. */
export const DEFAULT_FIS_SOURCES = "DYNAMODB";

export interface Limit {
  flag: string;
  /** Where the experiment file sets it. */
  field?: string;
  /** "duration": needs a unit; "ms": a whole number of ms or a duration. */
  form: "duration" | "ms";
  min: number;
  max: number;
  why: string;
}

/** A probe duration's limits in ms; a duration flag takes at least 1 ms and what a timer holds. */
const fromProbe = (v: ProbeEnvVar) => {
  const { minMs, maxMs } = durationLimitsMs(v);
  return { min: Math.max(1, minMs), max: Math.min(TIMER_MAX_MS, maxMs) };
};

export const LIMITS = {
  baseline: {
    flag: "--baseline",
    field: "phases.baseline",
    form: "duration",
    min: 1,
    max: TIMER_MAX_MS,
    why: "a timer's longest wait",
  },
  duration: {
    flag: "--duration",
    field: "phases.injection",
    form: "duration",
    min: 1,
    max: TIMER_MAX_MS,
    why: "a timer's longest wait; on AWS, FIS's 1 min to 12 h",
  },
  recovery: {
    flag: "--recovery",
    field: "phases.recovery",
    form: "duration",
    min: 1,
    max: TIMER_MAX_MS,
    why: "a timer's longest wait",
  },
  interval: {
    flag: "--interval",
    field: "probe.interval",
    form: "duration",
    ...fromProbe(PROBE_ENV.TEST_INTERVAL_SECONDS),
    why: "the probe's TEST_INTERVAL_SECONDS",
  },
  healthFailure: {
    flag: "--health-failure",
    field: "probe.healthFailure",
    form: "duration",
    ...fromProbe(PROBE_ENV.HEALTH_FAILURE_SECONDS),
    why: "the probe's HEALTH_FAILURE_SECONDS",
  },
  connectionTimeout: {
    flag: "--connection-timeout",
    field: "probe.connectionTimeout",
    form: "ms",
    ...fromProbe(PROBE_ENV.CONNECTION_TIMEOUT_MS),
    why: "the probe's CONNECTION_TIMEOUT_MS",
  },
  readTimeout: {
    flag: "--read-timeout",
    field: "probe.readTimeout",
    form: "ms",
    ...fromProbe(PROBE_ENV.READ_TIMEOUT_MS),
    why: "the probe's READ_TIMEOUT_MS",
  },
} satisfies Record<string, Limit>;

export type LimitName = keyof typeof LIMITS;

/** A value as it may be shown back: a 100 KB value is cut, not echoed whole. */
export function quoted(value: unknown, max = 60): string {
  const text = typeof value === "string" ? value : String(value);
  const cut = text.length > max ? `${text.slice(0, max)}…(${text.length} characters)` : text;
  return JSON.stringify(cut);
}

/** 1500 -> "1.5 s", 60000 -> "1 min": limits said the way a person writes them. */
export function humanMs(msValue: number): string {
  // Down, not to nearest: the timer's 24.86 days shown as 24.9 would name a value that is refused.
  if (msValue >= 86_400_000) {
    const days = Math.floor((msValue / 86_400_000) * 10) / 10;
    return `${days} ${days === 1 ? "day" : "days"}`;
  }
  if (msValue >= 3_600_000) return `${+(msValue / 3_600_000).toFixed(1)} h`;
  if (msValue >= 60_000) return `${+(msValue / 60_000).toFixed(1)} min`;
  if (msValue >= 1000) return `${+(msValue / 1000).toFixed(2)} s`;
  return `${msValue} ms`;
}

/** A message as one line: newlines, tabs and other control characters written as escapes. */
export function oneLine(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it escapes
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1));
}
