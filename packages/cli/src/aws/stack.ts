// The probe environment's CloudFormation stack: create or update it through a change set, show
// its events live, wait for the outcome, and name the first resource that failed and why; delete
// it. Only @aws-sdk/client-cloudformation: users need neither the CDK nor the AWS CLI.
import {
  type CloudFormationClient,
  CreateChangeSetCommand,
  DeleteChangeSetCommand,
  DeleteStackCommand,
  DescribeChangeSetCommand,
  DescribeStackEventsCommand,
  DescribeStacksCommand,
  ExecuteChangeSetCommand,
  type Parameter,
  type Stack,
  type StackEvent,
} from "@aws-sdk/client-cloudformation";
import type { Clock } from "../engine/ports.js";
import { EXIT, FislatError } from "../errors.js";
import { MANAGED_BY_TAG } from "./fis-template.js";
import { retryThrottled } from "./retry.js";

export type StackParameters = Record<string, string | undefined>;

export interface StackProgress {
  event(event: StackEvent): void;
  info(message: string): void;
}

export interface DeployResult {
  action: "created" | "updated" | "unchanged";
  outputs: Record<string, string>;
  parameters: Record<string, string>;
}

const IN_PROGRESS = /_IN_PROGRESS$/;
export const REVIEW_IN_PROGRESS = "REVIEW_IN_PROGRESS";
const FAILED_RESOURCE = /(CREATE|UPDATE|DELETE)_FAILED$/;
const NO_CHANGES = /didn't contain changes|No updates are to be performed/i;

export async function describeStack(cfn: CloudFormationClient, stackName: string): Promise<Stack | undefined> {
  try {
    const res = await retryThrottled(() => cfn.send(new DescribeStacksCommand({ StackName: stackName })));
    return res.Stacks?.[0];
  } catch (error) {
    if (/does not exist/.test((error as Error).message ?? "")) return undefined;
    throw error;
  }
}

function outputsOf(stack: Stack | undefined): Record<string, string> {
  return Object.fromEntries(
    (stack?.Outputs ?? []).flatMap((o) => (o.OutputKey && o.OutputValue ? [[o.OutputKey, o.OutputValue]] : [])),
  );
}

/** Follows the stack's events from `since` until it leaves every *_IN_PROGRESS state. */
async function follow(
  cfn: CloudFormationClient,
  stackName: string,
  since: Date,
  clock: Clock,
  progress: StackProgress,
  pollMs: number,
): Promise<{ stack: Stack | undefined; failures: StackEvent[] }> {
  const seen = new Set<string>();
  const failures: StackEvent[] = [];
  for (;;) {
    // The status first, then the events: a stack that finished in between still has its last
    // events (the failure reasons among them) read before we stop.
    const stack = await describeStack(cfn, stackName);
    const page = await retryThrottled(() => cfn.send(new DescribeStackEventsCommand({ StackName: stackName }))).catch(
      (error: Error) => {
        if (/does not exist/.test(error.message ?? "")) return { StackEvents: [] as StackEvent[] };
        throw error;
      },
    );
    // Newest first from the API; shown oldest first, each once.
    const fresh = (page.StackEvents ?? [])
      .filter((e) => e.EventId && !seen.has(e.EventId) && (e.Timestamp?.getTime() ?? 0) >= since.getTime())
      .reverse();
    for (const e of fresh) {
      seen.add(e.EventId as string);
      if (
        FAILED_RESOURCE.test(e.ResourceStatus ?? "") &&
        e.ResourceStatusReason &&
        !/cancelled/i.test(e.ResourceStatusReason)
      ) {
        failures.push(e);
      }
      progress.event(e);
    }
    if (!stack || !IN_PROGRESS.test(stack.StackStatus ?? "")) return { stack, failures };
    await clock.sleep(pollMs);
  }
}

function failureMessage(what: string, stack: Stack | undefined, failures: StackEvent[]): string {
  const first = failures[0];
  const cause = first
    ? `first failure: ${first.LogicalResourceId} (${first.ResourceType}): ${first.ResourceStatusReason}`
    : `stack status ${stack?.StackStatus ?? "unknown"}: ${stack?.StackStatusReason ?? "no reason given"}`;
  return `${what} failed; ${cause}`;
}

export interface DeployOptions {
  stackName: string;
  templateBody: string;
  /** Values for the template's parameters; undefined keeps the stack's current value on update. */
  parameters: StackParameters;
  clock: Clock;
  progress: StackProgress;
  pollMs?: number;
  /** Called once CloudFormation is executing the change set (from then on it goes on without us). */
  onExecute?: (stackName: string) => void;
}

