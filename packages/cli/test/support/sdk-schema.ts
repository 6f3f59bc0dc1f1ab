// Requests checked against the SDK's own model: the AWS SDK clients (3.1100+) export each
// operation's schema (`<Operation>$`: [9, namespace, name, traits, input, output]) and each
// structure's (`[3, namespace, name, traits, memberNames, memberSchemas, requiredCount]`, the
// required members first). A request whose top-level members the model does not have, or that
// lacks a required one, is what AWS answers with a validation error: the fakes refuse it too.
import * as cloudformation from "@aws-sdk/client-cloudformation";
import * as logs from "@aws-sdk/client-cloudwatch-logs";
import * as ecs from "@aws-sdk/client-ecs";
import * as ssm from "@aws-sdk/client-ssm";

type Schema = [number, string, string, unknown, string[]?, unknown[]?, number?];

const MODULES: Record<string, Record<string, unknown>> = { cloudformation, ecs, logs, ssm };

/** The problems with every call a mocked client received (aws-sdk-client-mock's record). */
export function callProblems(service: string, calls: { args: unknown[] }[]): string[] {
  return calls.flatMap((call) => {
    const command = call.args[0] as { constructor: { name: string }; input: Record<string, unknown> };
    return requestProblems(service, operationOf(command.constructor.name), command.input);
  });
}

/** What the SDK's model says is wrong with a request to `service`'s `operation`; empty when nothing. */
export function requestProblems(service: string, operation: string, input: Record<string, unknown>): string[] {
  const module = MODULES[service];
  if (!module) return [];
  const op = module[`${operation}$`] as [number, string, string, unknown, () => Schema] | undefined;
  if (!Array.isArray(op) || op[0] !== 9) return [`${service} ${operation}: no such operation in the SDK's model`];
  const schema = op[4]();
  const members = schema[4] ?? [];
  const required = members.slice(0, schema[6] ?? 0);
  const problems: string[] = [];
  for (const key of Object.keys(input))
    if (input[key] !== undefined && !members.includes(key))
      problems.push(`${service} ${operation}: ${key} is not a member of ${schema[2]}`);
  for (const key of required)
    if (input[key] === undefined) problems.push(`${service} ${operation}: ${key} is required by ${schema[2]}`);
  return problems;
}

/** The SDK command class name (ListTasksCommand) as its operation (ListTasks). */
export const operationOf = (commandName: string) => commandName.replace(/Command$/, "");
