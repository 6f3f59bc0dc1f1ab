// fislat run against AWS in a person's terminal: the built CLI runs as a child process in a
// pseudo-terminal, talks over real HTTP to a fake AWS on loopback (aws-sdk-client-mock cannot reach
// into another process), and Ctrl-C is typed as byte 0x03, not sent with kill. At each phase the
// run stops as the README promises: the FIS experiment stopped once and confirmed, the template
// deleted, the report marked interrupted, exit 4, nothing left running.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it, onTestFinished } from "vitest";
import type { Report } from "../../src/engine/report.js";
import { type AwsCall, CLUSTER, FakeAws, ROLE_ARN, SERVICE, taskArn } from "../support/fake-aws-http.js";
import { isAlive, portRefuses } from "../support/local-run.js";
import { type PtyRun, startInPty } from "../support/pty.js";

const dir = mkdtempSync(path.join(os.tmpdir(), "fislat-aws-pty-"));
// An empty config file: a fislat.config.json in the working directory must not add flags.
const config = path.join(dir, "fislat.config.json");
writeFileSync(config, "{}");
const running: PtyRun[] = [];
afterAll(() => {
  for (const r of running) {
    // A failed test may leave fislat running: killing its terminal's driver does not end it.
    if (r.driver.exitCode === null && r.driver.signalCode === null) {
      for (const pid of childrenOf(r.driver.pid as number)) process.kill(pid, "SIGKILL");
    }
    r.driver.kill("SIGKILL");
  }
  rmSync(dir, { recursive: true, force: true });
});

const CTRL_C = "\u0003";
const STARTED = /FIS experiment (\S+) started/;

/** A fake AWS for one test, closed when the test ends, pass or fail. */
async function fakeAws(options: ConstructorParameters<typeof FakeAws>[0] = {}): Promise<FakeAws> {
  const fake = new FakeAws(options);
  await fake.start();
  onTestFinished(() => fake.close());
  return fake;
}

/** The command against the fake: found tasks of a service, logs polled (no Live Tail). */
function run(fake: FakeAws, name: string, baseline: string) {
  const r = startInPty(
    [
      "--config",
      config,
      "run",
      "--scenario",
      "timeout",
      "--cluster",
      CLUSTER,
      "--service",
      SERVICE,
      "--role-arn",
      ROLE_ARN,
      "--no-live-tail",
      // The tasks write a line a second: 6 s holds the 5 round trips a phase needs.
      "--baseline",
      baseline,
      "--duration",
      "1m",
      "--recovery",
      "6s",
      "--json",
      path.join(dir, `${name}.json`),
    ],
    { columns: 120, rows: 30 },
    fake.env(dir),
  );
  running.push(r);
  return r;
}

