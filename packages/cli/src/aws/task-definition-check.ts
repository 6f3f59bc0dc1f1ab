// Is the user's own ECS service ready for FIS's aws:ecs:task-network-latency? Reads its service,
// task definition and tasks, and says requirement by requirement what is missing, with the
// task-definition change to paste (the SSM agent sidecar exactly as `fislat deploy`'s template has
// it) and the task role's missing statements. Sources: FIS user guide, "Use the AWS FIS
// aws:ecs:task actions" (requirements and limitations); ECS developer guide, "fault injection";
// the ECS API reference's TaskDefinition and Service shapes.
import {
  type ContainerDefinition,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  type ECSClient,
  ListTasksCommand,
  type RegisterTaskDefinitionCommandInput,
  type Service,
  type Task,
  type TaskDefinition,
} from "@aws-sdk/client-ecs";
import { type IAMClient, SimulatePrincipalPolicyCommand } from "@aws-sdk/client-iam";
import { readEnvironmentTemplate } from "../commands/synth.js";
import { EXIT, FislatError } from "../errors.js";
import { retryThrottled } from "./retry.js";

export const MANAGED_INSTANCE_ROLE_ENV = "MANAGED_INSTANCE_ROLE_NAME";
const SIDECAR_IMAGE = /amazon-ssm-agent/;
/** Put where the user must fill in their own name; the printed change says so. */
export const ROLE_PLACEHOLDER = "<name of the role the sidecar registers the task with>";

export type RequirementId =
  | "enableFaultInjection"
  | "pidMode"
  | "networkMode"
  | "linux"
  | "platformVersion"
  | "sidecar"
  | "sidecarRole"
  | "sidecarEssential"
  | "ecsExec"
  | "taskRole";

export interface Requirement {
  id: RequirementId;
  /** undefined: could not be told (e.g. the caller may not simulate the task role's policies). */
  ok: boolean | undefined;
  /** What is there (ok) or what is missing (not ok). */
  what: string;
  fix: string;
}

/** What SimulatePrincipalPolicy said about the task role, when it could be asked. */
export type TaskRoleVerdict = { denied: string[] } | { unknown: string };

export interface ServiceFacts {
  definition: TaskDefinition;
  service?: Service;
  tasks?: Task[];
  taskRole?: TaskRoleVerdict;
}

export const sidecarOf = (definition: TaskDefinition): ContainerDefinition | undefined =>
  (definition.containerDefinitions ?? []).find((c) => SIDECAR_IMAGE.test(c.image ?? ""));

const roleNameOf = (sidecar: ContainerDefinition | undefined) =>
  (sidecar?.environment ?? []).find((e) => e.name === MANAGED_INSTANCE_ROLE_ENV && e.value)?.value;

/** Fargate platform versions before 1.4.0 have no pidMode (ECS API reference, TaskDefinition.pidMode). */
function platformTooOld(version: string | undefined): boolean {
  const m = /^(\d+)\.(\d+)\.(\d+)$/.exec(version ?? "");
  if (!m) return false; // LATEST, unset, or a name we do not know: not ours to refuse
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major < 1 || (major === 1 && minor < 4);
}

