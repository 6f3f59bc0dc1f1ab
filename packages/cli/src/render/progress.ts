// What a person sees while a run goes on: an ora spinner with the phase, time left, the last round
// trip and this phase's counts on a live terminal; plain progress lines when piped, in CI, on a
// dumb terminal or one that reports no width. The counts are the engine's live tally, placed in
// phases by the summary's own rule, so the last counts shown are the summary's.
import type { RoundTripRecord } from "@fislat/probe/record";
import ora, { type Ora } from "ora";
import type { Output } from "../context.js";
import { formatDuration } from "../durations.js";
import type { ExperimentEvents } from "../engine/experiment.js";
import type { LiveTally } from "../engine/live-tally.js";
import type { PhaseName } from "../engine/timeline.js";
import { colorLevel, isLiveTerminal, type makeChalk } from "./style.js";
import { wrapProse } from "./wrap.js";

const PLAIN_STATUS_EVERY_MS = 5000;
/** The spinner's frame and the space after it. */
const SPINNER_PREFIX = 2;

export interface Progress extends ExperimentEvents {
  info(message: string): void;
  /**
   * Waiting for something before the run (an app to answer): the status names it and the real
   * time left of its limit (`flag` names the limit: "--app-ready-timeout 60 s"). Returns the end of the wait.
   */
  waitingFor(what: string, timeoutMs: number, flag: string): () => void;
  done(): void;
}

export function createProgress(
  stream: Output,
  chalk: ReturnType<typeof makeChalk>,
  env: Readonly<Record<string, string | undefined>>,
): Progress {
  let phase = "starting";
  let phaseEndsAt = 0;
  // Before the first phase: starting (no clock to show), or waiting for something named, with its
  // limit; once stopping (a Ctrl-C, a failure), that is what is true until the end, judging included.
  let mode: "starting" | "waiting" | "phase" | "stopping" = "starting";
  let waited = { what: "", flag: "", totalMs: 0 };
  let last: RoundTripRecord | undefined;
  // Counted per phase: "injection ... 11 ok" must not include the baseline's successes.
  let countedPhase: PhaseName = "baseline";
  let tally: LiveTally | undefined;
  const spinner: Ora | undefined = isLiveTerminal(stream, env)
    ? ora({
        // A live terminal is a real one: process.stderr in the CLI.
        stream: stream as NodeJS.WriteStream,
        text: "starting",
        // ora's default puts stdin in raw mode, where a typed Ctrl-C never becomes SIGINT.
        discardStdin: false,
        color: colorLevel(stream, env) > 0 ? "cyan" : false,
      }).start()
    : undefined;

  const describe = (r: RoundTripRecord) =>
    r.ok ? `#${r.seq} ok ${r.rttMs.toFixed(0)} ms` : `#${r.seq} ${r.errorKind} ${r.rttMs.toFixed(0)} ms`;
  const status = () => {
    const left = Math.max(0, phaseEndsAt - performance.now());
    if (mode === "starting") return "starting";
    if (mode === "waiting")
      return `waiting for ${waited.what}: ${formatDuration(left)} left of ${waited.flag} ${formatDuration(waited.totalMs)}`;
    const lastText = last ? `last ${describe(last)}` : "no round trip yet";
    // Judging waits for late lines only as long as it planned; a stop has no planned end.
    const when =
      mode === "stopping"
        ? "stopping"
        : phase === "judging" && left === 0
          ? "judging"
          : `${phase} ${formatDuration(left)} left`;
    return `${when} | ${lastText} | ${countsText()}`;
  };
  const countsText = () => {
    const c = tally?.phase(countedPhase) ?? { ok: 0, timeouts: 0, errors: 0 };
    const aside = tally?.setAside ?? 0;
    return `${c.ok} ok, ${plural(c.timeouts, "timeout")}, ${plural(c.errors, "error")}${aside > 0 ? `, ${aside} set aside (in flight at a fault boundary)` : ""}`;
  };
  // The spinner's line must never wrap: a wrapped line is redrawn one row lower each time.
  const fit = (text: string) => {
    const room = Math.max(1, (stream.columns ?? 0) - SPINNER_PREFIX - 1);
    return text.length > room ? `${text.slice(0, Math.max(0, room - 1))}…` : text;
  };
  // After done() the spinner is gone for good: a late line (a second Ctrl-C while the reports are
  // written) must not bring its last frame back under the summary.
  let finished = false;
  const showStatus = () => {
    if (spinner && !finished) spinner.text = fit(status());
  };
  // A terminal of known width gets lines wrapped at spaces (as the summary's prose), not broken
  // mid-word by the terminal; a pipe or a width of 0 gets them whole.
  const wrap = (text: string) => {
    const width = stream.isTTY ? (stream.columns ?? 0) : 0;
    return width > 0 ? wrapProse(text, width) : text;
  };
  const line = (text: string) => {
    if (spinner && !finished) {
      spinner.clear();
      stream.write(`${wrap(text)}\n`);
      spinner.render();
    } else {
      stream.write(`${wrap(`${new Date().toISOString()} ${text}`)}\n`);
    }
  };
  const ticker = setInterval(
    () => {
      if (spinner) showStatus();
      // Plain lines: "starting" every 5 s says nothing a person can use.
      else if (mode !== "starting") line(status());
    },
    spinner ? 250 : PLAIN_STATUS_EVERY_MS,
  );
  ticker.unref();

  return {
    phase(name, plannedMs) {
      phase = name;
      phaseEndsAt = performance.now() + plannedMs;
      // Stopping goes straight to judging, which stays "stopping"; a new run's phase (a sweep's next level) does not.
      if (mode !== "stopping" || name !== "judging") mode = "phase";
      if (name !== "judging") {
        countedPhase = name;
        line(`${chalk.bold(name)} for ${formatDuration(plannedMs)}`);
      }
    },
    roundTrip(r, live) {
      if (r.src !== "loop") return;
      last = r;
      tally = live;
      showStatus();
    },
    faultStarted(at) {
      line(`fault injected at ${at.toISOString()}`);
    },
    faultEnded(ended) {
      line(`fault ${ended.reason} at ${ended.endedAt.toISOString()}${ended.detail ? `: ${ended.detail}` : ""}`);
    },
    stopping(reason) {
      mode = "stopping";
      line(chalk.yellow(reason));
      showStatus();
    },
    info(message) {
      line(message);
    },
    waitingFor(what, timeoutMs, flag) {
      if (mode === "stopping") return () => {};
      mode = "waiting";
      phaseEndsAt = performance.now() + timeoutMs;
      waited = { what, flag, totalMs: timeoutMs };
      showStatus();
      return () => {
        if (mode === "waiting") mode = "starting";
        showStatus();
      };
    },
    done() {
      finished = true;
      clearInterval(ticker);
      spinner?.stop();
    },
  };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
