// One model of Amazon ECS for every test, shared as FIS's is (fis-model.ts) by the in-process
// simulation (simulated-aws.ts) and the HTTP fake (fake-aws-http.ts), on the clock it is given: a
// Fargate service's tasks, tasks run and stopped, and each task's SSM sidecar registering with SSM
// (FIS reaches a task through it). It answers as the ECS API reference documents: its errors
// (ClusterNotFoundException, ServiceNotFoundException, InvalidParameterException, ClientException),
// its limits (DescribeTasks 100 tasks, DescribeServices 10, ListTasks pages of 100), MISSING failures.
import type * as Ecs from "@aws-sdk/client-ecs";
import type { TemplateTarget } from "./fis-model.js";
import { ModelError } from "./model.js";

export const ACCOUNT = "000000000000";
export const REGION = "us-east-1";
export const CLUSTER = "FIS";
export const CLUSTER_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/${CLUSTER}`;
export const SERVICE = "dynamodb-test-service";
export const TASK_DEF_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/dynamodb-latency-test:7`;
/** The probe's container in the task definition: its log streams are named after it. */
export const CONTAINER = "fis-latency-test-to-ddb-app";
export const taskArn = (id: string) => `arn:aws:ecs:${REGION}:${ACCOUNT}:task/${CLUSTER}/${id}`;
const serviceArn = (name: string) =>
  name.startsWith("arn:") ? name : `arn:aws:ecs:${REGION}:${ACCOUNT}:service/${CLUSTER}/${name}`;

/** The service's tasks have run this long when a test starts: their probes' lines go back as far. */
const HISTORY_MS = 60_000;

export interface EcsTask {
  arn: string;
  id: string;
  ip: string;
  startedAt: number;
  stoppedAt?: number;
  stopCode?: string;
  stoppedReason?: string;
  /** Started with RunTask (fislat's --launch), not by the service. */
  launched: boolean;
  /** The probe it runs (probe-model.ts): round trips so far, lines written up to (exclusive, AWS time), health. */
  seq: number;
  writtenUntil: number;
  failingSince?: number;
  healthy: boolean;
}

export interface EcsModelOptions {
  tasks: string[];
  /** The task definition every task runs, read at each request. */
  taskDefinition: () => Ecs.TaskDefinition;
  /**
   * Any cluster, service or task definition a request names is the one modelled: the in-process
   * tests name theirs freely (prod, c; fislat-probe, td). Otherwise another name is not found.
   */
  anyName?: boolean;
  /** The tasks run with ECS Exec on. */
  execEnabled?: boolean;
  loadBalancers?: Ecs.LoadBalancer[];
  /** Task ids whose SSM sidecar never registers. */
  unregistered?: string[];
  /** A launched task's sidecar registers with SSM this long after launch (default 20 s). */
  registerAfterMs?: number;
  /** Task ARNs in another cluster that carry the probe tasks' tag (FIS resolves a tag across the account). */
  taggedElsewhere?: string[];
  /** FIS does not apply the target's filters (a filter path it does not know, say). */
  ignoresFilters?: boolean;
}

const invalid = (message: string) => new ModelError("InvalidParameterException", message);

/** ECS's tasks, on a clock the caller gives (virtual or real milliseconds). */
export class EcsModel {
  /** Every task ever started, by ARN, in start order. */
  readonly tasks = new Map<string, EcsTask>();
  /** Task ids whose SSM sidecar never registers (a test may add one mid-run). */
  readonly unregistered: Set<string>;

  constructor(
    private readonly options: EcsModelOptions,
    private readonly now: () => number,
  ) {
    this.unregistered = new Set(options.unregistered);
    for (const id of options.tasks) this.addTask(id, now() - HISTORY_MS, false);
  }

  addTask(id: string, startedAt: number, launched: boolean): EcsTask {
    const task: EcsTask = {
      arn: taskArn(id),
      id,
      ip: `10.0.0.${this.tasks.size + 10}`,
      startedAt,
      launched,
      seq: 0,
      // Its probe's first line: at its start, or a minute before the test at most, on the second.
      writtenUntil: Math.ceil(Math.max(startedAt, this.now() - HISTORY_MS) / 1000) * 1000,
      healthy: true,
    };
    this.tasks.set(task.arn, task);
    return task;
  }

