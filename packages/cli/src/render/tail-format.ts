// One probe line as `fislat tail` prints it for a person: time, short task id, ok or the error
// kind, round-trip time; health changes and missed ticks in words. Other lines are skipped.
import type { ProbeLine } from "@fislat/probe/record";
import type { makeChalk } from "./style.js";

const shortTask = (task: string) => (task.split("/").at(-1) ?? task).slice(0, 8);

export function formatTailLine(line: ProbeLine, chalk: ReturnType<typeof makeChalk>): string | undefined {
  switch (line.type) {
    case "round-trip": {
      const r = line.record;
      const status = r.ok ? chalk.green("ok".padEnd(15)) : chalk.red((r.errorKind ?? "error").padEnd(15));
      const rtt = `${r.rttMs.toFixed(1).padStart(8)} ms`;
      const extra = r.src === "test" ? " /test" : r.conn === "new" ? " new connection" : "";
      return `${r.ts}  ${shortTask(r.task).padEnd(8)}  ${status} ${rtt}${extra}${r.ok ? "" : chalk.dim(`  ${r.error ?? ""}`)}`;
    }
    case "health": {
      const h = line.record;
      const text = h.healthy
        ? chalk.green("/health 200 again")
        : chalk.red(`/health 503 after ${Math.round(h.failingForMs / 1000)} s of failures`);
      return `${h.ts}  ${shortTask(h.task ?? "").padEnd(8)}  ${text}`;
    }
    case "tick-missed":
      return `${line.record.ts}  ${shortTask(line.record.task ?? "").padEnd(8)}  ${chalk.yellow("tick missed (previous round trip still running)")}`;
    case "malformed":
      return chalk.dim(`(malformed probe line: ${line.reason})`);
    default:
      return undefined;
  }
}
