// The ECS and CloudWatch Logs models both test fakes serve (support/ecs-model.ts, logs-model.ts):
// they answer as the API references document, limits and errors included, on the clock they are
// given.
import { describe, expect, it } from "vitest";
import { CLUSTER, EcsModel, SERVICE, taskArn } from "./support/ecs-model.js";
import { LOG_GROUP, LogsModel, streamOf } from "./support/logs-model.js";
import { probeTaskDefinition } from "./support/probe-model.js";

describe("the shared ECS model", () => {
  const ids = Array.from({ length: 150 }, (_, i) => `t${i}`);
  const ecs = () => new EcsModel({ tasks: ids, taskDefinition: () => probeTaskDefinition({}) }, () => 1_000_000);

  it("lists a service's tasks in pages of 100, and refuses to describe more than 100 at once", () => {
    const m = ecs();
    const first = m.operations.ListTasks({ cluster: CLUSTER, serviceName: SERVICE });
    expect(first.taskArns).toHaveLength(100);
    const second = m.operations.ListTasks({ cluster: CLUSTER, serviceName: SERVICE, nextToken: first.nextToken });
    expect(second).toEqual({ taskArns: ids.slice(100).map(taskArn) });
    expect(() => m.operations.DescribeTasks({ cluster: CLUSTER, tasks: ids.slice(0, 101) })).toThrow(
      expect.objectContaining({ name: "InvalidParameterException" }),
    );
    const described = m.operations.DescribeTasks({ cluster: CLUSTER, tasks: ["t0", "nope"] });
    expect(described.tasks.map((t) => t.taskArn)).toEqual([taskArn("t0")]);
    expect(described.failures).toEqual([{ arn: "nope", reason: "MISSING" }]);
  });

  it("knows only its cluster and service, and a stopped task is no longer listed", () => {
    const m = ecs();
    expect(() => m.operations.ListTasks({ cluster: "prod" })).toThrow(
      expect.objectContaining({ name: "ClusterNotFoundException" }),
    );
    expect(m.operations.DescribeServices({ cluster: CLUSTER, services: ["other"] }).failures).toEqual([
      { arn: expect.stringMatching(/:service\/FIS\/other$/), reason: "MISSING" },
    ]);
    m.operations.StopTask({ cluster: CLUSTER, task: "t0" });
    expect(m.operations.ListTasks({ cluster: CLUSTER }).taskArns).not.toContain(taskArn("t0"));
    expect(m.operations.ListTasks({ cluster: CLUSTER, desiredStatus: "STOPPED" }).taskArns).toEqual([taskArn("t0")]);
  });
});

describe("the shared CloudWatch Logs model", () => {
  let now = 0;
  const logs = () => {
    const m = new LogsModel({ ingestionDelayMs: 1000 }, () => now);
    for (let t = 0; t < 25; t++) m.put(streamOf("a"), `a-${t}`, t * 1000, t * 1000, `line ${t}`);
    return m;
  };

  it("pages FilterLogEvents by its limit with a nextToken, and shows only what was ingested by now", () => {
    const m = logs();
    now = 20_000;
    const pages = [];
    let nextToken: string | undefined;
    do {
      const page = m.operations.FilterLogEvents({ logGroupName: LOG_GROUP, limit: 10, nextToken });
      pages.push(page.events.map((e) => e.message));
      nextToken = page.nextToken;
    } while (nextToken);
    // Lines written up to 19 s are ingested a second later: 20 of the 25, in pages of 10.
    expect(pages.map((p) => p.length)).toEqual([10, 10]);
    expect(pages.flat()).toEqual(Array.from({ length: 20 }, (_, t) => `line ${t}`));
  });

  it("holds at most 1 MB in a page, and refuses what the API refuses", () => {
    const m = new LogsModel({}, () => 10);
    for (let t = 0; t < 11; t++) m.put(streamOf("b"), `b-${t}`, t, t, "x".repeat(100_000));
    const page = m.operations.FilterLogEvents({ logGroupName: LOG_GROUP });
    expect(page.events).toHaveLength(10);
    expect(page.nextToken).toBe("10");
    const refused = (input: object) => () => m.operations.FilterLogEvents({ logGroupName: LOG_GROUP, ...input });
    const names = Array.from({ length: 101 }, (_, i) => streamOf(`s${i}`));
    expect(refused({ logStreamNames: names })).toThrow(expect.objectContaining({ name: "InvalidParameterException" }));
    expect(refused({ logStreamNames: [streamOf("b")], logStreamNamePrefix: "ecs/" })).toThrow(
      expect.objectContaining({ name: "InvalidParameterException" }),
    );
    expect(refused({ logStreamNames: [streamOf("never")] })).toThrow(/log stream does not exist/);
    expect(refused({ logGroupName: "/ecs/other" })).toThrow(/log group does not exist/);
  });
});
