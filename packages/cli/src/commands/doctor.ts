// fislat doctor: is this environment ready for an experiment? Each check says PASS, FAIL (with
// the fix), WARN or SKIP: credentials and region, the stack or the named cluster and service, the
// task definition's fault injection settings, the FIS role's permissions (by IAM policy
// simulation, where the caller may simulate), the log group and recent Round trip lines, the load
// balancer's targets, and no experiment of fislat's still running. Exit 3 when a check fails.

import type { FilteredLogEvent } from "@aws-sdk/client-cloudwatch-logs";
import { DescribeTargetHealthCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { GetRoleCommand, SimulatePrincipalPolicyCommand } from "@aws-sdk/client-iam";
import { GetCallerIdentityCommand } from "@aws-sdk/client-sts";
import { parseProbeLine } from "@fislat/probe/record";
import { networkErrorCode, UNREACHABLE_FIX } from "../aws/aws-errors.js";
import type { AwsClients, AwsSettings } from "../aws/clients.js";
import { logGroupProblems, resolveProbeTasks } from "../aws/ecs-targets.js";
import { filterEvents, logsClientIn } from "../aws/log-source.js";
import { describeStack } from "../aws/stack.js";
import { type CommandContext, lineWriter } from "../context.js";
import { roleArnProblem } from "../engine/arn.js";
import type { Clock } from "../engine/ports.js";
import { badInput, EXIT, type ExitCode } from "../errors.js";
import { runsProbe, serviceChecks } from "./doctor-service.js";
import { listFislatExperiments } from "./stop.js";

export type CheckStatus = "PASS" | "FAIL" | "WARN" | "SKIP";

export interface Check {
  name: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
  /** A change to paste (JSON), printed under the check. */
  change?: unknown;
}

export interface DoctorFlags extends AwsSettings {
  stackName?: string;
  cluster?: string;
  service?: string;
  roleArn?: string;
  /** json: one document { ready, checks } on stdout, as --output json means on every command. */
  output?: string;
}

/**
 * What FIS does through the experiment role for aws:ecs:task-network-latency. The FIS user guide's
 * actions reference lists, under the action's "Permissions": ecs:DescribeTasks,
 * ecs:DescribeContainerInstances, ec2:DescribeInstances, ec2:DescribeSubnets, ssm:SendCommand,
 * ssm:ListCommands, ssm:CancelCommand
 * (https://docs.aws.amazon.com/fis/latest/userguide/fis-actions-reference.html#task-network-latency);
 * "Use the AWS FIS aws:ecs:task actions", Requirements, lists the ssm ones and ecs:DescribeTasks
 * (https://docs.aws.amazon.com/fis/latest/userguide/ecs-task-actions.html). ecs:ListTasks is how
 * FIS resolves a target named by cluster and service (fislat run --target-by service), and
 * tag:GetResources one named by tag (--target-by tag; the TargetResolutionByTags statement of the
 * AWSFaultInjectionSimulatorECSAccess managed policy).
 */
export const FIS_ROLE_ACTIONS = [
  "ecs:DescribeTasks",
  "ecs:ListTasks",
  "ecs:DescribeContainerInstances",
  "ec2:DescribeInstances",
  "ec2:DescribeSubnets",
  "ssm:SendCommand",
  "ssm:ListCommands",
  "ssm:CancelCommand",
  "tag:GetResources",
];

/**
 * FIS's service-linked role, which FIS creates on an account's first experiment with the rights of
 * whoever starts it (iam:CreateServiceLinkedRole for fis.amazonaws.com; FIS user guide, "Use
 * service-linked roles for AWS Fault Injection Service").
 */
export const FIS_SERVICE_LINKED_ROLE = "AWSServiceRoleForFIS";

/** The SSM document FIS runs for the action on Fargate (useEcsFaultInjectionEndpoints=true). */
export const FIS_LATENCY_DOCUMENT = "AWSFIS-Run-Network-Latency-ECS";

export interface Simulation {
  actions: string[];
  resources: string[];
  context?: { ContextKeyName: string; ContextKeyValues: string[]; ContextKeyType: "string" }[];
}

/**
 * The simulations that show whether the role may do what FIS does, each on the resources FIS acts
 * on. IAM's answer for an action is the most restrictive over all the resources of one call, so
 * actions on different resources are simulated apart; without ResourceArns IAM simulates "*", and a
 * role scoped to its resources (least privilege) would come out implicitDeny.
 */
export function fisRoleSimulations(where: {
  partition: string;
  region: string;
  account: string;
  cluster: string;
  taskArns: string[];
}): Simulation[] {
  const { partition, region, account, cluster } = where;
  const ecs = `arn:${partition}:ecs:${region}:${account}`;
  const clusterName = cluster.startsWith("arn:") ? (cluster.split("/").at(-1) ?? cluster) : cluster;
  const clusterArn = cluster.startsWith("arn:") ? cluster : `${ecs}:cluster/${cluster}`;
  const inCluster = [
    { ContextKeyName: "ecs:cluster", ContextKeyValues: [clusterArn], ContextKeyType: "string" as const },
  ];
  return [
    {
      actions: ["ecs:DescribeTasks"],
      resources: where.taskArns.length > 0 ? where.taskArns : [`${ecs}:task/${clusterName}/*`],
      context: inCluster,
    },
    { actions: ["ecs:ListTasks"], resources: [`${ecs}:container-instance/${clusterName}/*`], context: inCluster },
    {
      actions: ["ecs:DescribeContainerInstances"],
      resources: [`${ecs}:container-instance/${clusterName}/*`],
      context: inCluster,
    },
    // A task registers as a managed instance at run time, with an id no one can know beforehand.
    {
      actions: ["ssm:SendCommand"],
      resources: [
        `arn:${partition}:ssm:${region}::document/${FIS_LATENCY_DOCUMENT}`,
        `arn:${partition}:ssm:${region}:${account}:managed-instance/mi-0123456789abcdef0`,
      ],
    },
    // No resource-level permissions for these.
    {
      actions: [
        "ec2:DescribeInstances",
        "ec2:DescribeSubnets",
        "ssm:ListCommands",
        "ssm:CancelCommand",
        "tag:GetResources",
      ],
      resources: ["*"],
    },
  ];
}

const RECENT_MS = 5 * 60_000;

/**
 * The log group's Round trip lines of the last minutes, every page of them (a FilterLogEvents
 * page may be empty and still carry a nextToken: only its absence is the end), and the newest one.
 */
async function recentLines(logs: Parameters<typeof filterEvents>[0], group: string, since: number): Promise<Check> {
  let count = 0;
  let newest: { event: FilteredLogEvent; ok: boolean; errorKind?: string; rttMs: number } | undefined;
  for await (const event of filterEvents(logs, { logGroup: group, filterPattern: '"Round trip"' }, since)) {
    const line = parseProbeLine(event.message ?? "");
    if (line.type !== "round-trip") continue;
    count += 1;
    if (!newest || (event.timestamp ?? 0) >= (newest.event.timestamp ?? 0))
      newest = {
        event,
        ok: line.record.ok,
        rttMs: line.record.rttMs,
        ...(line.record.errorKind ? { errorKind: line.record.errorKind } : {}),
      };
  }
  if (!newest)
    return {
      name: "logs",
      status: "FAIL",
      detail: `no Round trip line in ${group} in the last 5 minutes`,
      fix: "check the probe's tasks are running and can reach DynamoDB: fislat tail --since 30m",
    };
  const at = new Date(newest.event.timestamp ?? 0).toISOString();
  return {
    name: "logs",
    status: "PASS",
    detail: `${count} Round trip lines in ${group} in the last 5 minutes; the newest (${at}) ${newest.ok ? "ok" : newest.errorKind} in ${newest.rttMs.toFixed(0)} ms`,
  };
}

/** Whether FIS's service-linked role exists; FIS makes it at the first experiment if the caller may. */
async function serviceLinkedRole(clients: AwsClients): Promise<Check> {
  const name = "FIS service-linked role";
  try {
    await clients.iam.send(new GetRoleCommand({ RoleName: FIS_SERVICE_LINKED_ROLE }));
    return { name, status: "PASS", detail: `${FIS_SERVICE_LINKED_ROLE} exists` };
  } catch (error) {
    const e = error as { name?: string; message?: string };
    if (e.name === "NoSuchEntityException" || e.name === "NoSuchEntity")
      return {
        name,
        status: "WARN",
        detail: `${FIS_SERVICE_LINKED_ROLE} does not exist yet: FIS creates it at this account's first experiment, with the rights of whoever starts it`,
        fix: "allow iam:CreateServiceLinkedRole with iam:AWSServiceName = fis.amazonaws.com (fislat policy does), or create it once: aws iam create-service-linked-role --aws-service-name fis.amazonaws.com",
      };
    return {
      name,
      status: "WARN",
      detail: `could not look for ${FIS_SERVICE_LINKED_ROLE}: ${e.name ?? "Error"}: ${e.message ?? ""}`,
      fix: "allow iam:GetRole on it (fislat policy does)",
    };
  }
}

export async function runDoctor(clients: AwsClients, flags: DoctorFlags, clock: Clock): Promise<Check[]> {
  const checks: Check[] = [];
  const add = (c: Check) => checks.push(c);
  let account = "";
  let callerArn = "";
  let region = "";
  let taskArns: string[] = [];

  // No region is its own finding: credentials may be fine, and signing in again does not set one.
  region = await clients.sts.config.region().catch(() => "");
  if (!region) {
    add({
      name: "region",
      status: "FAIL",
      detail: "no AWS region",
      fix: "set AWS_REGION or --region, or a region in the profile (aws configure set region <region> --profile <name>)",
    });
    return checks;
  }
  try {
    const who = await clients.sts.send(new GetCallerIdentityCommand({}));
    account = who.Account ?? "";
    callerArn = who.Arn ?? "";
    add({
      name: "credentials",
      status: "PASS",
      detail: `account ${account} as ${callerArn}, region ${region}`,
    });
  } catch (error) {
    add({
      name: "credentials",
      status: "FAIL",
      detail: (error as Error).message,
      // Credentials that were never checked because AWS could not be reached are not the problem.
      fix: networkErrorCode(error) ? UNREACHABLE_FIX : "sign in (aws sso login), or set AWS_PROFILE and AWS_REGION",
    });
    return checks;
  }

  const stackName = flags.stackName ?? "fislat-probe";
  const stack = await describeStack(clients.cloudformation, stackName).catch(() => undefined);
  const outputs = Object.fromEntries((stack?.Outputs ?? []).map((o) => [o.OutputKey ?? "", o.OutputValue ?? ""]));
  const cluster = flags.cluster ?? outputs.ClusterName ?? outputs.ExistingClusterName;
  const service = flags.service ?? outputs.ServiceName;
  const roleArn = flags.roleArn ?? outputs.FisRoleArn;
  if (stack) {
    const ok = /_COMPLETE$/.test(stack.StackStatus ?? "") && !/ROLLBACK|DELETE/.test(stack.StackStatus ?? "");
    add({
      name: "stack",
      status: ok ? "PASS" : "FAIL",
      detail: `${stackName}: ${stack.StackStatus}`,
      ...(ok ? {} : { fix: `fislat deploy (or fislat destroy --stack-name ${stackName} after a failed creation)` }),
    });
  } else {
    add({
      name: "stack",
      status: cluster && service ? "SKIP" : "FAIL",
      detail:
        cluster && service
          ? `no stack ${stackName}; checking cluster ${cluster} and service ${service}`
          : `no stack ${stackName}`,
      ...(cluster && service ? {} : { fix: "fislat deploy, or name your own --cluster and --service" }),
    });
  }

  // A service named on the command line that does not run the probe is the user's own: its
  // readiness for the fault is checked requirement by requirement (doctor-service.ts).
  // The stack's own service (named by its outputs, or by fislat.config.json) runs the probe.
  const named = cluster && service && flags.service && service !== outputs.ServiceName;
  const own = named ? await serviceChecks(clients, { cluster, service }) : undefined;
  if (own?.readiness && !runsProbe(own.readiness.definition)) {
    checks.push(...own.checks);
    taskArns = (own.readiness.tasks ?? []).flatMap((t) => (t.taskArn ? [t.taskArn] : []));
    add({
      name: "logs",
      status: "SKIP",
      detail: `service ${service} does not run fislat's probe: a run judges the requests it sends to your --url`,
    });
  } else if (cluster && service) {
    try {
      const { tasks, problems } = await resolveProbeTasks(clients.ecs, { kind: "service", cluster, service });
      taskArns = tasks.map((t) => t.taskArn);
      add({
        name: "tasks",
        status: "PASS",
        detail: `${tasks.length} running in service ${service} of cluster ${cluster}`,
      });
      add({
        name: "fault injection settings",
        status: problems.length === 0 ? "PASS" : "FAIL",
        detail:
          problems.length === 0
            ? "enableFaultInjection, pidMode task, Linux, awslogs"
            : problems.map((p) => p.what).join("; "),
        ...(problems.length === 0 ? {} : { fix: problems.map((p) => p.fix).join("; ") }),
      });
      // The lines are where the tasks' awslogs-region says, which need not be fislat's region.
      const { logs, dispose } = await logsClientIn(clients.logs, tasks[0]?.logRegion);
      try {
        const logProblems = await logGroupProblems(logs, tasks);
        const group = tasks[0]?.logGroup;
        if (logProblems.length > 0 || !group) {
          add({
            name: "logs",
            status: "FAIL",
            detail: logProblems.map((p) => p.what).join("; ") || "no awslogs group",
            fix: logProblems[0]?.fix ?? "log with awslogs",
          });
        } else {
          add(await recentLines(logs, group, clock.wallNow().getTime() - RECENT_MS));
        }
      } finally {
        dispose();
      }
    } catch (error) {
      add({
        name: "tasks",
        status: "FAIL",
        detail: (error as Error).message,
        fix: "fislat deploy --image <uri> --desired-count 1",
      });
    }
  } else {
    add({ name: "tasks", status: "SKIP", detail: "no cluster and service to look at" });
  }

  if (roleArn) {
    try {
      const denied: string[] = [];
      const missingContext = new Set<string>();
      for (const sim of fisRoleSimulations({
        partition: callerArn.split(":")[1] ?? "aws",
        region,
        account,
        cluster: cluster ?? "*",
        taskArns,
      })) {
        const res = await clients.iam.send(
          new SimulatePrincipalPolicyCommand({
            PolicySourceArn: roleArn,
            ActionNames: sim.actions,
            ResourceArns: sim.resources,
            ...(sim.context ? { ContextEntries: sim.context } : {}),
          }),
        );
        for (const r of res.EvaluationResults ?? []) {
          if (r.EvalDecision !== "allowed") denied.push(`${r.EvalActionName} (${r.EvalDecision})`);
          for (const key of r.MissingContextValues ?? []) missingContext.add(key);
        }
      }
      const missing =
        missingContext.size > 0 ? `; the role's conditions also read ${[...missingContext].join(", ")}` : "";
      add({
        name: "FIS role",
        status: denied.length === 0 ? "PASS" : "FAIL",
        detail:
          denied.length === 0
            ? `${roleArn} may do all ${FIS_ROLE_ACTIONS.length} actions the latency action needs, on the resources FIS acts on${missing}`
            : `${roleArn} may not ${denied.join(", ")}${missing}`,
        ...(denied.length === 0 ? {} : { fix: "grant them to the role (fislat deploy creates a role that has them)" }),
      });
    } catch (error) {
      add({
        name: "FIS role",
        status: "WARN",
        detail: `could not simulate ${roleArn}'s policies: ${(error as Error).message}`,
        fix: "allow iam:SimulatePrincipalPolicy to check it",
      });
    }
  } else {
    add({
      name: "FIS role",
      status: "FAIL",
      detail: "no role ARN",
      fix: "--role-arn, roleArn in fislat.config.json, or fislat deploy",
    });
  }

  add(await serviceLinkedRole(clients));

  if (outputs.TargetGroupArn) {
    const res = await clients.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: outputs.TargetGroupArn }));
    const states = (res.TargetHealthDescriptions ?? []).map((t) => t.TargetHealth?.State ?? "unknown");
    const healthy = states.filter((s) => s === "healthy").length;
    add({
      name: "load balancer",
      status: healthy > 0 ? "PASS" : "FAIL",
      detail: `${healthy} of ${states.length} targets healthy${states.length > 0 ? ` (${states.join(", ")})` : ""}`,
      ...(healthy > 0
        ? {}
        : {
            fix: "the targets pass the health check once the probe serves HTTP on port 80 (/live; with --deep-health-check /health, which also needs DynamoDB round trips to succeed); fislat tail shows the probe's lines",
          }),
    });
  } else {
    add({ name: "load balancer", status: "SKIP", detail: "none in the stack" });
  }

  const running = (await listFislatExperiments(clients.fis)).filter((e) =>
    ["pending", "initiating", "running", "stopping"].includes(e.state?.status ?? ""),
  );
  add({
    name: "experiments",
    status: running.length === 0 ? "PASS" : "FAIL",
    detail:
      running.length === 0
        ? "no experiment of fislat's is running"
        : `still running: ${running.map((e) => e.id).join(", ")}`,
    ...(running.length === 0 ? {} : { fix: `fislat stop ${running.map((e) => e.id).join(" ")}` }),
  });
  return checks;
}

export async function doctorCommand(ctx: CommandContext, flags: DoctorFlags): Promise<ExitCode> {
  const say = lineWriter(ctx.stdout);
  // A value that cannot be a role is bad input, before any AWS call.
  const roleProblem = flags.roleArn === undefined ? undefined : roleArnProblem("--role-arn", flags.roleArn);
  if (roleProblem) throw badInput(roleProblem);
  const checks = await runDoctor(await ctx.aws(flags), flags, ctx.clock);
  const ready = !checks.some((c) => c.status === "FAIL");
  if (flags.output === "json") {
    say(JSON.stringify({ ready, checks }, null, 2));
    return ready ? EXIT.passed : EXIT.environment;
  }
  for (const c of checks) {
    say(`${c.status.padEnd(4)} ${c.name}: ${c.detail}`);
    if (c.fix && (c.status === "FAIL" || c.status === "WARN")) say(`     fix: ${c.fix}`);
    if (c.change !== undefined) say(`     ${JSON.stringify(c.change, null, 2).replace(/\n/g, "\n     ")}`);
  }
  return ready ? EXIT.passed : EXIT.environment;
}