/** Every requirement of the FIS ECS latency action, each with whether this service meets it. */
export function faultInjectionRequirements(facts: ServiceFacts): Requirement[] {
  const { definition, service, tasks = [] } = facts;
  const family = `${definition.family}:${definition.revision}`;
  const sidecar = sidecarOf(definition);
  const roleName = roleNameOf(sidecar);
  const os = definition.runtimePlatform?.operatingSystemFamily;
  const network = definition.networkMode;
  const execOn = [
    ...(service?.enableExecuteCommand === true ? [`service ${service.serviceName}`] : []),
    ...tasks.filter((t) => t.enableExecuteCommand === true).map((t) => `task ${t.taskArn?.split("/").at(-1)}`),
  ];
  const fargate = service?.launchType === "FARGATE" || (definition.requiresCompatibilities ?? []).includes("FARGATE");
  const requirements: Requirement[] = [
    {
      id: "enableFaultInjection",
      ok: definition.enableFaultInjection === true,
      what: `task definition ${family} ${definition.enableFaultInjection === true ? "has" : "does not have"} "enableFaultInjection": true`,
      fix: 'register a revision with "enableFaultInjection": true (the ECS agent refuses fault requests from other tasks)',
    },
    {
      id: "pidMode",
      ok: definition.pidMode === "task",
      what: `task definition ${family} has pidMode ${definition.pidMode ?? "unset"}${definition.pidMode === "task" ? "" : ', not "task"'}`,
      fix: 'register a revision with "pidMode": "task" (the FIS action requires it; the sidecar sees the task\'s processes)',
    },
    {
      id: "networkMode",
      ok: network === "awsvpc" || network === "host",
      what: `task definition ${family} has networkMode ${network ?? "unset (bridge on EC2)"}`,
      fix: 'use "networkMode": "awsvpc" (Fargate always does; ECS fault injection supports awsvpc and host, not bridge)',
    },
    {
      id: "linux",
      ok: os === undefined || os === "LINUX",
      what: `task definition ${family} runs on ${os ?? "Linux (the default)"}`,
      fix: "ECS fault injection works on Linux tasks only",
    },
    {
      id: "platformVersion",
      ok: !(fargate && platformTooOld(service?.platformVersion)),
      what: `service platform version ${service?.platformVersion ?? "LATEST (the default)"}`,
      fix: "use Fargate platform version 1.4.0 or later (LATEST): pidMode needs it",
    },
    {
      id: "sidecar",
      ok: sidecar !== undefined,
      what: sidecar
        ? `SSM agent sidecar ${sidecar.name} (${sidecar.image})`
        : `task definition ${family} has no SSM agent sidecar container`,
      fix: "add the amazon-ssm-agent sidecar below: FIS reaches Fargate tasks only through it, even with useEcsFaultInjectionEndpoints",
    },
    {
      id: "sidecarRole",
      ok: sidecar !== undefined && roleName !== undefined,
      what: roleName
        ? `the sidecar registers the task with role ${roleName}`
        : `the SSM agent sidecar has no ${MANAGED_INSTANCE_ROLE_ENV}`,
      fix: `set ${MANAGED_INSTANCE_ROLE_ENV} on the sidecar to a role ssm.amazonaws.com may assume, with AmazonSSMManagedInstanceCore (fislat deploy creates one)`,
    },
    {
      id: "sidecarEssential",
      ok: sidecar === undefined || sidecar.essential === false,
      what:
        sidecar === undefined
          ? "no sidecar yet (the one below is not essential)"
          : sidecar.essential === false
            ? "the sidecar is not essential"
            : `the SSM agent sidecar ${sidecar.name} is essential (the default)`,
      fix: 'set "essential": false on the sidecar, so a sidecar that cannot register never stops the service\'s tasks',
    },
    {
      id: "ecsExec",
      ok: execOn.length === 0,
      what: execOn.length === 0 ? "ECS Exec is off" : `ECS Exec is on for ${execOn.join(", ")}`,
      fix: "aws ecs update-service --disable-execute-command --force-new-deployment: ECS Exec's own SSM agent keeps FIS's sidecar from registering",
    },
    taskRoleRequirement(definition, roleName, facts.taskRole),
  ];
  return requirements;
}

function taskRoleRequirement(
  definition: TaskDefinition,
  roleName: string | undefined,
  verdict: TaskRoleVerdict | undefined,
): Requirement {
  const fix = `give the task role the statements below: the sidecar creates an SSM activation for ${roleName ?? "its role"} and tags it`;
  if (!definition.taskRoleArn) {
    return {
      id: "taskRole",
      ok: false,
      what: "the task definition has no task role",
      fix: `set "taskRoleArn"; ${fix}`,
    };
  }
  if (verdict === undefined || "unknown" in verdict) {
    return {
      id: "taskRole",
      ok: undefined,
      what: `could not tell whether ${definition.taskRoleArn} may create the SSM activation${verdict ? `: ${verdict.unknown}` : ""}`,
      fix: `allow iam:SimulatePrincipalPolicy to check it; ${fix}`,
    };
  }
  return verdict.denied.length === 0
    ? { id: "taskRole", ok: true, what: `${definition.taskRoleArn} may create and tag the SSM activation`, fix }
    : { id: "taskRole", ok: false, what: `${definition.taskRoleArn} may not ${verdict.denied.join(", ")}`, fix };
}

/** A template value: a literal, or a parameter's `Ref` (its default is what deploy uses unless told). */
type TemplateValue = string | { Ref: string };

interface TemplateContainer {
  Name: string;
  Image: TemplateValue;
  Essential: boolean;
  EntryPoint: string[];
  Command: string[];
  Environment?: { Name: string; Value: TemplateValue }[];
}

/** The SSM agent sidecar exactly as fislat deploy's template defines it, in the task-definition
 * JSON's own casing (register-task-definition), logging where the service's first container logs. */
