// The probe's lines from CloudWatch Logs: Live Tail where it works, else polling as
// `aws logs tail --follow` does but without its blind spot (each poll looks back a window, so
// late-ingested lines with older timestamps are not missed; events are de-duplicated). The awslogs
// driver batches for ~5 s and ingestion adds more, so after the run the source waits for each
// task's last expected line, up to a bound, and says when the bound was reached.
//
// API quotas (CloudWatch Logs, per account per Region, shared with everything else in the account):
// FilterLogEvents allows 5 transactions per second, a hard limit
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch_limits_cwl.html;
// https://repost.aws/knowledge-center/cloudwatch-logs-throttling). One poll asks for every task's
// stream in one call (at most 100 names per call, else one stream-name prefix and a client-side
// filter), pages are fetched no faster than MIN_CALL_SPACING_MS apart, and polls come every 2 s:
// the call rate depends on the lines per poll, not on the number of tasks (pnpm bench fleet
// measures it for 1, 10 and 100 tasks). Live Tail, the default, is one session per run whatever
// the number of tasks: concurrent Live Tail sessions are limited per account (same quotas page),
// and a session carries at most 500 events a second before it samples (StartLiveTail API reference)
// -- 100 tasks at one round trip a second is 100 a second; the sweep at the end fills any gap.
import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  type FilteredLogEvent,
  FilterLogEventsCommand,
  StartLiveTailCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { parseProbeLine } from "@fislat/probe/record";
import type { LineMeta, SourceReport } from "../engine/evidence.js";
import type { Clock, RoundTripSource } from "../engine/ports.js";
import { tagAwsErrors } from "./aws-errors.js";
import { describeQuotaError, stopRetriesOnQuota } from "./quota-errors.js";
import { retryThrottled } from "./retry.js";

/** Round trips, health changes and missed ticks; nothing else the probe writes. */
export const PROBE_FILTER_PATTERN = '?"Round trip" ?"Health changed" ?"Tick missed"';

export interface LogQuery {
  logGroup: string;
  /** Exact stream names, or none for the whole group. */
  streams?: string[];
  filterPattern?: string;
}

/**
 * The client for the tasks' logs: they are in the task definition's awslogs-region, which need not
 * be the region fislat runs in. `dispose` closes a client made here (and nothing else).
 */
export async function logsClientIn(
  base: CloudWatchLogsClient,
  region: string | undefined,
): Promise<{ logs: CloudWatchLogsClient; dispose(): void }> {
  if (!region || region === (await base.config.region())) return { logs: base, dispose: () => {} };
  // The same profile as the run's clients (--profile), in the tasks' region.
  const profile = (base.config as { profile?: string }).profile;
  const logs = stopRetriesOnQuota(
    tagAwsErrors(new CloudWatchLogsClient(profile ? { region, profile } : { region }), profile),
  );
  return { logs, dispose: () => logs.destroy() };
}

/** FilterLogEvents takes at most 100 stream names per call (API reference, `logStreamNames`). */
export const MAX_STREAMS_PER_CALL = 100;
/** At most 4 FilterLogEvents calls a second from one source, under the account's 5 per second. */
export const MIN_CALL_SPACING_MS = 250;

