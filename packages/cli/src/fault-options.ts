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