export async function deployStack(cfn: CloudFormationClient, options: DeployOptions): Promise<DeployResult> {
  const { stackName, clock, progress } = options;
  const pollMs = options.pollMs ?? 5000;
  const existing = await describeStack(cfn, stackName);
  if (existing?.StackStatus === "ROLLBACK_COMPLETE") {
    throw new FislatError(
      `stack ${stackName} is in ROLLBACK_COMPLETE after a failed creation and cannot be updated: fislat destroy --stack-name ${stackName}, then deploy again`,
      EXIT.environment,
    );
  }
  // REVIEW_IN_PROGRESS: a CREATE change set was made (and failed, or was never executed); the stack
  // has no resources and takes another CREATE change set, as the AWS CLI's `cloudformation deploy`
  // treats it. It is not busy.
  const created = existing !== undefined && existing.StackStatus !== REVIEW_IN_PROGRESS;
  if (created && IN_PROGRESS.test(existing.StackStatus ?? "")) {
    throw new FislatError(
      `stack ${stackName} is busy (${existing.StackStatus}): wait for it to finish`,
      EXIT.environment,
    );
  }
  const type = created ? "UPDATE" : "CREATE";
  // A parameter without a value keeps its current one on update, and its default on create.
  const parameters = Object.entries(options.parameters).flatMap(([key, value]): Parameter[] => {
    if (value !== undefined) return [{ ParameterKey: key, ParameterValue: value }];
    const known = created && existing.Parameters?.some((p) => p.ParameterKey === key);
    return known ? [{ ParameterKey: key, UsePreviousValue: true }] : [];
  });
  const changeSetName = `fislat-${clock.wallNow().getTime()}`;
  await retryThrottled(() =>
    cfn.send(
      new CreateChangeSetCommand({
        StackName: stackName,
        ChangeSetName: changeSetName,
        ChangeSetType: type,
        TemplateBody: options.templateBody,
        Parameters: parameters,
        Capabilities: ["CAPABILITY_IAM"],
        Tags: [{ Key: MANAGED_BY_TAG.key, Value: MANAGED_BY_TAG.value }],
        Description: "fislat deploy",
      }),
    ),
  );
  progress.info(`change set ${changeSetName} (${type === "CREATE" ? "create" : "update"}) for stack ${stackName}`);

  for (;;) {
    const set = await retryThrottled(() =>
      cfn.send(new DescribeChangeSetCommand({ StackName: stackName, ChangeSetName: changeSetName })),
    );
    if (set.Status === "CREATE_COMPLETE") {
      for (const c of set.Changes ?? []) {
        const r = c.ResourceChange;
        if (r)
          progress.info(
            `  ${r.Action} ${r.LogicalResourceId} (${r.ResourceType})${r.Replacement === "True" ? " replacing it" : ""}`,
          );
      }
      break;
    }
    if (set.Status === "FAILED") {
      if (NO_CHANGES.test(set.StatusReason ?? "")) {
        await retryThrottled(() =>
          cfn.send(new DeleteChangeSetCommand({ StackName: stackName, ChangeSetName: changeSetName })),
        );
        progress.info(`stack ${stackName} is up to date: no changes`);
        return { action: "unchanged", outputs: outputsOf(existing), parameters: parametersOf(existing) };
      }
      const left =
        type === "CREATE"
          ? `; stack ${stackName} stays ${REVIEW_IN_PROGRESS} with no resources until the next fislat deploy (or fislat destroy)`
          : "";
      throw new FislatError(`the change set failed: ${set.StatusReason ?? "no reason given"}${left}`, EXIT.environment);
    }
    await clock.sleep(Math.min(pollMs, 2000));
  }

  const started = clock.wallNow();
  await retryThrottled(() =>
    cfn.send(
      new ExecuteChangeSetCommand({
        StackName: stackName,
        ChangeSetName: changeSetName,
        ClientRequestToken: changeSetName,
      }),
    ),
  );
  options.onExecute?.(stackName);
  const { stack, failures } = await follow(cfn, stackName, new Date(started.getTime() - 1000), clock, progress, pollMs);
  const status = stack?.StackStatus ?? "";
  if (status !== `${type}_COMPLETE`) {
    throw new FislatError(
      failureMessage(`${type === "CREATE" ? "creating" : "updating"} stack ${stackName}`, stack, failures),
      EXIT.environment,
    );
  }
  return {
    action: type === "CREATE" ? "created" : "updated",
    outputs: outputsOf(stack),
    parameters: parametersOf(stack),
  };
}

function parametersOf(stack: Stack | undefined): Record<string, string> {
  return Object.fromEntries(
    (stack?.Parameters ?? []).flatMap((p) =>
      p.ParameterKey && p.ParameterValue !== undefined ? [[p.ParameterKey, p.ParameterValue]] : [],
    ),
  );
}

export async function destroyStack(
  cfn: CloudFormationClient,
  stackName: string,
  clock: Clock,
  progress: StackProgress,
  pollMs = 5000,
): Promise<void> {
  const started = clock.wallNow();
  await retryThrottled(() =>
    cfn.send(new DeleteStackCommand({ StackName: stackName, ClientRequestToken: `fislat-${started.getTime()}` })),
  );
  const { stack, failures } = await follow(cfn, stackName, new Date(started.getTime() - 1000), clock, progress, pollMs);
  if (stack && stack.StackStatus !== "DELETE_COMPLETE") {
    throw new FislatError(failureMessage(`deleting stack ${stackName}`, stack, failures), EXIT.environment);
  }
}
