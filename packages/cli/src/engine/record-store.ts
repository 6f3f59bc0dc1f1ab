// The round trips read so far, column by column: typed arrays of 32 bytes a record (48 with
// CloudWatch's times, plus 8 to 16 for the de-duplication table) instead of one object of about
// 3 KB, so 840,000 request records or a 1000-task fleet fit in a few tens of MB. Duplicates (a
// line delivered twice) are found by an open-addressing hash over the columns. The records
// themselves are kept as objects only up to a limit (the JSON report lists them); past it only an
// evenly thinned sample of the failed ones is kept.
import { ERROR_KINDS, type ErrorKind, type RoundTripRecord } from "@fislat/probe/record";
import type { LineMeta } from "./evidence.js";

/** Records kept as objects (and listed in the JSON report) up to this many. */
export const HOLD_LIMIT = 10_000;
/** Failed records kept as objects once the limit is passed. */
export const FAILURE_SAMPLE_SIZE = 1000;

/** `outcome` column: 0 for a success, else 1 + the index of the error kind in ERROR_KINDS. */
export const OK_OUTCOME = 0;
const TIMEOUT_OUTCOME = 1 + ERROR_KINDS.indexOf("timeout");
const CONNECT_TIMEOUT_OUTCOME = 1 + ERROR_KINDS.indexOf("connect_timeout");
const OTHER_OUTCOME = 1 + ERROR_KINDS.indexOf("other");

export const outcomeCode = (r: Pick<RoundTripRecord, "ok" | "errorKind">): number => {
  if (r.ok) return OK_OUTCOME;
  const k = r.errorKind === undefined ? -1 : ERROR_KINDS.indexOf(r.errorKind);
  return k < 0 ? OTHER_OUTCOME : 1 + k;
};
export const isTimeoutOutcome = (o: number) => o === TIMEOUT_OUTCOME || o === CONNECT_TIMEOUT_OUTCOME;
export const errorKindOf = (o: number): ErrorKind | undefined => (o === OK_OUTCOME ? undefined : ERROR_KINDS[o - 1]);

/** `flags` column bits. */
export const FLAG_NEW_CONNECTION = 2;
/** Bits 2-3: the line's `healthy` (0: absent, 1: false, 2: true). */
const HEALTHY_SHIFT = 2;
export const healthyOf = (flags: number): boolean | undefined => {
  const h = (flags >> HEALTHY_SHIFT) & 3;
  return h === 0 ? undefined : h === 2;
};

const grow = <T extends Float64Array | Uint32Array | Uint16Array | Uint8Array>(a: T, size: number): T => {
  const next = new (a.constructor as new (n: number) => T)(size);
  next.set(a);
  return next;
};

export class RoundTripStore {
  length = 0;
  /** Epoch ms: when the round trip started (its `ts`). */
  start = new Float64Array(1024);
  rtt = new Float64Array(1024);
  seq = new Float64Array(1024);
  outcome = new Uint8Array(1024);
  flags = new Uint8Array(1024);
  /** Index into `tasks`. */
  task = new Uint32Array(1024);
  /** Index into `sources`: 0 is "loop", the probe's own schedule (the run's round trips). */
  src = new Uint16Array(1024);
  /** The HTTP status the round trip was answered with (0: none, or not known). */
  status = new Uint16Array(1024);
  /** CloudWatch's event timestamp and ingestion time (NaN: not known); allocated at the first meta. */
  metaTimestamp: Float64Array | undefined;
  metaIngestion: Float64Array | undefined;
  /** The distinct `task` strings, in the order first seen. */
  readonly tasks: string[] = [];
  private readonly taskIndex = new Map<string, number>();
  /** The distinct `src` strings ("loop", "test", ...). */
  readonly sources: string[] = ["loop"];
  private readonly sourceIndex = new Map<string, number>([["loop", 0]]);
  private slots = new Int32Array(4096);
  /** The records as objects, by index, while there are at most `holdLimit`. */
  private held: RoundTripRecord[] | undefined = [];
  private sample: RoundTripRecord[] = [];
  private sampleStride = 1;
  private failures = 0;

  constructor(readonly holdLimit = HOLD_LIMIT) {}

  /** Whether record `i` is one of the loop's (the round trips a run judges), not an on-demand one. */
  isLoop(i: number): boolean {
    return this.src[i] === 0;
  }

  /** Whether every record is still kept as an object. */
  get holdsAll(): boolean {
    return this.held !== undefined;
  }

  /** The record at `i` as an object, while every record is held. */
  record(i: number): RoundTripRecord | undefined {
    return this.held?.[i];
  }

  /** Failed records, in the order read: all of them up to FAILURE_SAMPLE_SIZE, else an evenly spread sample (the first always). */
  failureSample(): RoundTripRecord[] {
    return this.sample;
  }

