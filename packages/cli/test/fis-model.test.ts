// The one FIS model both test fakes serve (support/fis-model.ts): it refuses what the FIS API
// model refuses, and every template fislat builds passes it, long --sources and tag targets too.
import { describe, expect, it } from "vitest";
import { buildTemplate } from "../src/aws/fis-template.js";
import { checkTemplateInput, FisModel, type TemplateInput } from "./support/fis-model.js";
import { PAST_RUN_TEMPLATE } from "./support/simulated-aws.js";

const ARN = "arn:aws:ecs:us-east-1:000000000000:task/FIS/t1";
const spec = (over: object = {}) =>
  ({
    runId: "0f8e7d6c-5b4a-4392-8170-6e5d4c3b2a19",
    scenario: "timeout",
    roleArn: "arn:aws:iam::000000000000:role/fis",
    fault: { kind: "latency", delayMs: 800, jitterMs: 50 },
    durationMs: 300_000,
    sources: "DYNAMODB",
    target: { kind: "arns", taskArns: [ARN] },
    stopAlarmArns: [],
    ...over,
  }) as Parameters<typeof buildTemplate>[0];

describe("the shared FIS model", () => {
  it("refuses, as FIS's API model does, what FIS would refuse", () => {
    const base = PAST_RUN_TEMPLATE as unknown as TemplateInput;
    const refused = (t: object) => () => checkTemplateInput({ ...base, ...t } as TemplateInput);
    expect(refused({ description: "x".repeat(513) })).toThrow(/description: 513 characters, at most 512/);
    expect(
      refused({
        actions: {
          a: { actionId: "aws:ecs:task-network-latency", parameters: { sources: "DYNAMODB S3" }, targets: {} },
        },
      }),
    ).toThrow(/without whitespace/);
    expect(
      refused({
        targets: {
          probeTasks: { resourceType: "aws:ecs:task", resourceArns: Array(6).fill(ARN), selectionMode: "ALL" },
        },
      }),
    ).toThrow(/resourceArns: at most 5/);
    expect(refused({ stopConditions: [{ source: "aws:cloudwatch:alarm" }] })).toThrow(/alarm's ARN/);
    expect(refused({})).not.toThrow();
  });

  it("takes every template fislat builds: ARNs, a service, a tag in its cluster, 1024 characters of sources", () => {
    const sources = Array.from({ length: 70 }, (_, i) => `10.${i}.0.0/16`)
      .join(",")
      .slice(0, 1024)
      .replace(/,[^,]*$/, "");
    for (const over of [
      {},
      { target: { kind: "service", cluster: "FIS", service: "svc", selectionMode: "COUNT(2)" } },
      {
        target: {
          kind: "tag",
          key: "Environment",
          value: "test",
          clusterArn: "arn:aws:ecs:us-east-1:000000000000:cluster/FIS",
        },
      },
      { sources },
      { stopAlarmArns: ["arn:aws:cloudwatch:us-east-1:000000000000:alarm:a"] },
    ])
      expect(
        () => checkTemplateInput(buildTemplate(spec(over)) as TemplateInput),
        JSON.stringify(over).slice(0, 60),
      ).not.toThrow();
  });

  it("moves an experiment through FIS's states: initiating, running, completed; stopping, stopped", () => {
    const model = new FisModel({ actionStartMs: 1000, stoppingReads: 1 }, () => [ARN]);
    const { id } = model.createTemplate(PAST_RUN_TEMPLATE as unknown as TemplateInput, 0);
    const first = model.startExperiment({ experimentTemplateId: id }, 0);
    expect(first.state.status).toBe("initiating");
    expect(model.getExperiment(first.id, 1000).state.status).toBe("running");
    expect(model.getExperiment(first.id, 61_000).state.status).toBe("completed");
    const second = model.startExperiment({ experimentTemplateId: id }, 100_000);
    model.stopExperiment(second.id, 102_000);
    expect(model.getExperiment(second.id, 102_500).state.status).toBe("stopping");
    expect(model.getExperiment(second.id, 103_000).state.status).toBe("stopped");
    expect(model.resolvedTargets(second.id)).toEqual([
      { resourceType: "aws:ecs:task", targetName: "probeTasks", targetInformation: { arn: ARN } },
    ]);
    expect(() => model.getExperiment("EXP9", 0)).toThrow(/Experiment EXP9 not found/);
  });
});
