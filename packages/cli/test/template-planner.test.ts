// fislat template is planned by fislat run's planner: the same limits, defaults and experiment
// files, so a template it prints is one a run would send, and what a run refuses it refuses.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { planRun } from "../src/commands/run-options.js";
import { type TemplateFlags, templateCommand } from "../src/commands/template.js";
import { EXIT, FislatError } from "../src/errors.js";
import { testContext } from "./support/context.js";
import { tempDir } from "./support/temp-dir.js";

const ROLE = "arn:aws:iam::000000000000:role/fis";
const TASK = "arn:aws:ecs:us-east-1:000000000000:task/FIS/0123abcd";

function template(flags: TemplateFlags) {
  const ctx = testContext();
  const code = templateCommand(ctx, { roleArn: ROLE, task: [TASK], ...flags });
  return { code, template: JSON.parse(ctx.stdout.text()) };
}

function refusal(run: () => unknown): FislatError {
  try {
    run();
  } catch (error) {
    if (error instanceof FislatError) return error;
    throw error;
  }
  throw new Error("not refused");
}

describe("fislat template on the planner", () => {
  it.each([
    ["--duration 13h, longer than FIS runs an action", { duration: "13h" }],
    ["--duration 30s, shorter than FIS runs an action", { duration: "30s" }],
    ["a delay that is not whole milliseconds", { delay: "800.5" }],
    ["a jitter larger than the delay", { delay: "100", jitter: "200" }],
    ["sources with a space", { sources: "DYNAMODB S3" }],
    ["--experiment and --scenario together", { experiment: "x.yaml", scenario: "timeout" }],
  ])("refuses %s exactly as fislat run does (exit 2)", (_what, flags: Partial<TemplateFlags>) => {
    const byRun = refusal(() => planRun({ roleArn: ROLE, cluster: "FIS", task: [TASK], ...flags }, process.cwd()));
    const byTemplate = refusal(() => template(flags));
    expect(byRun.exitCode).toBe(EXIT.badInput);
    expect(byTemplate.exitCode).toBe(EXIT.badInput);
    expect(byTemplate.message).toBe(byRun.message);
  });

  it("--experiment FILE: the file's fault, injection and name, as run would send them", () => {
    const file = path.join(tempDir("fislat-template-"), "slow.yaml");
    writeFileSync(
      file,
      [
        "name: slow dynamodb",
        "fault: { kind: latency, delay: 300ms, jitter: 20ms }",
        "phases: { injection: 2m }",
        'hypothesis: { injection: { rtt: ["p(99)<1200"] } }',
        "",
      ].join("\n"),
    );
    const { code, template: t } = template({ experiment: file });
    expect(code).toBe(EXIT.passed);
    expect(t.actions.dynamodbLatency.parameters).toMatchObject({
      duration: "PT2M",
      delayMilliseconds: "300",
      jitterMilliseconds: "20",
      sources: "DYNAMODB",
    });
    expect(t.tags).toMatchObject({ "fislat-scenario": "slow-dynamodb" });
    // A flag overrides the file, as in run.
    expect(template({ experiment: file, delay: "400" }).template.actions.dynamodbLatency.parameters).toMatchObject({
      delayMilliseconds: "400",
    });
  });

  it("a file whose injection FIS would not run is refused by its field's name, as run refuses it", () => {
    const file = path.join(tempDir("fislat-template-"), "long.yaml");
    writeFileSync(file, 'phases: { injection: 13h }\nhypothesis: { injection: { rtt: ["p(99)<1200"] } }\n');
    const byRun = refusal(() =>
      planRun({ roleArn: ROLE, cluster: "FIS", task: [TASK], experiment: file }, process.cwd()),
    );
    expect(refusal(() => template({ experiment: file })).message).toBe(byRun.message);
  });

  it("takes the cluster from the task ARN, and aims at a service by name without one", () => {
    expect(template({}).template.targets.probeTasks.resourceArns).toEqual([TASK]);
    const { template: t } = template({ task: [], cluster: "FIS", service: "probe" });
    expect(t.targets.probeTasks.parameters).toEqual({ cluster: "FIS", service: "probe" });
  });
});
