// `fislat sweep`'s plan, pure: which fault field is stepped and through which levels (flags, else
// the experiment file's `sweep` section), the bisection, the gate and the budget, and one
// ExperimentRequest per level made by the same planner `run` uses, so a level is exactly the run
// its flags would give. Every level is planned before anything starts: a refusal is exit 2.
import { parseDuration } from "../durations.js";
import { badInput, FislatError } from "../errors.js";
import type { Check } from "./checks.js";
import { FAULT_KINDS, type Fault, type FaultKind, isFaultKindName, type SweepableField } from "./fault.js";
import { quoted } from "./limits.js";
import type { ExperimentRequest } from "./plan.js";
import { type ExperimentSource, flagKey, planExperiment, type RunFlags } from "./planner.js";
import { maxLevelRuns, type SweepSettings } from "./sweep.js";
import { formatLevel, namesLevels, parseLevels } from "./sweep-levels.js";

export interface SweepFlags extends RunFlags {
  steps?: string;
  bisect?: string;
  allLevels?: boolean;
  expectHoldsAt?: string;
  maxDuration?: string;
}

export interface SweepPlan {
  /** The first level's request: the name, phases, hypothesis and target every level shares. */
  request: ExperimentRequest;
  field: string;
  /** The swept field's flag as typed ("--delay", "--error-rate"). */
  flag: string;
  sweepable: SweepableField;
  /** A level for people ("400 ms", "20%", "0.05"). */
  format(level: number): string;
  settings: SweepSettings;
  expectHoldsAt?: number;
  /** The gate's level, when it was not among the levels and was added so the gate can be told. */
  addedForGate?: number;
  /** Most levels the sweep can run (listed + the longest bisection), before re-runs. */
  maxRuns: { listed: number; bisection: number };
  /** The same planner as `run`, with the field at `level`; no report files (the sweep writes its own). */
  requestAt(level: number): ExperimentRequest;
}

/**
 * A hypothesis that wants the fault to bite (timeouts, errors, /health turning 503) fails at every
 * level below the break and holds above it: a sweep looks for the opposite. Returns the checks that do.
 */
export function checksWantingHarm(checks: Check[]): Check[] {
  return checks.filter((c) => {
    if (c.role !== "hypothesis") return false;
    const { operator, bound, aggregation } = c.threshold;
    const positive = bound.some((t) => t.reference !== undefined || t.coefficient > 0);
    if (c.scope === "injection" && ["failed", "timeouts", "degraded"].includes(c.metric)) {
      if (aggregation.kind !== "rate" && aggregation.kind !== "count") return false;
      return operator === "~=" || operator === ">" || ((operator === ">=" || operator === "==") && positive);
    }
    // A floor under the latency that does not move with the fault (lossy's p(99)>=baseline_med+150)
    // fails at the levels too small to reach it; one that follows the fault (predicted_median) does not.
    if (c.scope === "injection" && (c.metric === "rtt" || c.metric === "ok_rtt")) {
      const followsFault = bound.some((t) => t.reference !== undefined && FAULT_FOLLOWING.has(t.reference));
      return (operator === ">" || operator === ">=") && !followsFault;
    }
    if (c.scope === "run" && c.metric === "unhealthy") return !c.optional;
    if (c.scope === "run" && c.metric === "went_unhealthy")
      return operator === ">" || ((operator === ">=" || operator === "==") && positive);
    return false;
  });
}

/** Figures that grow with the fault's size: a bound made of them moves with the level. */
const FAULT_FOLLOWING = new Set(["delay", "jitter", "predicted", "predicted_median", "predicted_failed"]);

const WANTS: Record<string, string> = {
  rtt: "wants round trips slowed at every level",
  ok_rtt: "wants round trips slowed at every level",
  failed: "wants failures",
  timeouts: "wants timeouts",
  degraded: "wants round trips slowed or failed",
  unhealthy: "wants /health to turn 503",
  went_unhealthy: "wants /health to turn 503",
};

/**
 * `planLevel`: how `run` turns flags into a request for this source; by default the planner alone,
 * and the command passes run's own (which also reads the files a request names) so a level is
 * planned exactly as `fislat run` would plan it.
 */