  /** Stops the task as of `at` (ECS replacing it, or a StopTask); a stopped task stays stopped. */
  stop(task: EcsTask, at: number, stopCode: string, stoppedReason: string): void {
    if (task.stoppedAt === undefined) Object.assign(task, { stoppedAt: at, stopCode, stoppedReason });
  }

  /** ECS's operations by API name, each answering its request: what both transports dispatch to. */
  readonly operations = {
    ListTasks: (input: Ecs.ListTasksRequest) => {
      this.cluster(input.cluster);
      if (input.serviceName !== undefined && !this.named(input.serviceName, SERVICE, serviceArn(SERVICE)))
        throw new ModelError("ServiceNotFoundException", "Service not found.");
      const max = input.maxResults ?? 100;
      if (max < 1 || max > 100) throw invalid("maxResults must be between 1 and 100.");
      // desiredStatus RUNNING by default; only the service's tasks when it is named.
      const arns = [...this.tasks.values()]
        .filter((t) => (t.stoppedAt !== undefined) === (input.desiredStatus === "STOPPED"))
        .filter((t) => !(input.serviceName && t.launched))
        .map((t) => t.arn);
      const from = Number(input.nextToken ?? 0);
      return {
        taskArns: arns.slice(from, from + max),
        ...(from + max < arns.length ? { nextToken: `${from + max}` } : {}),
      };
    },
    DescribeTasks: (input: Ecs.DescribeTasksRequest) => {
      this.cluster(input.cluster);
      const refs = input.tasks ?? [];
      if (refs.length === 0 || refs.length > 100) throw invalid(`tasks: 1 to 100 IDs or ARNs, not ${refs.length}.`);
      const found = refs.map((ref) => this.task(ref));
      // Tags only when asked for with include: ["TAGS"].
      const tags = input.include?.includes("TAGS") ? [{ key: "Environment", value: "test" }] : undefined;
      return {
        tasks: found.flatMap((t) => (t ? [this.view(t, tags)] : [])),
        failures: refs.filter((_, i) => !found[i]).map((arn) => ({ arn, reason: "MISSING" })),
      };
    },
    DescribeTaskDefinition: (input: Ecs.DescribeTaskDefinitionRequest) => {
      const taskDefinition = this.options.taskDefinition();
      const { family, revision, taskDefinitionArn } = taskDefinition;
      if (!this.named(input.taskDefinition, taskDefinitionArn, family, `${family}:${revision}`))
        throw new ModelError("ClientException", "Unable to describe task definition.");
      return { taskDefinition };
    },
    DescribeServices: (input: Ecs.DescribeServicesRequest) => {
      this.cluster(input.cluster);
      const names = input.services ?? [];
      if (names.length > 10) throw invalid("services: at most 10 per call.");
      const known = (name: string) => this.named(name, SERVICE, serviceArn(SERVICE));
      return {
        services: names.filter(known).map((name) => ({
          serviceArn: serviceArn(name),
          serviceName: name.split("/").at(-1),
          clusterArn: CLUSTER_ARN,
          status: "ACTIVE",
          taskDefinition: TASK_DEF_ARN,
          launchType: "FARGATE",
          platformVersion: "LATEST",
          enableExecuteCommand: this.options.execEnabled === true,
          loadBalancers: this.options.loadBalancers ?? [],
          networkConfiguration: { awsvpcConfiguration: { subnets: ["subnet-a"], securityGroups: ["sg-a"] } },
        })),
        failures: names.filter((n) => !known(n)).map((n) => ({ arn: serviceArn(n), reason: "MISSING" })),
      };
    },
    RunTask: (input: Ecs.RunTaskRequest) => {
      this.cluster(input.cluster);
      this.operations.DescribeTaskDefinition({ taskDefinition: input.taskDefinition });
      if ((input.count ?? 1) !== 1) throw new Error("the ECS model launches one task at a time");
      const launched = [...this.tasks.values()].filter((t) => t.launched).length;
      return { tasks: [this.view(this.addTask(`launched${launched + 1}`, this.now(), true))], failures: [] };
    },
    StopTask: (input: Ecs.StopTaskRequest) => {
      this.cluster(input.cluster);
      const task = this.task(input.task ?? "");
      if (!task) throw invalid("The referenced task was not found.");
      this.stop(task, this.now(), "UserInitiated", input.reason ?? "Task stopped by the user");
      return { task: this.view(task) };
    },
  };

