// The readiness check over real HTTP, through the real AWS SDK clients and their serializers, to
// the fake AWS (each service's own wire protocol): what fislat sends is the ECS API's shape, and
// what ECS answers is read as the SDK parses it, not only as the mocks hand it over.
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { awsClients } from "../src/aws/clients.js";
import { checkServiceReadiness } from "../src/aws/task-definition-check.js";
import { CLUSTER, FakeAws, SERVICE, taskArn } from "./support/fake-aws-http.js";

let fake: FakeAws;
beforeEach(async () => {
  fake = new FakeAws();
  await fake.start();
  vi.stubEnv("AWS_ENDPOINT_URL", fake.endpoint);
  vi.stubEnv("AWS_REGION", "us-east-1");
  vi.stubEnv("AWS_ACCESS_KEY_ID", "test");
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", "test");
});
afterEach(async () => {
  vi.unstubAllEnvs();
  await fake.close();
});

it("reads a service, its task definition and tasks over the ECS wire protocol", async () => {
  const clients = awsClients();
  try {
    const readiness = await checkServiceReadiness(clients, { cluster: CLUSTER, service: SERVICE });
    const ecs = fake.calls.filter((c) => c.service === "ecs").map((c) => [c.operation, c.body]);
    expect(ecs).toEqual([
      ["DescribeServices", { cluster: CLUSTER, services: [SERVICE] }],
      [
        "DescribeTaskDefinition",
        { taskDefinition: expect.stringMatching(/:task-definition\/dynamodb-latency-test:7$/) },
      ],
      ["ListTasks", { cluster: CLUSTER, serviceName: SERVICE, desiredStatus: "RUNNING" }],
      ["DescribeTasks", { cluster: CLUSTER, tasks: [taskArn(fake.tasks[0] as string)] }],
    ]);
    expect(readiness.family).toBe("dynamodb-latency-test:7");
    const byId = Object.fromEntries(readiness.requirements.map((r) => [r.id, r.ok]));
    expect(byId).toMatchObject({
      enableFaultInjection: true,
      pidMode: true,
      networkMode: true,
      linux: true,
      ecsExec: true,
    });
  } finally {
    clients.destroy();
  }
});
