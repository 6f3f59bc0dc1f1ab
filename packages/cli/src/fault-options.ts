// The fault's flags, from the fault kinds' modules: --fault KIND and each kind's own fields
// (--delay, --loss, --error, --error-rate, ...), so a new kind's flags appear without touching cli.ts.
import { type Command, Option } from "commander";
import { FAULT_KINDS, type Fault, type FaultKind } from "./engine/fault.js";

export function faultOptions(command: Command): Command {
  const kinds = Object.values(FAULT_KINDS) as FaultKind<Fault>[];
  command.addOption(
    new Option(
      "--fault <kind>",
      `the fault: ${kinds.map((k) => k.kind).join(", ")} (default: the experiment's, else latency)`,
    ).choices(kinds.map((k) => k.kind)),
  );
  const seen = new Set<string>();
  for (const kind of kinds) {
    for (const field of Object.values(kind.fields)) {
      if (seen.has(field.flag)) continue;
      seen.add(field.flag);
      command.option(field.flag, `${kind.kind}: ${field.help}`);
    }
  }
  return command;
}

/** One line per kind for --help. */
export const FAULT_HELP = `Faults (--fault KIND, with the kind's own flags):
${(Object.values(FAULT_KINDS) as FaultKind<Fault>[])
  .map(
    (k) =>
      `  ${k.kind.padEnd(12)}${`${Object.values(k.fields)
        .map((f) => f.flag.split(" ")[0])
        .join(" ")} `.padEnd(18)}${k.summary}`,
  )
  .join("\n")}`;

/** `fislat sweep`: each field a sweep can step says that its flag takes levels. */
export function sweepFieldOptions(command: Command): Command {
  for (const kind of Object.values(FAULT_KINDS) as FaultKind<Fault>[]) {
    for (const field of Object.values(kind.fields)) {
      if (!field.sweep) continue;
      const option = command.options.find((o) => o.flags === field.flag);
      const example = SWEEP_EXAMPLES[field.sweep.unit];
      if (option)
        option.description = `${kind.kind}: ${field.help.replace(/ \(default [^)]*\)$/, "")}; for a sweep, a list (${example.list}) or a range (${example.range}, doubling)`;
    }
  }
  return command;
}

const SWEEP_EXAMPLES = {
  ms: { list: "100ms,200ms,400ms", range: "100ms..1600ms" },
  "%": { list: "5,10,20", range: "5..80" },
  share: { list: "0.05,0.1,0.2", range: "0.05..0.8" },
} as const;