  /** SSM's DescribeInstanceInformation: the tasks whose sidecar registered, by the tag it registers with. */
  readonly ssmOperations = {
    DescribeInstanceInformation: (input: { Filters?: { Key: string; Values: string[] }[] }) => {
      const arns = input.Filters?.find((f) => f.Key === "tag:ECS_TASK_ARN")?.Values ?? [];
      return {
        InstanceInformationList: arns
          .filter((arn) => this.registered(arn))
          .map((arn) => ({
            InstanceId: `mi-${(arn.split("/").at(-1) ?? "").padStart(17, "0").slice(0, 17)}`,
            PingStatus: "Online",
            ResourceType: "ManagedInstance",
          })),
      };
    },
  };

  /**
   * The tasks FIS resolves a template's target to, with its selection mode: ARNs as given; a tag
   * across every cluster of the account (then the target's filters, ClusterArn among them); a
   * service's running tasks (and launched ones).
   */
  resolveTarget(target: TemplateTarget | undefined): string[] {
    const tasks = [...this.tasks.values()];
    const running = tasks.filter((t) => t.stoppedAt === undefined && !t.launched).map((t) => t.arn);
    const launched = tasks.filter((t) => t.launched).map((t) => t.arn);
    let pool = target?.resourceArns ?? [...running, ...launched];
    if (target?.resourceTags) {
      // The probe's tasks carry Environment=test (describeTasks), and so do the others named.
      const matches = Object.entries(target.resourceTags).every(([k, v]) => k === "Environment" && v === "test");
      pool = matches ? [...running, ...(this.options.taggedElsewhere ?? [])] : [];
      for (const f of this.options.ignoresFilters ? [] : (target.filters ?? [])) {
        if (f.path !== "ClusterArn") throw new Error(`the ECS model knows no filter path ${f.path}`);
        pool = pool.filter((arn) => f.values.includes(arn.replace(/:task\/([^/]+)\/.*$/, ":cluster/$1")));
      }
    }
    const mode = target?.selectionMode ?? "ALL";
    const percent = /^PERCENT\((\d+)\)$/.exec(mode);
    const count = /^COUNT\((\d+)\)$/.exec(mode);
    if (percent) return pool.slice(0, Math.round((pool.length * Number(percent[1])) / 100));
    if (count) return pool.slice(0, Number(count[1]));
    return pool;
  }

  private task(ref: string): EcsTask | undefined {
    return this.tasks.get(ref.startsWith("arn:") ? ref : taskArn(ref));
  }

  private registered(arn: string): boolean {
    const task = this.tasks.get(arn);
    if (!task || task.stoppedAt !== undefined || this.unregistered.has(task.id)) return false;
    return !task.launched || this.now() >= task.startedAt + (this.options.registerAfterMs ?? 20_000);
  }

  /** A task as DescribeTasks shows it. */
  private view(t: EcsTask, tags?: { key: string; value: string }[]) {
    const status = t.stoppedAt === undefined ? "RUNNING" : "STOPPED";
    return {
      taskArn: t.arn,
      clusterArn: CLUSTER_ARN,
      taskDefinitionArn: TASK_DEF_ARN,
      group: t.launched ? "family:dynamodb-latency-test" : `service:${SERVICE}`,
      lastStatus: status,
      desiredStatus: status,
      launchType: "FARGATE",
      enableExecuteCommand: this.options.execEnabled === true,
      attachments: [{ type: "ElasticNetworkInterface", details: [{ name: "privateIPv4Address", value: t.ip }] }],
      ...(tags ? { tags } : {}),
      ...(t.stoppedAt === undefined
        ? {}
        : { stoppingAt: new Date(t.stoppedAt), stopCode: t.stopCode, stoppedReason: t.stoppedReason }),
    };
  }

  private cluster(name = "default"): void {
    if (!this.named(name, CLUSTER, CLUSTER_ARN)) throw new ModelError("ClusterNotFoundException", "Cluster not found.");
  }

  private named(name: string | undefined, ...names: (string | undefined)[]): boolean {
    return this.options.anyName === true || names.includes(name);
  }
}
