// What one round trip is, whatever it calls: DynamoDB (dynamo.ts) or the user's service over
// HTTP (http-target.ts). The probe's loop, /test and health see only this.
import type { Classified } from "./classify.js";

export interface RoundTripResult {
  ok: boolean;
  rttMs: number;
  conn: "new" | "reused";
  attempts?: number;
  /** HTTP mode: the status of the last answer, ok or not. */
  httpStatus?: number;
  error?: Classified;
}

export interface RoundTripper {
  /** What the record's `op`, `table` and `url` say about every round trip of this kind. */
  readonly describe: { op: string; table: string; url?: string };
  /** Loads and resolves everything a first round trip needs, without touching the network. */
  warmUp(): Promise<void>;
  roundTrip(): Promise<RoundTripResult>;
  /** Ends every connection and the round trip in flight, at once. */
  destroy(): void;
}
