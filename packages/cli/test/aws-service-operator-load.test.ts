// The AWS service run without --launch: the load comes from this machine. prepareAwsService with
// ECS, FIS, SSM and IAM answered by the mocks (real timers), then its line source started for
// real against a real HTTP server on loopback standing in for the service's URL: the requests
// the engine would judge are the service's, and no probe task is launched.
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { DescribeServicesCommand, RunTaskCommand } from "@aws-sdk/client-ecs";
import { CreateExperimentTemplateCommand } from "@aws-sdk/client-fis";
import { IAMClient, SimulatePrincipalPolicyCommand } from "@aws-sdk/client-iam";
import type { RoundTripRecord } from "@fislat/probe/record";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, expect, it, vi } from "vitest";
import { awsClients } from "../src/aws/clients.js";
import { sidecarContainer } from "../src/aws/task-definition-check.js";
import { planRun } from "../src/commands/run-options.js";
import type { AwsServiceTarget } from "../src/engine/aws-service-run.js";
import { systemClock } from "../src/engine/ports.js";
import { prepareAwsService } from "../src/environments/aws-service.js";
import { Resources } from "../src/resources.js";
import { ACCOUNT, on, ROLE_ARN, SimulatedAws, sent, TASK_DEF_ARN, taskArn } from "./support/simulated-aws.js";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  vi.unstubAllEnvs();
});

it("sends the load from this machine to the URL, judged as the service's requests; FIS still aims at its tasks", async () => {
  vi.stubEnv("AWS_REGION", "us-east-1");
  vi.stubEnv("AWS_ACCESS_KEY_ID", "test");
  vi.stubEnv("AWS_SECRET_ACCESS_KEY", "test");
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers["x-run"]}`);
    res.writeHead(seen.length === 2 ? 503 : 200).end("ok");
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  cleanups.push(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/orders/42`;

  const base = { family: "orders", containerDefinitions: [{ name: "orders", image: "orders:1" }] };
  const sim = new SimulatedAws({
    definition: {
      ...base,
      networkMode: "awsvpc",
      enableFaultInjection: true,
      pidMode: "task",
      taskRoleArn: `arn:aws:iam::${ACCOUNT}:role/orders-task`,
      containerDefinitions: [...base.containerDefinitions, sidecarContainer(base, "orders-ssm")],
    },
  });
  cleanups.push(() => sim.reset());
  on(sim.ecs, DescribeServicesCommand).resolves({
    services: [{ serviceName: "orders", status: "ACTIVE", taskDefinition: TASK_DEF_ARN, launchType: "FARGATE" }],
  });
  const iam = mockClient(IAMClient as never);
  cleanups.push(() => iam.restore());
  on(iam as never, SimulatePrincipalPolicyCommand).callsFake((input: { ActionNames: string[] }) => ({
    EvaluationResults: input.ActionNames.map((a) => ({ EvalActionName: a, EvalDecision: "allowed" })),
  }));

  const request = planRun(
    {
      cluster: "FIS",
      service: "orders",
      url: [url],
      rate: "20",
      header: ["X-Run: fislat"],
      roleArn: ROLE_ARN,
      task: [],
      tag: [],
      stopAlarm: [],
    },
    process.cwd(),
  );
  const resources = new Resources();
  cleanups.push(() => resources.releaseAll());
  const clients = awsClients();
  cleanups.push(() => clients.destroy());
  const said: string[] = [];
  const env = await prepareAwsService(
    clients,
    request,
    request.target as AwsServiceTarget,
    resources,
    systemClock,
    (m) => said.push(m),
  );
  expect(sent(sim.ecs, RunTaskCommand)).toEqual([]);
  expect(sent(sim.fis, CreateExperimentTemplateCommand)).toEqual([]); // created when the fault starts
  expect(env.target).toMatch(
    /^service orders in cluster FIS \(1 task\(s\), orders:7\); load 20\/s to .* from this machine$/,
  );
  expect(await env.ports.targets.resolve()).toEqual([expect.objectContaining({ id: taskArn("task0001") })]);

  const records: RoundTripRecord[] = [];
  let enough: () => void = () => {};
  const three = new Promise<void>((resolve) => {
    enough = resolve;
  });
  await env.ports.source.start(
    (line) => {
      if (line.type === "round-trip") records.push(line.record);
      if (records.length >= 3) enough();
    },
    (error) => {
      throw error;
    },
  );
  await three;
  await env.ports.source.stop(0);
  expect(seen.slice(0, 3)).toEqual(Array(3).fill("GET /orders/42 fislat"));
  const bySeq = (n: number) => records.find((r) => r.seq === n);
  expect(bySeq(1)).toMatchObject({ ok: true, httpStatus: 200, op: "GET" });
  expect(bySeq(2)).toMatchObject({ ok: false, httpStatus: 503 });
  expect(bySeq(1)?.task).toMatch(/^fislat on /);
});