export function sidecarContainer(definition: TaskDefinition, roleName = ROLE_PLACEHOLDER): ContainerDefinition {
  const template = JSON.parse(readEnvironmentTemplate()) as {
    Parameters?: Record<string, { Default?: string }>;
    Resources: { TaskDefinition: { Properties: { ContainerDefinitions: TemplateContainer[] } } };
  };
  // The image is a template parameter (SsmAgentImage) since the AWS audit: its default is the image.
  const literal = (v: TemplateValue): string | undefined =>
    typeof v === "string" ? v : template.Parameters?.[v.Ref]?.Default;
  const shipped = template.Resources.TaskDefinition.Properties.ContainerDefinitions.find((c) =>
    SIDECAR_IMAGE.test(literal(c.Image) ?? ""),
  ) as TemplateContainer;
  // The role's name is the user's; the template's other literal settings (FISLAT_FIS_DEPENDENCIES) go as they are.
  const environment = [
    { name: MANAGED_INSTANCE_ROLE_ENV, value: roleName },
    ...(shipped.Environment ?? [])
      .filter((e) => e.Name !== MANAGED_INSTANCE_ROLE_ENV && typeof e.Value === "string")
      .map((e) => ({ name: e.Name, value: e.Value as string })),
  ];
  const appLog = (definition.containerDefinitions ?? []).find((c) => c.logConfiguration?.logDriver === "awslogs")
    ?.logConfiguration?.options;
  return {
    name: shipped.Name,
    image: literal(shipped.Image) as string,
    essential: false,
    entryPoint: shipped.EntryPoint,
    command: shipped.Command,
    environment,
    ...(appLog?.["awslogs-group"]
      ? {
          logConfiguration: {
            logDriver: "awslogs",
            options: {
              "awslogs-group": appLog["awslogs-group"],
              ...(appLog["awslogs-region"] ? { "awslogs-region": appLog["awslogs-region"] } : {}),
              "awslogs-stream-prefix": appLog["awslogs-stream-prefix"] ?? "ecs",
            },
          },
        }
      : {}),
  };
}

/** Typed by the SDK's own RegisterTaskDefinition input, so a field name or casing the ECS API does
 * not have fails to compile. */
export type TaskDefinitionChange = Partial<
  Pick<RegisterTaskDefinitionCommandInput, "enableFaultInjection" | "pidMode" | "networkMode" | "containerDefinitions">
>;

/**
 * The change to paste into the task definition (register-task-definition JSON), or undefined when
 * nothing in it is missing. Containers listed are to add (the sidecar) or to replace (the sidecar
 * with its missing settings); the service's own containers stay as they are.
 */
export function taskDefinitionChange(
  definition: TaskDefinition,
  requirements: Requirement[],
): TaskDefinitionChange | undefined {
  const failing = new Set(requirements.filter((r) => r.ok === false).map((r) => r.id));
  const change: TaskDefinitionChange = {};
  if (failing.has("enableFaultInjection")) change.enableFaultInjection = true;
  if (failing.has("pidMode")) change.pidMode = "task";
  if (failing.has("networkMode")) change.networkMode = "awsvpc";
  if (failing.has("sidecar") || failing.has("sidecarRole") || failing.has("sidecarEssential")) {
    const existing = sidecarOf(definition);
    const roleName = roleNameOf(existing);
    change.containerDefinitions = [
      existing
        ? {
            ...existing,
            essential: false,
            environment: [
              ...(existing.environment ?? []).filter((e) => e.name !== MANAGED_INSTANCE_ROLE_ENV),
              { name: MANAGED_INSTANCE_ROLE_ENV, value: roleName ?? ROLE_PLACEHOLDER },
            ],
          }
        : sidecarContainer(definition),
    ];
  }
  return Object.keys(change).length > 0 ? change : undefined;
}

/** The task role's statements the sidecar needs, for the role ARN's partition and account. */
export function taskRoleStatements(taskRoleArn: string | undefined, roleName: string | undefined) {
  const [, partition = "aws", , , account = "<account-id>"] = (taskRoleArn ?? "").split(":");
  return [
    { Effect: "Allow", Action: ["ssm:CreateActivation", "ssm:AddTagsToResource"], Resource: "*" },
    {
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: `arn:${partition}:iam::${account}:role/${roleName ?? ROLE_PLACEHOLDER}`,
    },
  ];
}

export interface ServiceReadiness extends ServiceFacts {
  service: Service;
  family: string;
  requirements: Requirement[];
  /** The task-definition change to paste, when it lacks something. */
  change?: TaskDefinitionChange;
  /** The task role's statements, when it lacks them (or could not be checked). */
  taskRoleStatements?: ReturnType<typeof taskRoleStatements>;
}

