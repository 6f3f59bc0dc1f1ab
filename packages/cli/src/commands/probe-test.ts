// fislat test: one on-demand round trip through the probe's /test (through the load balancer),
// printed for a person. Exit 0 when the round trip succeeded, 1 when the probe reported it failed,
// 3 when the probe could not be reached.
import type { RoundTripRecord } from "@fislat/probe/record";
import { type CommandContext, lineWriter } from "../context.js";
import { badInput, EXIT, type ExitCode, FislatError } from "../errors.js";
import { getFailure, type HttpAnswer, httpGet } from "../local/http-get.js";

export interface ProbeTestFlags {
  url?: string;
  healthUrl?: string;
}

export async function probeTestCommand(ctx: CommandContext, flags: ProbeTestFlags): Promise<ExitCode> {
  const say = lineWriter(ctx.stdout);
  const url = flags.url ?? flags.healthUrl?.replace(/\/health$/, "/test");
  if (!url)
    throw badInput(
      "--url http://<load balancer>/test is required (fislat deploy writes healthUrl to fislat.config.json)",
    );
  let response: HttpAnswer;
  try {
    response = await httpGet(url, AbortSignal.timeout(60_000), { text: true });
  } catch (error) {
    throw new FislatError(`could not reach ${url}: ${getFailure(error)}`, EXIT.environment);
  }
  const text = response.text ?? "";
  let body: Partial<RoundTripRecord> & { error?: string };
  try {
    body = JSON.parse(text);
  } catch {
    throw new FislatError(
      `${url} answered ${response.status} with something that is not the probe's JSON: ${text.slice(0, 200)}`,
      EXIT.environment,
    );
  }
  if (response.status === 429)
    throw new FislatError(`the probe is busy: ${body.error ?? "too many /test calls"}`, EXIT.environment);
  const where = [
    // The probe's HTTP mode requests a URL (TARGET_URL) instead of reading a table.
    body.url
      ? `${body.op} ${body.url}${body.httpStatus === undefined ? "" : `, HTTP ${body.httpStatus}`}`
      : body.op && body.table
        ? `${body.op} on ${body.table}`
        : "",
    body.task ? `task ${body.task.split("/").at(-1)}` : "",
    body.conn ? `${body.conn} connection` : "",
  ]
    .filter(Boolean)
    .join(", ");
  if (response.status === 200 && body.ok) {
    say(`ok in ${body.rttMs?.toFixed(1)} ms (${where})`);
    return EXIT.passed;
  }
  if (response.status === 500 && body.ok === false) {
    say(`${body.errorKind} after ${body.rttMs?.toFixed(1)} ms (${where}): ${body.error}`);
    return EXIT.failed;
  }
  throw new FislatError(`${url} answered ${response.status}: ${text.slice(0, 200)}`, EXIT.environment);
}
