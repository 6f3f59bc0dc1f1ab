// What the shared models of AWS (fis-model.ts, ecs-model.ts, logs-model.ts) have in common, for
// the two transports over them (simulated-aws.ts, fake-aws-http.ts) to serve them alike.

/** An error as an AWS service answers it: its name is the exception's, its status the HTTP one. */
export class ModelError extends Error {
  constructor(
    name: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = name;
  }
}

/** A model's operations by API name, each answering its request: what a transport dispatches to. */
export type Operations = Record<string, (input: never) => unknown>;
