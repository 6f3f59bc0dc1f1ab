// The user's own ECS service on the simulated AWS, as the tests of runs and sweeps against it
// share it: its task definition made ready for the fault (the simulated probe container stays, as
// its app, beside the SSM agent sidecar), the service FIS aims at, and a task role the IAM policy
// simulator allows what the sidecar does.
import { DescribeServicesCommand, type KeyValuePair, type TaskDefinition } from "@aws-sdk/client-ecs";
import { IAMClient, SimulatePrincipalPolicyCommand } from "@aws-sdk/client-iam";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach } from "vitest";
import { sidecarContainer } from "../../src/aws/task-definition-check.js";
import { ACCOUNT, LOG_GROUP, on, SimulatedAws, type SimulationOptions, TASK_DEF_ARN } from "./simulated-aws.js";

export const SERVICE_TASK_ROLE = `arn:aws:iam::${ACCOUNT}:role/orders-task`;

/** The service's task definition, ready for the fault; `environment` is its app container's. */
export function readyServiceDefinition(environment: KeyValuePair[]): Partial<TaskDefinition> {
  const base: TaskDefinition = {
    family: "orders",
    containerDefinitions: [
      {
        name: "fis-latency-test-to-ddb-app",
        image: "probe:latest",
        environment,
        logConfiguration: {
          logDriver: "awslogs",
          options: { "awslogs-group": LOG_GROUP, "awslogs-region": "us-east-1", "awslogs-stream-prefix": "ecs" },
        },
      },
    ],
  };
  return {
    networkMode: "awsvpc",
    requiresCompatibilities: ["FARGATE"],
    taskRoleArn: SERVICE_TASK_ROLE,
    containerDefinitions: [...(base.containerDefinitions ?? []), sidecarContainer(base, "fislat-ssm-managed-instance")],
  };
}

/** The simulated AWS with the service `orders` on Fargate in cluster FIS, its tasks on `definition`. */
export function simulateService(options: SimulationOptions & { definition: Partial<TaskDefinition> }): SimulatedAws {
  const sim = new SimulatedAws(options);
  on(sim.ecs, DescribeServicesCommand).resolves({
    services: [
      {
        serviceName: "orders",
        status: "ACTIVE",
        taskDefinition: TASK_DEF_ARN,
        launchType: "FARGATE",
        platformVersion: "LATEST",
        networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-svc"], securityGroups: ["sg-svc"] } },
      },
    ],
  });
  return sim;
}

/** For each test: the IAM policy simulator allows the task role every action it is asked about. */
export function useTaskRoleAllowed(): void {
  let iam: ReturnType<typeof mockClient>;
  beforeEach(() => {
    iam = mockClient(IAMClient as never);
    on(iam as never, SimulatePrincipalPolicyCommand).callsFake((input: { ActionNames: string[] }) => ({
      EvaluationResults: input.ActionNames.map((a) => ({ EvalActionName: a, EvalDecision: "allowed" })),
    }));
  });
  afterEach(() => iam.restore());
}
