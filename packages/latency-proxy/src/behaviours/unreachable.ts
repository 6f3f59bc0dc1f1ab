// DynamoDB unreachable (packet loss 100%, as AWS Resilience Hub's dependency test does it): the
// proxy accepts no one, so a new connection hangs until the client's connect timeout; on a
// connection already open nothing the client sends arrives and nothing comes back, so the client's
// read timeout fires. Held bytes go on when the fault ends (TCP would retransmit them).
import type { BehaviourKind } from "../behaviour.js";

export interface UnreachableSpec {
  kind: "unreachable";
}

export const unreachable: BehaviourKind<UnreachableSpec> = {
  validate: () => [],
  create() {
    let held = 0;
    return {
      accepts: false,
      effectName: "chunks dropped",
      effects: () => held,
      link: () => ({
        fromClient(chunk) {
          held += 1;
          return [{ forward: chunk, delayMs: Number.POSITIVE_INFINITY }];
        },
      }),
    };
  },
};
