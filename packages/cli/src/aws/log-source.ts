// The probe's lines from CloudWatch Logs: Live Tail where it works, else polling as
// `aws logs tail --follow` does but without its blind spot (each poll looks back a window, so
// late-ingested lines with older timestamps are not missed; events are de-duplicated). The awslogs
// driver batches for ~5 s and ingestion adds more, so the engine waits a grace period before judging.
import {
  type CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  type FilteredLogEvent,
  FilterLogEventsCommand,
  StartLiveTailCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { parseProbeLine } from "@fislat/probe/record";
import type { Clock, RoundTripSource } from "../engine/ports.js";
import { retryThrottled } from "./retry.js";

/** Round trips, health changes and missed ticks; nothing else the probe writes. */
export const PROBE_FILTER_PATTERN = '?"Round trip" ?"Health changed" ?"Tick missed"';

export interface LogQuery {
  logGroup: string;
  /** Exact stream names (at most 100), or none for the whole group. */
  streams?: string[];
  filterPattern?: string;
}

export interface LogPollerOptions {
  clock: Clock;
  /** Epoch ms: nothing older is read. */
  since: number;
  pollMs?: number;
  lookbackMs?: number;
  /** Consecutive failed polls before the source gives up (each already retried when throttled). */
  maxFailures?: number;
}

/** Reads every event of the query once, oldest first, page by page until no nextToken is left. */
export async function* filterEvents(
  logs: CloudWatchLogsClient,
  query: LogQuery,
  startTime: number,
  endTime?: number,
): AsyncGenerator<FilteredLogEvent> {
  let nextToken: string | undefined;
  do {
    const page = await retryThrottled(() =>
      logs.send(
        new FilterLogEventsCommand({
          logGroupName: query.logGroup,
          ...(query.streams && query.streams.length > 0 ? { logStreamNames: query.streams } : {}),
          filterPattern: query.filterPattern ?? PROBE_FILTER_PATTERN,
          startTime,
          ...(endTime === undefined ? {} : { endTime }),
          nextToken,
        }),
      ),
    );
    for (const event of page.events ?? []) yield event;
    // A page may be empty and still carry a token: only its absence means the end.
    nextToken = page.nextToken;
  } while (nextToken);
}

/** Follows a query: calls `onEvent` once per event id, forever, until `stop()`. */
export function followEvents(
  logs: CloudWatchLogsClient,
  query: LogQuery,
  options: LogPollerOptions,
  onEvent: (event: FilteredLogEvent) => void,
  onError: (error: Error) => void,
) {
  const pollMs = options.pollMs ?? 2000;
  const lookbackMs = options.lookbackMs ?? 60_000;
  const maxFailures = options.maxFailures ?? 5;
  const seen = new Map<string, number>();
  let newest = options.since;
  let stopped = false;
  let failures = 0;
  const wake = new AbortController();

  const poll = async () => {
    const from = Math.max(options.since, newest - lookbackMs);
    for await (const event of filterEvents(logs, query, from)) {
      const id = event.eventId ?? `${event.logStreamName}/${event.timestamp}/${event.message}`;
      if (seen.has(id)) continue;
      seen.set(id, event.timestamp ?? 0);
      newest = Math.max(newest, event.timestamp ?? 0);
      onEvent(event);
    }
    // Forget ids too old to be read again.
    for (const [id, ts] of seen) if (ts < from - lookbackMs) seen.delete(id);
  };

  const loop = (async () => {
    while (!stopped) {
      try {
        await poll();
        failures = 0;
      } catch (error) {
        failures += 1;
        if (failures >= maxFailures) {
          onError(error instanceof Error ? error : new Error(String(error)));
          return;
        }
      }
      await options.clock.sleep(pollMs, wake.signal);
    }
  })();

  return {
    /** Polls once more (for lines still arriving), then stops. */
    async stop(finalPoll: boolean): Promise<void> {
      stopped = true;
      wake.abort();
      await loop;
      if (finalPoll) await poll().catch(() => undefined);
    },
  };
}

export interface SourceOptions extends LogPollerOptions {
  /** Try CloudWatch Logs Live Tail for live progress (default true); polling otherwise. */
  liveTail?: boolean;
  /** Told when Live Tail is not used, and why. */
  note?: (message: string) => void;
}

const eventKey = (e: { logStreamName?: string; timestamp?: number; message?: string }) =>
  `${e.logStreamName}|${e.timestamp}|${e.message}`;

/**
 * The probe's lines for the engine. Live: Live Tail where it works (pushed every second), else
 * FilterLogEvents polling. Complete: when the run ends, after the grace period, one sweep of
 * FilterLogEvents over the whole run, so Live Tail's sampling or a dropped update loses nothing.
 * Events are delivered once each, whichever way they came.
 */
export function cloudWatchSource(logs: CloudWatchLogsClient, query: LogQuery, options: SourceOptions): RoundTripSource {
  const seen = new Set<string>();
  let deliver: (event: { logStreamName?: string; timestamp?: number; message?: string }) => void = () => {};
  let follower: ReturnType<typeof followEvents> | undefined;
  let live: { stop(): Promise<void> } | undefined;
  let failed: ((error: Error) => void) | undefined;

  const poll = () => {
    follower = followEvents(logs, query, options, deliver, (error) =>
      failed?.(new Error(`reading CloudWatch Logs ${query.logGroup} failed: ${error.message}`)),
    );
  };

  return {
    async start(onLine, onError) {
      failed = onError;
      deliver = (event) => {
        const key = eventKey(event);
        if (seen.has(key)) return;
        seen.add(key);
        onLine(parseProbeLine(event.message ?? ""), event.message ?? "");
      };
      if (options.liveTail === false) return poll();
      try {
        live = await startLiveTail(logs, query, deliver, (error) => {
          options.note?.(`Live Tail ended (${error.message}); polling FilterLogEvents instead`);
          live = undefined;
          poll();
        });
        // Lines written before the session started come from one backfill.
        for await (const event of filterEvents(logs, query, options.since)) deliver(event);
      } catch (error) {
        options.note?.(`Live Tail is not available (${(error as Error).message}); polling FilterLogEvents`);
        live = undefined;
        poll();
      }
    },
    async stop(graceMs) {
      // Lines of the last seconds are still being batched and ingested: keep reading a while.
      if (graceMs > 0) await options.clock.sleep(graceMs);
      await live?.stop();
      await follower?.stop(false);
      if (graceMs > 0) {
        for await (const event of filterEvents(logs, query, options.since)) deliver(event);
      }
    },
  };
}

/** Starts a Live Tail session on the query; resolves once the session is open. */
async function startLiveTail(
  logs: CloudWatchLogsClient,
  query: LogQuery,
  onEvent: (event: { logStreamName?: string; timestamp?: number; message?: string }) => void,
  onEnd: (error: Error) => void,
): Promise<{ stop(): Promise<void> }> {
  // Live Tail names log groups by ARN, without the trailing ":*" DescribeLogGroups' `arn` has.
  const groups = await retryThrottled(() =>
    logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: query.logGroup })),
  );
  const arn = groups.logGroups?.find((g) => g.logGroupName === query.logGroup)?.logGroupArn;
  if (!arn) throw new Error(`no ARN for log group ${query.logGroup}`);
  const abort = new AbortController();
  const response = await logs.send(
    new StartLiveTailCommand({
      logGroupIdentifiers: [arn],
      ...(query.streams && query.streams.length > 0 ? { logStreamNames: query.streams } : {}),
      logEventFilterPattern: query.filterPattern ?? PROBE_FILTER_PATTERN,
    }),
    { abortSignal: abort.signal },
  );
  const stream = response.responseStream;
  if (!stream) throw new Error("StartLiveTail returned no stream");
  let stopping = false;
  const reading = (async () => {
    try {
      for await (const item of stream) {
        if (stopping) break;
        for (const event of item.sessionUpdate?.sessionResults ?? []) onEvent(event);
      }
      if (!stopping) onEnd(new Error("the session closed"));
    } catch (error) {
      // Thrown from the stream: SessionTimeoutException after 3 hours, SessionStreamingException.
      if (!stopping)
        onEnd(error instanceof Error ? error : new Error(String((error as { name?: string })?.name ?? error)));
    }
  })();
  return {
    async stop() {
      stopping = true;
      abort.abort();
      await reading;
    },
  };
}
