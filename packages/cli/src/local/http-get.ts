// One GET for a readiness check or a /health poll, through undici's request() rather than fetch():
// fetch refuses the ports the Fetch standard calls "bad" (6000, 6665-6669, 10080, ...), for
// browsers' sake, so an app listening on one of them was never seen as ready. A person's own
// service may listen anywhere.
import { request } from "undici";

export interface HttpAnswer {
  status: number;
  /** The body as text, read only when asked (a readiness check or a /health poll has no use for it). */
  text?: string;
}

export async function httpGet(url: string, signal: AbortSignal, options: { text?: boolean } = {}): Promise<HttpAnswer> {
  const response = await request(url, { method: "GET", signal });
  if (options.text) return { status: response.statusCode, text: await response.body.text() };
  // The body is drained, not left to hold the connection.
  await response.body.dump();
  return { status: response.statusCode };
}

/** Why a GET failed, in a word a person can act on: the network code (ECONNREFUSED), else the message. */
export function getFailure(error: unknown): string {
  const e = error as { code?: string; cause?: { code?: string; message?: string }; message?: string };
  return e.code ?? e.cause?.code ?? e.cause?.message ?? e.message ?? String(error);
}
