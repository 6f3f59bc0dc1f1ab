// The probe's settings as fislat validates them come from the probe's own contract, so the CLI
// can never accept what the probe refuses.
export { durationLimitsMs, MAX_TIMER_MS, PROBE_ENV, type ProbeEnvVar } from "@fislat/probe/contract";
