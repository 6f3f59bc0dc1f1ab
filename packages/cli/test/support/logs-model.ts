// One model of CloudWatch Logs for every test, shared as FIS's is (fis-model.ts) by the in-process
// simulation (simulated-aws.ts) and the HTTP fake (fake-aws-http.ts), on the clock it is given: the
// probe's log group, each event visible from its ingestion time, a stream existing from its first.
// As the API reference documents: a FilterLogEvents page holds at most 1 MB or `limit` (at most
// 10,000) events and may be empty with a nextToken; at most 100 stream names, never names and a
// prefix (InvalidParameterException); a group or stream that does not exist: ResourceNotFoundException.
import type { FilterLogEventsRequest, StartLiveTailRequest } from "@aws-sdk/client-cloudwatch-logs";
import { ACCOUNT, CONTAINER, REGION } from "./ecs-model.js";
import { ModelError } from "./model.js";

export const LOG_GROUP = "/ecs/dynamodb-latency-test";
export const LOG_GROUP_ARN = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${LOG_GROUP}`;
/** The probe's streams: the task definition's awslogs-stream-prefix (ecs), its container, the task id. */
export const STREAM_PREFIX = `ecs/${CONTAINER}`;
export const streamOf = (id: string) => `${STREAM_PREFIX}/${id}`;

/** A FilterLogEvents page holds at most 1 MB (26 bytes of overhead per event) or 10,000 events. */
const PAGE_BYTES = 1_048_576;
const EVENT_OVERHEAD = 26;
const PAGE_EVENTS = 10_000;

export interface LogEvent {
  eventId: string;
  timestamp: number;
  message: string;
  logStreamName: string;
  ingestionTime: number;
}

export interface LogsModelOptions {
  /** The awslogs driver sends what was written at the next multiple of this (default: each line at once). */
  batchMs?: number;
  /** After the driver's send, lines take this long to be ingested (default 0). */
  ingestionDelayMs?: number;
  /** The log group exists (default true). */
  logGroupExists?: boolean;
  /** FilterLogEvents returns every event twice, as overlapping polls do. */
  duplicateEvents?: boolean;
  /** Each FilterLogEvents query answers this many empty pages (with a nextToken) before its events. */
  emptyPagesFirst?: number;
  /** StartLiveTail is refused: the account's concurrent Live Tail sessions quota is reached. */
  liveTailQuotaReached?: boolean;
}

type Query = { streams?: string[]; prefixes?: string[]; from?: number; to?: number };

const invalid = (message: string) => new ModelError("InvalidParameterException", message);

/** CloudWatch Logs' one log group, on a clock the caller gives (virtual or real milliseconds). */
export class LogsModel {
  /** Every event sent, in timestamp order once `sort` has run. */
  private readonly events: LogEvent[] = [];
  /** Per stream, when CloudWatch first ingested an event to it: the stream exists from then on. */
  private readonly streamCreated = new Map<string, number>();
  private sorted = true;

  constructor(
    private readonly options: LogsModelOptions,
    private readonly now: () => number,
  ) {}

  /** The driver sends a line written at `writtenAt` (its `timestamp` is the task's clock, which may be ahead). */
  put(logStreamName: string, eventId: string, timestamp: number, writtenAt: number, message: string): void {
    const batch = this.options.batchMs ?? 0;
    const sent = batch > 0 ? Math.ceil((writtenAt + 1) / batch) * batch : writtenAt;
    const ingestionTime = sent + (this.options.ingestionDelayMs ?? 0);
    const last = this.events.at(-1);
    if (last && last.timestamp > timestamp) this.sorted = false;
    this.events.push({ eventId, timestamp, message, logStreamName, ingestionTime });
    if (!((this.streamCreated.get(logStreamName) ?? Number.POSITIVE_INFINITY) <= ingestionTime))
      this.streamCreated.set(logStreamName, ingestionTime);
  }

  /** CloudWatch Logs' operations by API name, each answering its request: what both transports dispatch to. */
  readonly operations = {
    DescribeLogGroups: (input: { logGroupNamePrefix?: string }) => {
      const exists = this.options.logGroupExists !== false && LOG_GROUP.startsWith(input.logGroupNamePrefix ?? "");
      return {
        logGroups: exists ? [{ logGroupName: LOG_GROUP, logGroupArn: LOG_GROUP_ARN, arn: `${LOG_GROUP_ARN}:*` }] : [],
      };
    },
    FilterLogEvents: (input: FilterLogEventsRequest) => {
      this.group(input.logGroupName ?? input.logGroupIdentifier);
      const names = input.logStreamNames;
      if (names && names.length > 100) throw invalid("logStreamNames: at most 100");
      if (names && input.logStreamNamePrefix) throw invalid("logStreamNames and logStreamNamePrefix: one or the other");
      const limit = input.limit ?? PAGE_EVENTS;
      if (limit < 1 || limit > PAGE_EVENTS) throw invalid(`limit: 1 to ${PAGE_EVENTS}`);
      if ((names ?? []).some((s) => (this.streamCreated.get(s) ?? Number.POSITIVE_INFINITY) > this.now()))
        throw new ModelError("ResourceNotFoundException", "The specified log stream does not exist.");
      const prefix = input.logStreamNamePrefix;
      const all = this.visible({
        streams: names,
        prefixes: prefix ? [prefix] : undefined,
        from: input.startTime,
        to: input.endTime,
      });
      // A page may be empty and still carry a token: "e<n>" tokens before the events.
      const empties = this.options.emptyPagesFirst ?? 0;
      const skipped = /^e(\d+)$/.exec(input.nextToken ?? "");
      const emptiesSoFar = input.nextToken === undefined ? 0 : skipped ? Number(skipped[1]) : empties;
      if (emptiesSoFar < empties) return { events: [], nextToken: `e${emptiesSoFar + 1}` };
      // Then pages of `limit` events or 1 MB, the token the offset of the next.
      const offset = skipped ? 0 : Number(input.nextToken ?? 0);
      let bytes = 0;
      let end = offset;
      while (end < all.length && end - offset < limit) {
        bytes += (all[end]?.message.length ?? 0) + EVENT_OVERHEAD;
        if (bytes > PAGE_BYTES) break;
        end += 1;
      }
      const events = all.slice(offset, end);
      return {
        events: this.options.duplicateEvents ? [...events, ...events] : events,
        ...(end < all.length ? { nextToken: String(end) } : {}),
      };
    },
  };

  /**
   * StartLiveTail's checks (the quota, the groups, streams named or prefixed, not both), then the
   * session's updates: each one the session's events ingested after `since`, up to now.
   */
  startLiveTail(input: StartLiveTailRequest) {
    if (this.options.liveTailQuotaReached)
      throw new ModelError(
        "LimitExceededException",
        "You have reached the maximum number of resources that can be created.",
      );
    for (const group of input.logGroupIdentifiers ?? []) this.group(group);
    if (input.logStreamNames && input.logStreamNamePrefixes)
      throw invalid("logStreamNames and logStreamNamePrefixes: one or the other");
    const session = { streams: input.logStreamNames, prefixes: input.logStreamNamePrefixes };
    return (since: number) => ({
      sessionMetadata: { sampled: false },
      sessionResults: this.visible(session)
        .filter((e) => e.ingestionTime > since)
        .map((e) => ({ ...e, logGroupIdentifier: LOG_GROUP_ARN })),
    });
  }

  /** The events ingested by now, of the named streams or prefixes, with timestamps in [from, to]. */
  private visible(query: Query): LogEvent[] {
    const now = this.now();
    const names = query.streams ? new Set(query.streams) : undefined;
    if (!this.sorted) {
      this.events.sort((a, b) => a.timestamp - b.timestamp || a.ingestionTime - b.ingestionTime);
      this.sorted = true;
    }
    // Binary search for the first event at or after `from`.
    let lo = 0;
    let hi = this.events.length;
    const from = query.from ?? Number.NEGATIVE_INFINITY;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.events[mid]?.timestamp ?? 0) < from) lo = mid + 1;
      else hi = mid;
    }
    const out: LogEvent[] = [];
    for (let i = lo; i < this.events.length; i++) {
      const e = this.events[i] as LogEvent;
      if (query.to !== undefined && e.timestamp > query.to) break;
      if (
        e.ingestionTime <= now &&
        (!names || names.has(e.logStreamName)) &&
        (!query.prefixes || query.prefixes.some((p) => e.logStreamName.startsWith(p)))
      )
        out.push(e);
    }
    return out;
  }

  /** The log group, by name or ARN (with or without its trailing :*), or ResourceNotFoundException. */
  private group(identifier: string | undefined): void {
    const known = [LOG_GROUP, LOG_GROUP_ARN, `${LOG_GROUP_ARN}:*`];
    if (this.options.logGroupExists === false || !known.includes(identifier ?? ""))
      throw new ModelError("ResourceNotFoundException", "The specified log group does not exist.");
  }
}
