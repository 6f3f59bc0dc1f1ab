// The one error type for expected failures, carrying its exit code; cli.ts turns it into one.

export const EXIT = {
  /** The hypothesis held. */
  passed: 0,
  /** The hypothesis failed. */
  failed: 1,
  /** Bad input: a flag, a file, a value. */
  badInput: 2,
  /** The experiment ran but could not judge the hypothesis (the report says why). */
  inconclusive: 3,
  /** Interrupted; the fault was removed. */
  interrupted: 4,
  /** The fault could not be confirmed removed. */
  faultNotRemoved: 5,
  /**
   * The environment or infrastructure failed (AWS refused, missing resources, a fault that could
   * not start, a report that could not be written, a crash): its own code, so CI can tell it
   * from a run that could not judge.
   */
  environment: 6,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODES_HELP = `Exit codes:
  0  the hypothesis held
  1  the hypothesis failed (the report names each threshold that did not hold)
  2  bad input (nothing was started)
  3  inconclusive: the experiment could not judge the hypothesis (the report says why)
  4  interrupted; the fault was removed
  5  the fault could not be confirmed removed
  6  an environment or infrastructure error (AWS refused, a resource missing, a report not written)`;

export class FislatError extends Error {
  override readonly name = "FislatError";
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
  }
}

export const badInput = (message: string) => new FislatError(message, EXIT.badInput);