const report = (name: string) => JSON.parse(readFileSync(path.join(dir, `${name}.json`), "utf8")) as Report;

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** The fislat process the terminal runs (the driver's only child). */
const fislatPid = (r: PtyRun) => childrenOf(r.driver.pid as number)[0] as number;

/** The one StopExperiment, for `id`; then the template deleted, once the stop was confirmed. */
function expectStoppedThenDeleted(fake: FakeAws, id: string | undefined) {
  expect(fake.called("StartExperiment")).toHaveLength(1);
  const stops = fake.called("StopExperiment");
  expect(stops.map((c) => c.body.id)).toEqual([id]);
  const stop = fake.calls.indexOf(stops[0] as AwsCall);
  // FIS answers "stopping" first; fislat waits for "stopped" before it deletes the template.
  const after = fake.calls.slice(stop).filter((c) => c.operation === "GetExperiment");
  const states = fake.experimentStates().slice(-after.length);
  expect(states[0]).toBe("stopping");
  expect(states.at(-1)).toBe("stopped");
  const confirmed = fake.calls.indexOf(after[states.indexOf("stopped")] as AwsCall);
  expect(fake.called("CreateExperimentTemplate")).toHaveLength(1);
  const deletes = fake.called("DeleteExperimentTemplate");
  expect(deletes.map((c) => c.body.id)).toEqual(["EXT1"]);
  expect(fake.calls.indexOf(deletes[0] as AwsCall)).toBeGreaterThan(confirmed);
  expect(fake.unserved).toEqual([]);
}

/** fislat is gone, and nothing reaches AWS after it exited. */
async function expectNothingLeft(fake: FakeAws, pid: number) {
  expect(isAlive(pid)).toBe(false);
  const calls = fake.calls.length;
  await fake.close();
  expect(await portRefuses(fake.port)).toBe(true);
  expect(fake.calls).toHaveLength(calls);
}

describe("fislat run against AWS in a terminal", () => {
  it("removes the fault on a Ctrl-C typed while it is injected: experiment stopped once, template deleted, report interrupted, exit 4", async () => {
    const fake = await fakeAws();
    const r = run(fake, "injected", "6s");
    await r.waitFor(STARTED);
    const pid = fislatPid(r);
    const id = STARTED.exec(r.output())?.[1];
    // The action runs: the spinner shows the injection, and it must not have taken ISIG away.
    await r.waitFor(/injection [\d.]+ \w+ left/);
    r.type(CTRL_C);
    expect(await r.exit).toBe(4);

    expectStoppedThenDeleted(fake, id);
    expect(fake.experimentStates()).toContain("running");
    const json = report("injected");
    expect(json).toMatchObject({
      outcome: "interrupted",
      exitCode: 4,
      interrupted: { reason: "SIGINT received" },
      environment: { kind: "aws" },
      fault: { removal: "confirmed" },
    });
    expect(json.targets.map((t) => t.id)).toEqual([taskArn(fake.tasks[0] as string)]);
    expect(r.output()).toMatch(/SIGINT: removing the fault and stopping/);
    expect(r.output()).toMatch(/interrupted \(SIGINT received\); the fault was removed \(exit 4\)/);
    await expectNothingLeft(fake, pid);
  });

  it("stops the experiment at once on a Ctrl-C typed while FIS is still starting the action: the fault never lands, exit 4", async () => {
    // FIS takes its time to start the action, as it may; fislat must not wait for it to stop.
    const fake = await fakeAws({ actionStartMs: 10 * 60_000 });
    const r = run(fake, "starting", "6s");
    await r.waitFor(STARTED);
    const pid = fislatPid(r);
    const id = STARTED.exec(r.output())?.[1];
    r.type(CTRL_C);
    expect(await r.exit).toBe(4);

    expectStoppedThenDeleted(fake, id);
    expect(fake.experimentStates()).not.toContain("running");
    expect(report("starting")).toMatchObject({
      outcome: "interrupted",
      exitCode: 4,
      interrupted: { reason: "SIGINT received" },
      fault: { removal: "not-started" },
    });
    expect(r.output()).not.toMatch(/fault injected at/);
    expect(r.output()).toMatch(
      /interrupted \(SIGINT received\) before the fault took effect; nothing was injected \(exit 4\)/,
    );
    await expectNothingLeft(fake, pid);
  });

  it("injects nothing on a Ctrl-C typed during the baseline: no template, no experiment, report interrupted, exit 4", async () => {
    const fake = await fakeAws();
    // Long enough that the fault cannot begin before the typed Ctrl-C arrives, however slow the machine.
    const r = run(fake, "baseline", "30s");
    await r.waitFor(/baseline [\d.]+ \w+ left/);
    await fake.waitForCall("FilterLogEvents");
    const pid = fislatPid(r);
    r.type(CTRL_C);
    expect(await r.exit).toBe(4);

    for (const operation of ["CreateExperimentTemplate", "StartExperiment", "StopExperiment"]) {
      expect(fake.called(operation)).toEqual([]);
    }
    expect(fake.unserved).toEqual([]);
    expect(report("baseline")).toMatchObject({
      outcome: "interrupted",
      exitCode: 4,
      interrupted: { reason: "SIGINT received" },
      fault: { removal: "not-started" },
    });
    expect(r.output()).toMatch(/SIGINT: stopping; no fault has taken effect yet/);
    expect(r.output()).not.toMatch(/removing the fault/);
    expect(r.output()).toMatch(
      /interrupted \(SIGINT received\) before the fault took effect; nothing was injected \(exit 4\)/,
    );
    await expectNothingLeft(fake, pid);
  });
});
