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

/** How long deploy and destroy follow a stack before they stop waiting (--wait). */
export const DEFAULT_WAIT_MS = 30 * 60_000;
/** How often, while the stack is in progress, the service's stopped tasks are looked at. */
const DIAGNOSE_EVERY_MS = 30_000;

export interface FollowOptions {
  pollMs: number;
  /** Stop waiting after this long (the stack goes on without fislat). */
  waitMs: number;
  /** Why the stack is not done yet, if something can tell (the service's stopped tasks). */
  diagnose?: () => Promise<string[]>;
}

interface FollowResult {
  stack: Stack | undefined;
  failures: StackEvent[];
  /** What `diagnose` found, each reason once, in the order found. */
  causes: string[];
  timedOut: boolean;
}

/**
 * The events newer than `since` not yet seen, oldest first. DescribeStackEvents answers newest
 * first, a page at a time (NextToken): pages are read until one reaches an event already seen or
 * older than `since`, so a burst of events between two polls is never cut short.
 */
async function freshEvents(
  cfn: CloudFormationClient,
  stackName: string,
  since: Date,
  seen: Set<string>,
): Promise<StackEvent[]> {
  const fresh: StackEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await retryThrottled(() =>
      cfn.send(new DescribeStackEventsCommand({ StackName: stackName, NextToken: nextToken })),
    ).catch((error: Error) => {
      if (/does not exist/.test(error.message ?? "")) return { StackEvents: [] as StackEvent[], NextToken: undefined };
      throw error;
    });
    let reachedKnown = false;
    for (const e of page.StackEvents ?? []) {
      if ((e.Timestamp?.getTime() ?? 0) < since.getTime() || (e.EventId && seen.has(e.EventId))) {
        reachedKnown = true;
        break;
      }
      if (e.EventId) fresh.push(e);
    }
    nextToken = reachedKnown ? undefined : page.NextToken;
  } while (nextToken);
  return fresh.reverse();
}

/** Follows the stack's events from `since` until it leaves every *_IN_PROGRESS state, or the wait's bound. */
async function follow(
  cfn: CloudFormationClient,
  stackName: string,
  since: Date,
  clock: Clock,
  progress: StackProgress,
  options: FollowOptions,
): Promise<FollowResult> {
  const seen = new Set<string>();
  const failures: StackEvent[] = [];
  const causes: string[] = [];
  const began = clock.now();
  // The service's tasks are looked at once the stack has waited a while, and when it failed.
  let diagnosedAt = began;
  for (;;) {
    // The status first, then the events: a stack that finished in between still has its last
    // events (the failure reasons among them) read before we stop.
    const stack = await describeStack(cfn, stackName);
    for (const e of await freshEvents(cfn, stackName, since, seen)) {
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
    const finished = stack === undefined || !IN_PROGRESS.test(stack.StackStatus ?? "");
    const failed = stack !== undefined && /FAILED|ROLLBACK/.test(stack.StackStatus ?? "");
    if (options.diagnose && (finished ? failed : clock.now() - diagnosedAt >= DIAGNOSE_EVERY_MS)) {
      diagnosedAt = clock.now();
      for (const cause of await options.diagnose()) {
        if (causes.includes(cause)) continue;
        causes.push(cause);
        progress.info(`the service's tasks stopped: ${cause}`);
      }
    }
    if (finished) return { stack, failures, causes, timedOut: false };
    if (clock.now() - began >= options.waitMs) return { stack, failures, causes, timedOut: true };
    await clock.sleep(Math.min(options.pollMs, Math.max(0, options.waitMs - (clock.now() - began))));
  }
}

function failureMessage(what: string, result: FollowResult): string {
  const { stack, failures, causes } = result;
  const first = failures[0];
  const cause = first
    ? `first failure: ${first.LogicalResourceId} (${first.ResourceType}): ${first.ResourceStatusReason}`
    : `stack status ${stack?.StackStatus ?? "unknown"}: ${stack?.StackStatusReason ?? "no reason given"}`;
  return `${what} failed; ${cause}${tasksStopped(causes)}`;
}

const tasksStopped = (causes: string[]) =>
  causes.length > 0 ? `; the service's tasks stopped: ${causes.slice(0, 3).join(" | ")}` : "";

/** The wait's bound was reached: CloudFormation goes on, and this says where it stands and why. */
function stillWaiting(stackName: string, result: FollowResult, waitMs: number): FislatError {
  return new FislatError(
    `stack ${stackName} is still ${result.stack?.StackStatus ?? "in progress"} after ${Math.round(waitMs / 60_000)} min; fislat stops waiting and CloudFormation goes on${tasksStopped(result.causes)}. Follow it with: aws cloudformation describe-stack-events --stack-name ${stackName}`,
    EXIT.environment,
  );
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
  /** How long to follow the stack before giving up waiting (default DEFAULT_WAIT_MS). */
  waitMs?: number;
  /** Why the stack is not done yet (the service's stopped tasks). */
  diagnose?: () => Promise<string[]>;
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
  const waitMs = options.waitMs ?? DEFAULT_WAIT_MS;
  const result = await follow(cfn, stackName, new Date(started.getTime() - 1000), clock, progress, {
    pollMs,
    waitMs,
    ...(options.diagnose ? { diagnose: options.diagnose } : {}),
  });
  if (result.timedOut) throw stillWaiting(stackName, result, waitMs);
  const { stack } = result;
  const status = stack?.StackStatus ?? "";
  if (status !== `${type}_COMPLETE`) {
    throw new FislatError(
      failureMessage(`${type === "CREATE" ? "creating" : "updating"} stack ${stackName}`, result),
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
  waitMs = DEFAULT_WAIT_MS,
): Promise<void> {
  const started = clock.wallNow();
  await retryThrottled(() =>
    cfn.send(new DeleteStackCommand({ StackName: stackName, ClientRequestToken: `fislat-${started.getTime()}` })),
  );
  const result = await follow(cfn, stackName, new Date(started.getTime() - 1000), clock, progress, {
    pollMs,
    waitMs,
  });
  if (result.timedOut) throw stillWaiting(stackName, result, waitMs);
  if (result.stack && result.stack.StackStatus !== "DELETE_COMPLETE") {
    throw new FislatError(failureMessage(`deleting stack ${stackName}`, result), EXIT.environment);
  }
}
