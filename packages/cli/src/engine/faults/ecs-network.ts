// What the ECS task network actions (aws:ecs:task-network-latency, -packet-loss) share: the FIS
// role's permissions (FIS actions reference; the same list Resilience Hub's dependency test asks
// for), and the parameters of the ECS fault injection endpoints mode Fargate needs.
import { toIsoDuration } from "../../durations.js";
import type { FisActionContext } from "../fault.js";

export const ECS_NETWORK_ACTION_IAM = [
  "ecs:DescribeTasks",
  "ecs:DescribeContainerInstances",
  "ec2:DescribeInstances",
  "ec2:DescribeSubnets",
  "ssm:SendCommand",
  "ssm:ListCommands",
  "ssm:CancelCommand",
];

/** duration, sources and the endpoints mode, as every ECS network action takes them. */
export function ecsNetworkParameters({ durationMs, sources, installDependencies }: FisActionContext) {
  return {
    duration: toIsoDuration(durationMs),
    sources,
    useEcsFaultInjectionEndpoints: "true",
    ...(installDependencies === false ? { installDependencies: "false" } : {}),
  };
}