/** Reads the service, its task definition, its running tasks and its task role's permissions. */
export async function checkServiceReadiness(
  clients: { ecs: ECSClient; iam: IAMClient },
  where: { cluster: string; service: string },
): Promise<ServiceReadiness> {
  const described = await retryThrottled(() =>
    clients.ecs.send(new DescribeServicesCommand({ cluster: where.cluster, services: [where.service] })),
  );
  const service = (described.services ?? []).find((s) => s.status !== "INACTIVE");
  if (!service?.taskDefinition) {
    const why = described.failures?.[0]?.reason;
    throw new FislatError(
      `no service ${where.service} in cluster ${where.cluster}${why ? ` (${why})` : ""}: check both names (aws ecs list-services --cluster ${where.cluster})`,
      EXIT.environment,
    );
  }
  const definition = (
    await retryThrottled(() =>
      clients.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: service.taskDefinition as string })),
    )
  ).taskDefinition;
  if (!definition) {
    throw new FislatError(`the task definition ${service.taskDefinition} could not be read`, EXIT.environment);
  }
  const arns =
    (
      await retryThrottled(() =>
        clients.ecs.send(
          new ListTasksCommand({ cluster: where.cluster, serviceName: where.service, desiredStatus: "RUNNING" }),
        ),
      )
    ).taskArns ?? [];
  const tasks =
    arns.length === 0
      ? []
      : ((
          await retryThrottled(() =>
            clients.ecs.send(new DescribeTasksCommand({ cluster: where.cluster, tasks: arns.slice(0, 100) })),
          )
        ).tasks ?? []);
  const roleName = roleNameOf(sidecarOf(definition));
  const taskRole = definition.taskRoleArn
    ? await simulateTaskRole(clients.iam, definition.taskRoleArn, roleName)
    : undefined;
  const facts: ServiceFacts = { definition, service, tasks, ...(taskRole ? { taskRole } : {}) };
  const requirements = faultInjectionRequirements(facts);
  const change = taskDefinitionChange(definition, requirements);
  const roleOk = requirements.find((r) => r.id === "taskRole")?.ok === true;
  return {
    ...facts,
    service,
    family: `${definition.family}:${definition.revision}`,
    requirements,
    ...(change ? { change } : {}),
    ...(roleOk ? {} : { taskRoleStatements: taskRoleStatements(definition.taskRoleArn, roleName) }),
  };
}

/** Whether the task role may do what the sidecar does at start: create and tag the activation,
 * passing the managed-instance role (simulated on that role's ARN, not "*", as least privilege scopes it). */
async function simulateTaskRole(iam: IAMClient, taskRoleArn: string, roleName: string | undefined) {
  const [passRole] = taskRoleStatements(taskRoleArn, roleName ?? "*").slice(1);
  const simulations = [
    { actions: ["ssm:CreateActivation", "ssm:AddTagsToResource"], resources: ["*"] },
    { actions: ["iam:PassRole"], resources: [passRole?.Resource as string] },
  ];
  try {
    const denied: string[] = [];
    for (const sim of simulations) {
      const res = await iam.send(
        new SimulatePrincipalPolicyCommand({
          PolicySourceArn: taskRoleArn,
          ActionNames: sim.actions,
          ResourceArns: sim.resources,
        }),
      );
      for (const r of res.EvaluationResults ?? []) {
        if (r.EvalDecision !== "allowed") denied.push(`${r.EvalActionName} (${r.EvalDecision})`);
      }
    }
    return { denied };
  } catch (error) {
    return { unknown: (error as Error).message };
  }
}

/** The readiness as preflight problems (what, fix), with the change to paste in the first fix. */
export function readinessProblems(readiness: ServiceReadiness): { what: string; fix: string }[] {
  const failing = readiness.requirements.filter((r) => r.ok === false);
  const problems = failing.map((r) => ({ what: r.what, fix: r.fix }));
  const first = problems[0];
  if (first) first.fix = `${first.fix}\n${changeText(readiness)}`;
  return problems;
}

/** The change to paste, in words and JSON, indented for a terminal. */
export function changeText(readiness: ServiceReadiness, indent = "    "): string {
  const parts: string[] = [];
  const json = (v: unknown) => JSON.stringify(v, null, 2).replace(/\n/g, `\n${indent}`);
  if (readiness.change) {
    parts.push(
      `${indent}task definition ${readiness.family}: register a new revision with these fields (containers listed are added, or replace the one of the same name):\n${indent}${json(readiness.change)}`,
    );
  }
  if (readiness.taskRoleStatements) {
    parts.push(
      `${indent}task role ${readiness.definition.taskRoleArn ?? "(none yet)"}: these statements:\n${indent}${json(readiness.taskRoleStatements)}`,
    );
  }
  if (parts.length > 0 && JSON.stringify(readiness.change ?? {}).includes(ROLE_PLACEHOLDER)) {
    parts.push(
      `${indent}replace ${ROLE_PLACEHOLDER} with a role that ssm.amazonaws.com may assume and that has AmazonSSMManagedInstanceCore`,
    );
  }
  return parts.join("\n");
}