export function planSweep(
  flags: SweepFlags,
  source: ExperimentSource,
  planLevel: (flags: RunFlags) => ExperimentRequest = (f) => planExperiment(f, source),
): SweepPlan {
  const file = source.data;
  const origin = source.kind === "file" ? source.name : `scenario ${source.name}`;
  const spec = file.sweep ?? {};
  // The kind as the planner will pick it: --fault, else the file's, else latency (the planner refuses a wrong name).
  const kindName = flags.fault ?? file.fault?.kind ?? "latency";
  const kind = isFaultKindName(kindName) ? (FAULT_KINDS[kindName] as FaultKind<Fault>) : undefined;
  // Each sweepable field of the kind, with its flag as typed and where commander keeps its value.
  const fields = Object.entries(kind?.fields ?? {}).flatMap(([name, f]) =>
    f.sweep ? [{ name, flag: f.flag.split(" ")[0] as string, key: flagKey(f.flag), sweep: f.sweep }] : [],
  );
  if (fields.length === 0) {
    const sweepable = (Object.values(FAULT_KINDS) as FaultKind<Fault>[]).flatMap((k) => {
      const flags = Object.values(k.fields).flatMap((f) => (f.sweep ? [f.flag.split(" ")[0]] : []));
      return flags.length > 0 ? [`${k.kind} (${flags.join(", ")})`] : [];
    });
    throw badInput(
      `the ${kind?.kind ?? quoted(kindName)} fault has no numeric field a sweep can step: sweep --fault ${sweepable.join(", ")}`,
    );
  }

  // The swept field: the file names it, or it is the one flag given several levels, or one given at all, or the kind's first.
  const given = (f: (typeof fields)[number]) => flags[f.key] as string | undefined;
  const withLevels = fields.filter((f) => namesLevels(given(f) ?? ""));
  if (spec.field !== undefined && !fields.some((f) => f.name === spec.field)) {
    throw badInput(
      `${origin}: sweep.field ${quoted(spec.field)} cannot be swept: the ${kindName} fault's sweepable fields are ${fields.map((f) => f.name).join(", ")}`,
    );
  }
  if (withLevels.length > 1) {
    throw badInput(
      `${withLevels.map((f) => f.flag).join(" and ")} both name several levels: a sweep steps one field at a time`,
    );
  }
  const chosen =
    fields.find((f) => f.name === spec.field) ??
    withLevels[0] ??
    fields.find((f) => given(f) !== undefined) ??
    (fields[0] as (typeof fields)[number]);
  const field = chosen.name;
  const sweepable = chosen.sweep;
  const format = (level: number) => formatLevel(sweepable.unit, level);
  const flagText = given(chosen);
  const where = flagText !== undefined ? chosen.flag : `${origin}: sweep.levels`;
  const levelsText = flagText ?? spec.levels;
  if (levelsText === undefined) {
    const example = {
      ms: ["100ms,200ms,400ms,800ms", "100ms..1600ms"],
      "%": ["5,10,20,40", "5..80"],
      share: ["0.05,0.1,0.2,0.4", "0.05..0.8"],
    }[sweepable.unit];
    throw badInput(
      `fislat sweep needs the levels to step: ${chosen.flag} ${example[0]} (a list), ${chosen.flag} ${example[1]} (a range, doubling; --steps N for N even steps), or sweep.levels in the experiment file`,
    );
  }
  // The file's steps belong to the file's range: levels given as a flag replace both.
  const fileSteps = flagText === undefined && spec.steps !== undefined ? String(spec.steps) : undefined;
  const stepsText = flags.steps ?? fileSteps;
  const steps = stepsText === undefined ? undefined : /^\d+$/.test(stepsText) ? Number(stepsText) : Number.NaN;
  if (steps !== undefined && Number.isNaN(steps)) {
    throw badInput(`--steps ${quoted(stepsText ?? "")} is not valid: expected a whole number from 2 to 40`);
  }
  const levels = parseLevels(where, levelsText, sweepable, steps);

  const level = (flag: string, fileField: string, text: string | undefined, fromFile: string | undefined) => {
    const given = text ?? fromFile;
    if (given === undefined) return undefined;
    return sweepable.parse(text !== undefined ? flag : `${origin}: sweep.${fileField}`, given);
  };
  const bisect = level("--bisect", "bisect", flags.bisect, spec.bisect);
  if (bisect !== undefined && bisect < sweepable.step) {
    throw badInput(
      `--bisect ${quoted(flags.bisect ?? spec.bisect ?? "")} is below the smallest step of ${field} (${format(sweepable.step)})`,
    );
  }
  const expectHoldsAt = level("--expect-holds-at", "expectHoldsAt", flags.expectHoldsAt, spec.expectHoldsAt);
  let addedForGate: number | undefined;
  if (expectHoldsAt !== undefined && !levels.includes(expectHoldsAt)) {
    // The gate asks about one level: run it, so that the answer is measured rather than inferred.
    addedForGate = expectHoldsAt;
    levels.push(expectHoldsAt);
    levels.sort((a, b) => a - b);
  }
  const maxDurationText = flags.maxDuration ?? spec.maxDuration;
  const maxDurationMs =
    maxDurationText === undefined
      ? undefined
      : parseDuration(
          flags.maxDuration !== undefined ? "--max-duration" : `${origin}: sweep.maxDuration`,
          maxDurationText,
        );

  // Each level through run's planner: the field's flag set to the level, report files left to the sweep.
  const levelFlags: RunFlags = { ...flags, json: undefined, junit: undefined, markdown: undefined, html: undefined };
  const requestAt = (value: number): ExperimentRequest => {
    try {
      return planLevel({ ...levelFlags, [chosen.key]: sweepable.flagValue(value) });
    } catch (error) {
      // A refusal about the fault names the level it came from; one about anything else is the same at every level.
      if (error instanceof FislatError && (error.message.includes(chosen.flag) || error.message.includes("fault."))) {
        // A level the gate added is named by its flag: the user did not list it.
        const from = value === addedForGate ? ` (--expect-holds-at)` : "";
        throw new FislatError(`at the level ${format(value)} of ${field}${from}: ${error.message}`, error.exitCode);
      }
      throw error;
    }
  };
  const requests = levels.map(requestAt);
  const request = requests[0] as ExperimentRequest;

  const harm = checksWantingHarm(request.hypothesis);
  if (harm.length > 0) {
    throw badInput(
      `${origin} cannot be swept as it is: its hypothesis expects the fault to bite (${harm.map((c) => `${c.id} ${WANTS[c.metric] ?? ""}`).join("; ")}), so it fails below the break and holds above it. A sweep looks for where a hypothesis that should hold stops holding: give what must stay true, e.g. --threshold 'injection.failed:rate<0.05' or --threshold 'injection.rtt:p(99)<1000' without --scenario, --scenario succeed, or an experiment file whose thresholds say so`,
    );
  }

  const { phases } = request;
  const settings: SweepSettings = {
    levels,
    step: sweepable.step,
    allLevels: flags.allLevels ?? spec.allLevels ?? false,
    levelMs: phases.baselineMs + phases.injectionMs + phases.recoveryMs,
    format,
  };
  if (bisect !== undefined) settings.bisect = bisect;
  if (maxDurationMs !== undefined) {
    if (maxDurationMs < settings.levelMs) {
      throw badInput(
        `--max-duration ${quoted(maxDurationText ?? "")} is shorter than one level (${phases.baselineMs / 1000} s + ${phases.injectionMs / 1000} s + ${phases.recoveryMs / 1000} s): allow at least that, or shorten the phases`,
      );
    }
    settings.maxDurationMs = maxDurationMs;
  }
  const plan: SweepPlan = {
    request,
    field,
    flag: chosen.flag,
    sweepable,
    format,
    settings,
    maxRuns: maxLevelRuns(settings),
    requestAt,
  };
  if (expectHoldsAt !== undefined) plan.expectHoldsAt = expectHoldsAt;
  if (addedForGate !== undefined) plan.addedForGate = addedForGate;
  return plan;
}
