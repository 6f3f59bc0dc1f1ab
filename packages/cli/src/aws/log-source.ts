// The probe's lines from CloudWatch Logs, as `aws logs tail --follow` reads them but without its
// blind spot: each poll looks back a window (late-ingested lines with older timestamps are not
// missed) and events are de-duplicated by id. The awslogs driver batches for ~5 s and ingestion
// adds more, so the engine waits a grace period after the run before judging.
import {
  type CloudWatchLogsClient,
  type FilteredLogEvent,
  FilterLogEventsCommand,
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

export function cloudWatchSource(
  logs: CloudWatchLogsClient,
  query: LogQuery,
  options: LogPollerOptions,
): RoundTripSource {
  let follower: ReturnType<typeof followEvents> | undefined;
  return {
    async start(onLine, onError) {
      follower = followEvents(
        logs,
        query,
        options,
        (event) => onLine(parseProbeLine(event.message ?? ""), event.message ?? ""),
        (error) => onError(new Error(`reading CloudWatch Logs ${query.logGroup} failed: ${error.message}`)),
      );
    },
    async stop(graceMs) {
      // Lines of the last seconds are still being batched and ingested: keep reading a while.
      if (graceMs > 0) await options.clock.sleep(graceMs);
      await follower?.stop(graceMs > 0);
    },
  };
}
