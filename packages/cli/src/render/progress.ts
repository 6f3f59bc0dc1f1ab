// What a person sees while a run goes on: an ora spinner with the phase, time left, the last round
// trip and running counts on a TTY; plain progress lines when piped or in CI.
import type { RoundTripRecord } from "@fislat/probe/record";
import ora, { type Ora } from "ora";
import { formatDuration } from "../durations.js";
import type { ExperimentEvents } from "../engine/experiment.js";
import type { makeChalk } from "./style.js";

const PLAIN_STATUS_EVERY_MS = 5000;

export interface Progress extends ExperimentEvents {
  info(message: string): void;
  done(): void;
}

export function createProgress(stream: NodeJS.WriteStream, chalk: ReturnType<typeof makeChalk>): Progress {
  const interactive = Boolean(stream.isTTY) && !process.env.CI;
  let phase = "starting";
  let phaseEndsAt = 0;
  let last: RoundTripRecord | undefined;
  const counts = { ok: 0, timeouts: 0, errors: 0 };
  const spinner: Ora | undefined = interactive ? ora({ stream, text: "starting" }).start() : undefined;

  const describe = (r: RoundTripRecord) =>
    r.ok ? `#${r.seq} ok ${r.rttMs.toFixed(0)} ms` : `#${r.seq} ${r.errorKind} ${r.rttMs.toFixed(0)} ms`;
  const status = () => {
    const left = Math.max(0, phaseEndsAt - performance.now());
    const lastText = last ? `last ${describe(last)}` : "no round trip yet";
    return `${phase} ${formatDuration(left)} left | ${lastText} | ${counts.ok} ok, ${counts.timeouts} timeouts, ${counts.errors} errors`;
  };
  const line = (text: string) => {
    if (spinner) {
      spinner.clear();
      stream.write(`${text}\n`);
      spinner.render();
    } else {
      stream.write(`${new Date().toISOString()} ${text}\n`);
    }
  };
  const ticker = setInterval(
    () => {
      if (spinner) spinner.text = status();
      else line(status());
    },
    spinner ? 250 : PLAIN_STATUS_EVERY_MS,
  );
  ticker.unref();

  return {
    phase(name, plannedMs) {
      phase = name;
      phaseEndsAt = performance.now() + plannedMs;
      if (name !== "judging") line(`${chalk.bold(name)} for ${formatDuration(plannedMs)}`);
    },
    roundTrip(r) {
      if (r.src !== "loop") return;
      last = r;
      if (r.ok) counts.ok += 1;
      else if (r.errorKind === "timeout" || r.errorKind === "connect_timeout") counts.timeouts += 1;
      else counts.errors += 1;
      if (spinner) spinner.text = status();
    },
    faultStarted(at) {
      line(`fault injected at ${at.toISOString()}`);
    },
    faultEnded(ended) {
      line(`fault ${ended.reason} at ${ended.endedAt.toISOString()}${ended.detail ? `: ${ended.detail}` : ""}`);
    },
    stopping(reason) {
      line(chalk.yellow(reason));
    },
    info(message) {
      line(message);
    },
    done() {
      clearInterval(ticker);
      spinner?.stop();
    },
  };
}
