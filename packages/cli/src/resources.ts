// The one cleanup owner of a command: every resource (process, port, proxy, fault, template) is
// registered the moment it is created and released in reverse order, on success, failure and
// signal alike. Releasing never throws: what could not be released is returned, to be reported.
// Once released it is empty and can hold again: a sweep's levels each start and release their
// own world through the one owner of the command.

export interface ReleaseFailure {
  name: string;
  error: string;
  /** The resource was an injected fault: failing to release it means exit 5. */
  fault: boolean;
}

export class Resources {
  private readonly held: { name: string; release: () => unknown; fault: boolean }[] = [];
  private releasing: Promise<ReleaseFailure[]> | undefined;
  current: string | undefined;

  add(name: string, release: () => unknown, options: { fault?: boolean } = {}): void {
    this.held.push({ name, release, fault: options.fault ?? false });
  }

  /** What is still held, newest first: what a second Ctrl-C is told we are waiting for. */
  pending(): string[] {
    return this.held.map((r) => r.name).reverse();
  }

  /**
   * Releases everything held, newest first. A call while a release is under way joins it (a
   * second Ctrl-C must not release twice); one after it has ended releases what was added since.
   */
  releaseAll(): Promise<ReleaseFailure[]> {
    if (this.releasing) return this.releasing;
    const releasing = this.release();
    this.releasing = releasing;
    // Registered before any caller's await on it: a caller that awaited this release and calls
    // again starts a new one.
    void releasing.then(() => {
      if (this.releasing === releasing) this.releasing = undefined;
    });
    return releasing;
  }

  private async release(): Promise<ReleaseFailure[]> {
    const failures: ReleaseFailure[] = [];
    while (this.held.length > 0) {
      const { name, release, fault } = this.held.pop() as (typeof this.held)[number];
      this.current = name;
      try {
        await release();
      } catch (error) {
        failures.push({ name, error: error instanceof Error ? error.message : String(error), fault });
      }
    }
    this.current = undefined;
    return failures;
  }
}
