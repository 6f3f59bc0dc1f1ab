// A small stateful CloudFormation behind aws-sdk-client-mock, following CloudFormation's own rules:
// change sets that create (leaving the stack REVIEW_IN_PROGRESS until executed) or update, report
// no changes, or fail; stacks whose events arrive over time and that complete, roll back, or
// delete; every template parameter gets its given, previous or default value.
import {
  CloudFormationClient,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStackResourceCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  type StackEvent,
} from "@aws-sdk/client-cloudformation";
import { mockClient } from "aws-sdk-client-mock";
import { callProblems } from "./sdk-schema.js";
import { on } from "./simulated-aws.js";

type Stub = Parameters<typeof on>[0];

/** Events per DescribeStackEvents page (the API pages its answer; 100 is what the console shows). */
const EVENTS_PER_PAGE = 100;

export interface FakeStack {
  status: string;
  parameters: Record<string, string>;
  outputs: Record<string, string>;
  events: StackEvent[];
}

export class FakeCloudFormation {
  readonly stub: Stub = mockClient(CloudFormationClient as never) as unknown as Stub;
  stacks = new Map<string, FakeStack>();
  /** What executing a change set does: the events it produces and the final status. */
  outcome: { final: string; failed?: { resource: string; type: string; reason: string } } = { final: "" };
  noChanges = false;
  /** The load balancer's DNS name in the outputs (a test may put a local stand-in's host:port). */
  loadBalancerDns = "nlb-123.elb.example";
  /** The cluster the stack made (a test may name the simulated ECS's). */
  clusterName = "fislat-probe-Cluster-AbC";
  /** The next change set fails with this reason (once). */
  changeSetFails: string | undefined;
  /** The operation never finishes (a service whose tasks never become stable, without a circuit breaker). */
  hangs = false;
  /** Executing a change set writes this many resource events at once (more than one page of events). */
  eventsBurst = 0;
  /** The service's ARN as DescribeStackResource gives it (the Ref of AWS::ECS::Service). */
  get serviceArn(): string {
    return `arn:aws:ecs:us-east-1:000000000000:service/${this.clusterName}/probe-svc`;
  }
  private pending: { stack: string; type: string; parameters: Record<string, string> } | undefined;
  private finishAt = 0;
  /** The status the stack reaches when the operation under way finishes. */
  private final = "";

  /** Ends the fake: every request fislat sent is checked against the SDK's model first (sdk-schema.ts). */
  restore(): void {
    const problems = callProblems("cloudformation", this.stub.calls());
    this.stub.restore();
    if (problems.length > 0) throw new Error(`requests the SDK's model refuses:\n${[...new Set(problems)].join("\n")}`);
  }

