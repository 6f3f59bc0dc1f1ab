// The fakes check each ECS, CloudWatch Logs and SSM request against the SDK's own model of its
// operation (support/sdk-schema.ts): what that check catches.
import { describe, expect, it } from "vitest";
import { requestProblems } from "./support/sdk-schema.js";

describe("requests checked against the SDK's model", () => {
  it("names a member the operation does not have, and a required one left out", () => {
    expect(requestProblems("ecs", "ListTasks", { cluster: "FIS", service: "svc" })).toEqual([
      "ecs ListTasks: service is not a member of ListTasksRequest",
    ]);
    expect(requestProblems("ecs", "DescribeTasks", { cluster: "FIS" })).toEqual([
      "ecs DescribeTasks: tasks is required by DescribeTasksRequest",
    ]);
    expect(requestProblems("logs", "StartLiveTail", { logGroupIdentifiers: ["arn"], logStreamNames: ["s"] })).toEqual(
      [],
    );
    expect(requestProblems("logs", "FilterLogEvents", { logGroupName: "g", startFromHead: false })).toEqual([]);
    expect(requestProblems("ssm", "DescribeInstances", {})).toEqual([
      "ssm DescribeInstances: no such operation in the SDK's model",
    ]);
  });
});