  /** Adds a record; returns its index, or -1 if the same round trip was already read. */
  add(r: RoundTripRecord, meta?: LineMeta): number {
    const start = Date.parse(r.ts);
    const src = this.sourceId(r.src);
    const taskId = this.taskId(r.task);
    const slot = this.find(taskId, src, r.seq, start);
    if ((this.slots[slot] as number) !== 0) return -1;
    const i = this.length;
    if (i === this.start.length) this.resize(i * 2);
    this.start[i] = start;
    this.rtt[i] = r.rttMs;
    this.seq[i] = r.seq;
    this.outcome[i] = outcomeCode(r);
    const healthy = (r as { healthy?: unknown }).healthy;
    this.src[i] = src;
    this.status[i] = r.httpStatus ?? 0;
    this.flags[i] =
      (r.conn === "new" ? FLAG_NEW_CONNECTION : 0) |
      ((healthy === true ? 2 : healthy === false ? 1 : 0) << HEALTHY_SHIFT);
    this.task[i] = taskId;
    if (meta && (meta.timestamp !== undefined || meta.ingestionTime !== undefined)) {
      if (!this.metaTimestamp || !this.metaIngestion) {
        this.metaTimestamp = new Float64Array(this.start.length).fill(Number.NaN);
        this.metaIngestion = new Float64Array(this.start.length).fill(Number.NaN);
      }
      this.metaTimestamp[i] = meta.timestamp ?? Number.NaN;
      this.metaIngestion[i] = meta.ingestionTime ?? Number.NaN;
    }
    this.slots[slot] = i + 1;
    this.length = i + 1;
    if (this.length * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    if (this.held) {
      if (this.length <= this.holdLimit) this.held.push(r);
      else this.held = undefined;
    }
    if (!r.ok) this.keepFailure(r);
    return i;
  }

  private keepFailure(r: RoundTripRecord): void {
    // Every stride-th failure; when the sample is full, every other one is dropped and the stride
    // doubles, so the sample stays spread evenly over the whole run.
    const n = this.failures++;
    if (n % this.sampleStride !== 0) return;
    if (this.sample.length >= FAILURE_SAMPLE_SIZE) {
      this.sample = this.sample.filter((_, k) => k % 2 === 0);
      this.sampleStride *= 2;
      if (n % this.sampleStride !== 0) return;
    }
    this.sample.push(r);
  }

  private taskId(task: string): number {
    let id = this.taskIndex.get(task);
    if (id === undefined) {
      id = this.tasks.length;
      this.tasks.push(task);
      this.taskIndex.set(task, id);
    }
    return id;
  }

  private sourceId(src: string): number {
    let id = this.sourceIndex.get(src);
    if (id === undefined) {
      id = this.sources.length;
      this.sources.push(src);
      this.sourceIndex.set(src, id);
    }
    return id;
  }

  private hash(task: number, src: number, seq: number, start: number): number {
    let h = Math.imul(task + 1, 0x9e3779b1) ^ Math.imul(src, 0x5bd1e995);
    h = Math.imul(h ^ (seq | 0), 0x85ebca6b);
    h = Math.imul(h ^ ((start % 0x7fffffff) | 0), 0xc2b2ae35);
    return (h ^ (h >>> 15)) >>> 0;
  }

  /** The slot holding this round trip, or the empty slot where it would go. */
  private find(task: number, src: number, seq: number, start: number): number {
    const mask = this.slots.length - 1;
    let s = this.hash(task, src, seq, start) & mask;
    for (;;) {
      const v = this.slots[s] as number;
      if (v === 0) return s;
      const j = v - 1;
      if (this.task[j] === task && this.seq[j] === seq && this.start[j] === start && this.src[j] === src) return s;
      s = (s + 1) & mask;
    }
  }

  private rehash(size: number): void {
    this.slots = new Int32Array(size);
    const mask = size - 1;
    for (let i = 0; i < this.length; i++) {
      let s =
        this.hash(this.task[i] as number, this.src[i] as number, this.seq[i] as number, this.start[i] as number) & mask;
      while ((this.slots[s] as number) !== 0) s = (s + 1) & mask;
      this.slots[s] = i + 1;
    }
  }

  private resize(size: number): void {
    this.start = grow(this.start, size);
    this.rtt = grow(this.rtt, size);
    this.seq = grow(this.seq, size);
    this.outcome = grow(this.outcome, size);
    this.flags = grow(this.flags, size);
    this.task = grow(this.task, size);
    this.src = grow(this.src, size);
    this.status = grow(this.status, size);
    if (this.metaTimestamp) this.metaTimestamp = grow(this.metaTimestamp, size).fill(Number.NaN, this.length);
    if (this.metaIngestion) this.metaIngestion = grow(this.metaIngestion, size).fill(Number.NaN, this.length);
  }
}