  constructor() {
    const s = this.stub;
    on(s, DescribeStacksCommand).callsFake((input: { StackName: string }) => {
      const stack = this.stacks.get(input.StackName);
      if (!stack)
        throw Object.assign(new Error(`Stack with id ${input.StackName} does not exist`), { name: "ValidationError" });
      this.advance(input.StackName);
      return {
        Stacks: [
          {
            StackName: input.StackName,
            StackStatus: stack.status,
            Parameters: Object.entries(stack.parameters).map(([ParameterKey, ParameterValue]) => ({
              ParameterKey,
              ParameterValue,
            })),
            Outputs: Object.entries(stack.outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
          },
        ],
      };
    });
    on(s, CreateChangeSetCommand).callsFake(
      (input: {
        StackName: string;
        ChangeSetType: string;
        TemplateBody: string;
        Parameters: { ParameterKey: string; ParameterValue?: string; UsePreviousValue?: boolean }[];
      }) => {
        const stack = this.stacks.get(input.StackName);
        // CloudFormation's rules: CREATE only for a stack that does not exist or has never been
        // created (REVIEW_IN_PROGRESS, which a CREATE change set leaves behind); UPDATE otherwise.
        const reviewing = stack?.status === "REVIEW_IN_PROGRESS";
        if (input.ChangeSetType === "CREATE" && stack && !reviewing)
          throw Object.assign(new Error(`Stack [${input.StackName}] already exists`), {
            name: "AlreadyExistsException",
          });
        if (input.ChangeSetType === "UPDATE" && (!stack || reviewing))
          throw Object.assign(
            new Error(`Stack:${input.StackName} is in ${stack?.status ?? "no"} state and can not be updated.`),
            { name: "ValidationError" },
          );
        const previous = stack?.parameters ?? {};
        // Every parameter of the template gets a value: given, previous, or its default.
        const defaults = Object.fromEntries(
          Object.entries(
            (JSON.parse(input.TemplateBody) as { Parameters: Record<string, { Default?: unknown }> }).Parameters,
          ).flatMap(([k, v]) => (v.Default === undefined ? [] : [[k, String(v.Default)]])),
        );
        const given = Object.fromEntries(
          input.Parameters.map((p) => [
            p.ParameterKey,
            p.UsePreviousValue ? (previous[p.ParameterKey] ?? "") : (p.ParameterValue ?? ""),
          ]),
        );
        const parameters = { ...defaults, ...(input.ChangeSetType === "UPDATE" ? previous : {}), ...given };
        if (!stack)
          this.stacks.set(input.StackName, { status: "REVIEW_IN_PROGRESS", parameters: {}, outputs: {}, events: [] });
        this.pending = { stack: input.StackName, type: input.ChangeSetType, parameters };
        return { Id: "cs-1" };
      },
    );
    on(s, DescribeChangeSetCommand).callsFake(() => {
      if (this.changeSetFails) {
        const reason = this.changeSetFails;
        this.changeSetFails = undefined;
        return { Status: "FAILED", StatusReason: reason };
      }
      return this.noChanges
        ? {
            Status: "FAILED",
            StatusReason:
              "The submitted information didn't contain changes. Submit different information to create a change set.",
          }
        : {
            Status: "CREATE_COMPLETE",
            Changes: [
              { ResourceChange: { Action: "Add", LogicalResourceId: "Table", ResourceType: "AWS::DynamoDB::Table" } },
            ],
          };
    });
    on(s, DeleteChangeSetCommand).resolves({});
    on(s, ExecuteChangeSetCommand).callsFake(() => {
      const p = this.pending as NonNullable<typeof this.pending>;
      const stack = this.stacks.get(p.stack) ?? { status: "", parameters: {}, outputs: {}, events: [] };
      stack.status = `${p.type}_IN_PROGRESS`;
      stack.parameters = p.parameters;
      this.stacks.set(p.stack, stack);
      this.event(p.stack, p.stack, "AWS::CloudFormation::Stack", `${p.type}_IN_PROGRESS`);
      this.event(p.stack, "Table", "AWS::DynamoDB::Table", "CREATE_IN_PROGRESS");
      for (let i = 0; i < this.eventsBurst; i++)
        this.event(p.stack, `Resource${i}`, "AWS::IAM::Role", "CREATE_IN_PROGRESS");
      this.finishAt = this.hangs ? Number.POSITIVE_INFINITY : Date.now() + 20_000;
      this.final = this.outcome.final || `${p.type}_COMPLETE`;
      return {};
    });
    // Newest first, a page at a time, as DescribeStackEvents answers.
    on(s, DescribeStackEventsCommand).callsFake((input: { StackName: string; NextToken?: string }) => {
      const stack = this.stacks.get(input.StackName);
      if (!stack)
        throw Object.assign(new Error(`Stack ${input.StackName} does not exist`), { name: "ValidationError" });
      const all = [...stack.events].reverse();
      const from = Number(input.NextToken ?? 0);
      const to = from + EVENTS_PER_PAGE;
      return { StackEvents: all.slice(from, to), ...(to < all.length ? { NextToken: String(to) } : {}) };
    });
    on(s, DescribeStackResourceCommand).callsFake((input: { StackName: string; LogicalResourceId: string }) => {
      if (!this.stacks.has(input.StackName) || input.LogicalResourceId !== "Service")
        throw Object.assign(new Error(`Resource ${input.LogicalResourceId} does not exist`), {
          name: "ValidationError",
        });
      return {
        StackResourceDetail: {
          LogicalResourceId: "Service",
          ResourceType: "AWS::ECS::Service",
          PhysicalResourceId: this.serviceArn,
          ResourceStatus: "CREATE_IN_PROGRESS",
        },
      };
    });
    on(s, DeleteStackCommand).callsFake((input: { StackName: string }) => {
      const stack = this.stacks.get(input.StackName) as FakeStack;
      stack.status = "DELETE_IN_PROGRESS";
      this.finishAt = Date.now() + 15_000;
      this.final = "DELETE_COMPLETE";
      return {};
    });
  }

  private event(stack: string, resource: string, type: string, status: string, reason?: string) {
    const s = this.stacks.get(stack) as FakeStack;
    s.events.push({
      EventId: `e${s.events.length}`,
      StackId: `stack/${stack}`,
      StackName: stack,
      LogicalResourceId: resource,
      ResourceType: type,
      ResourceStatus: status as StackEvent["ResourceStatus"],
      ...(reason ? { ResourceStatusReason: reason } : {}),
      Timestamp: new Date(),
    });
  }

  /** Time passes for the stack: at the finish time it reaches the outcome, with its events. */
  private advance(name: string) {
    const stack = this.stacks.get(name) as FakeStack;
    if (!/^(CREATE|UPDATE|DELETE)_IN_PROGRESS$/.test(stack.status) || Date.now() < this.finishAt) return;
    const { failed } = this.outcome;
    const final = this.final;
    if (failed) {
      this.event(name, failed.resource, failed.type, "CREATE_FAILED", failed.reason);
      this.event(name, "Table", "AWS::DynamoDB::Table", "CREATE_FAILED", "Resource creation cancelled");
    } else if (final !== "DELETE_COMPLETE") {
      this.event(name, "Table", "AWS::DynamoDB::Table", "CREATE_COMPLETE");
    }
    stack.status = final;
    this.event(name, name, "AWS::CloudFormation::Stack", final);
    if (final === "DELETE_COMPLETE") this.stacks.delete(name);
    else if (!failed)
      stack.outputs = {
        ClusterName: this.clusterName,
        ServiceName: "probe-svc",
        TaskDefinitionFamily: "fislat-probe-probe",
        FisRoleArn: "arn:aws:iam::000000000000:role/fis-x",
        LogGroupName: "/ecs/fislat-probe",
        TableName: stack.parameters.TableName ?? "MyTestTable",
        LoadBalancerDns: this.loadBalancerDns,
        TargetGroupArn: "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/fislat-Targe-1/abc",
        RepositoryUri: "000000000000.dkr.ecr.us-east-1.amazonaws.com/probe",
      };
  }
}