function commonPrefix(names: string[]): string {
  let prefix = names[0] ?? "";
  for (const n of names) while (!n.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}

const isNotFound = (error: unknown) => (error as { name?: string })?.name === "ResourceNotFoundException";

export interface LogPollerOptions {
  clock: Clock;
  /** Epoch ms: nothing older is read. */
  since: number;
  pollMs?: number;
  lookbackMs?: number;
  /** Consecutive failed polls before the source gives up (each already retried when throttled). */
  maxFailures?: number;
  /** Spaces FilterLogEvents calls (see `pacer`). */
  pace?: () => Promise<void>;
}

/** Spaces calls at least `ms` apart on `clock`; shared by one source's follower and sweeps. */
export function pacer(clock: Clock, ms = MIN_CALL_SPACING_MS): () => Promise<void> {
  let next = Number.NEGATIVE_INFINITY;
  return async () => {
    const wait = next - clock.now();
    next = Math.max(clock.now(), next) + ms;
    if (wait > 0) await clock.sleep(wait);
  };
}

type FilterRequest = ConstructorParameters<typeof FilterLogEventsCommand>[0];

async function* pages(
  logs: CloudWatchLogsClient,
  request: FilterRequest,
  pace?: () => Promise<void>,
): AsyncGenerator<FilteredLogEvent> {
  let nextToken: string | undefined;
  do {
    await pace?.();
    const page = await retryThrottled(() => logs.send(new FilterLogEventsCommand({ ...request, nextToken })));
    yield* page.events ?? [];
    // A page may be empty and still carry a token: only its absence means the end.
    nextToken = page.nextToken;
  } while (nextToken);
}

/**
 * Reads every event of the query once, oldest first, page by page until no nextToken is left.
 * More than 100 streams: one call with their common name prefix, filtered here. A named stream
 * that does not exist yet (a task that has not logged) is no error: its lines are not there yet,
 * so the streams are asked for by prefix instead, which never fails for a missing stream.
 */
export async function* filterEvents(
  logs: CloudWatchLogsClient,
  query: LogQuery,
  startTime: number,
  endTime?: number,
  pace?: () => Promise<void>,
): AsyncGenerator<FilteredLogEvent> {
  const base: FilterRequest = {
    logGroupName: query.logGroup,
    filterPattern: query.filterPattern ?? PROBE_FILTER_PATTERN,
    startTime,
    ...(endTime === undefined ? {} : { endTime }),
  };
  const streams = query.streams ?? [];
  if (streams.length === 0) {
    yield* pages(logs, base, pace);
    return;
  }
  const prefix = commonPrefix(streams);
  const wanted = new Set(streams);
  async function* byPrefix() {
    for await (const e of pages(logs, { ...base, logStreamNamePrefix: prefix }, pace))
      if (wanted.has(e.logStreamName ?? "")) yield e;
  }
  if (streams.length > MAX_STREAMS_PER_CALL) {
    if (prefix) yield* byPrefix();
    else
      for (let i = 0; i < streams.length; i += MAX_STREAMS_PER_CALL)
        yield* filterEvents(
          logs,
          { ...query, streams: streams.slice(i, i + MAX_STREAMS_PER_CALL) },
          startTime,
          endTime,
          pace,
        );
    return;
  }
  try {
    yield* pages(logs, { ...base, logStreamNames: streams }, pace);
  } catch (error) {
    if (!isNotFound(error)) throw error;
    if (prefix) yield* byPrefix();
  }
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
    for await (const event of filterEvents(logs, query, from, undefined, options.pace)) {
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
  /** The probe's loop interval: how many lines each task should still write by the end of the run. */
  intervalMs?: number;
}

type LogEvent = { logStreamName?: string; timestamp?: number; message?: string; ingestionTime?: number };

const eventKey = (e: LogEvent) => `${e.logStreamName}|${e.timestamp}|${e.message}`;

/** Per stream: the newest loop round trip read, and how early ingestion ever was (clock skew). */
interface StreamProgress {
  lastSeq: number;
  lastTs: number;
  minIngestionDelay: number;
  lines: number;
}

export interface CloudWatchSource extends RoundTripSource {
  /** Streams from which at least one round-trip line has been read. */
  streamsWithLines(): Set<string>;
  /** Follows one more stream (a replacement task's). */
  addStream(stream: string): void;
  /** A task that stopped writes no more lines: its last line is not waited for. */
  streamEnded(stream: string): void;
}

/**
 * The probe's lines for the engine. Live: Live Tail where it works (pushed every second), else
 * FilterLogEvents polling. Complete: when the run ends, it waits for each stream's last expected
 * line (up to `graceMs`, the bound), then sweeps FilterLogEvents over the whole run once, so Live
 * Tail's sampling or a dropped update loses nothing. Events are delivered once each, whichever way
 * they came, with their timestamp and ingestion time.
 */
export function cloudWatchSource(
  logs: CloudWatchLogsClient,
  query: LogQuery,
  options: SourceOptions,
): CloudWatchSource {
  const seen = new Set<string>();
  const progress = new Map<string, StreamProgress>();
  const ended = new Set<string>();
  const pace = options.pace ?? pacer(options.clock);
  const polling = { ...options, pace };
  let deliver: (event: LogEvent) => void = () => {};
  let follower: ReturnType<typeof followEvents> | undefined;
  let live: { stop(): Promise<void> } | undefined;
  let failed: ((error: Error) => void) | undefined;
  let restarting: Promise<void> = Promise.resolve();
  let stopped = false;
  const liveEnded = (error: Error) => {
    options.note?.(`Live Tail ended (${error.message}); polling FilterLogEvents instead`);
    live = undefined;
    poll();
  };
  /** A session whose end matters only while it is the current one (not once it was replaced). */
  const openSession = async () => {
    const session: { stop(): Promise<void> } = await startLiveTail(logs, query, deliver, (error) => {
      if (live === session) liveEnded(error);
    });
    return session;
  };
  /** A new session on the streams followed now, then the lines the old one could not see. */
  const restartLiveTail = async () => {
    const old = live;
    if (!old || stopped) return;
    try {
      live = await openSession();
      await old.stop();
      if (stopped) return;
      // Lines the new stream wrote before its session opened: one backfill.
      for await (const event of filterEvents(logs, query, options.since, undefined, pace)) deliver(event);
    } catch (error) {
      await old.stop();
      if (live === old) liveEnded(error instanceof Error ? error : new Error(String(error)));
    }
  };

  const poll = () => {
    follower = followEvents(logs, query, polling, deliver, (error) =>
      failed?.(new Error(`reading CloudWatch Logs ${query.logGroup} failed: ${error.message}`)),
    );
  };
  const track = (event: LogEvent, line: ReturnType<typeof parseProbeLine>) => {
    if (line.type !== "round-trip" || line.record.src !== "loop" || !event.logStreamName) return;
    const p = progress.get(event.logStreamName) ?? {
      lastSeq: Number.NEGATIVE_INFINITY,
      lastTs: 0,
      minIngestionDelay: Number.POSITIVE_INFINITY,
      lines: 0,
    };
    p.lines += 1;
    if (line.record.seq > p.lastSeq) {
      p.lastSeq = line.record.seq;
      p.lastTs = Date.parse(line.record.ts);
    }
    if (event.ingestionTime !== undefined && event.timestamp !== undefined)
      p.minIngestionDelay = Math.min(p.minIngestionDelay, event.ingestionTime - event.timestamp);
    progress.set(event.logStreamName, p);
  };
  /** Streams whose last expected line (by `until`, AWS's time) has not been read. */
  const short = (until: number): string[] => {
    const interval = options.intervalMs;
    if (!interval) return [];
    return [...progress].flatMap(([stream, p]) => {
      if (ended.has(stream)) return [];
      // A task clock ahead of AWS's (ingested "before" written) writes timestamps that much later.
      const ahead = Math.max(0, -p.minIngestionDelay);
      // The round trip in flight at the end is not expected: it may never finish.
      const expected = p.lastSeq + Math.floor((until + ahead - p.lastTs) / interval) - 1;
      return p.lastSeq >= expected ? [] : [stream];
    });
  };

  return {
    streamsWithLines: () => new Set(progress.keys()),
    addStream(stream) {
      if (!query.streams || query.streams.includes(stream)) return;
      query.streams.push(stream);
      // A Live Tail session's streams are fixed when it starts (StartLiveTail API reference):
      // a replacement task is followed live only by a new session that names its stream too.
      if (live) restarting = restarting.then(restartLiveTail, restartLiveTail);
    },
    streamEnded(stream) {
      ended.add(stream);
    },
    async start(onLine, onError) {
      failed = onError;
      deliver = (event) => {
        const key = eventKey(event);
        if (seen.has(key)) return;
        seen.add(key);
        const line = parseProbeLine(event.message ?? "");
        track(event, line);
        const meta: LineMeta = {};
        if (event.logStreamName) meta.stream = event.logStreamName;
        if (event.timestamp !== undefined) meta.timestamp = event.timestamp;
        if (event.ingestionTime !== undefined) meta.ingestionTime = event.ingestionTime;
        onLine(line, event.message ?? "", meta);
      };
      if (options.liveTail === false) return poll();
      try {
        live = await openSession();
        // Lines written before the session started come from one backfill.
        for await (const event of filterEvents(logs, query, options.since, undefined, pace)) deliver(event);
      } catch (error) {
        const why = describeQuotaError(error) ?? (error as Error).message;
        options.note?.(`Live Tail is not available (${why}); polling FilterLogEvents`);
        live = undefined;
        poll();
      }
    },
    async stop(graceMs): Promise<SourceReport | undefined> {
      let report: SourceReport | undefined;
      if (graceMs > 0) {
        // Lines of the last seconds are still being batched and ingested: wait for each stream's
        // last expected line, up to the bound.
        const until = options.clock.wallNow().getTime();
        const began = options.clock.now();
        const waitMs = Math.min(options.pollMs ?? 2000, 5000);
        while (short(until).length > 0 && options.clock.now() - began < graceMs) await options.clock.sleep(waitMs);
        const missing = short(until);
        report = { lateLineBoundMs: graceMs, waitedMs: options.clock.now() - began };
        if (missing.length > 0) report.boundReachedFor = missing.map((s) => s.split("/").at(-1) ?? s);
      }
      stopped = true;
      await restarting;
      await live?.stop();
      await follower?.stop(false);
      if (graceMs > 0) {
        for await (const event of filterEvents(logs, query, options.since, undefined, pace)) deliver(event);
      }
      return report;
    },
  };
}

/** Starts a Live Tail session on the query; resolves once the session is open. */
async function startLiveTail(
  logs: CloudWatchLogsClient,
  query: LogQuery,
  onEvent: (event: LogEvent) => void,
  onEnd: (error: Error) => void,
): Promise<{ stop(): Promise<void> }> {
  // Live Tail names log groups by ARN, without the trailing ":*" DescribeLogGroups' `arn` has.
  const groups = await retryThrottled(() =>
    logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: query.logGroup })),
  );
  const arn = groups.logGroups?.find((g) => g.logGroupName === query.logGroup)?.logGroupArn;
  if (!arn) throw new Error(`no ARN for log group ${query.logGroup}`);
  const abort = new AbortController();
  // A fleet's streams are named by their common prefix past 100 names (as FilterLogEvents takes
  // them), and the session's events filtered here.
  const streams = query.streams ?? [];
  const byPrefix = streams.length > MAX_STREAMS_PER_CALL && commonPrefix(streams) !== "";
  const wanted = new Set(streams);
  const response = await logs.send(
    new StartLiveTailCommand({
      logGroupIdentifiers: [arn],
      ...(byPrefix
        ? { logStreamNamePrefixes: [commonPrefix(streams)] }
        : streams.length > 0
          ? { logStreamNames: [...streams] }
          : {}),
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
        for (const event of item.sessionUpdate?.sessionResults ?? [])
          if (!byPrefix || wanted.has(event.logStreamName ?? "")) onEvent(event);
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
