/**
 * Waiting on a running jest's output: `wake` (called on every output chunk and on exit)
 * re-checks each pending `waitFor`.
 */
export class OutputWaiters {
  private readonly waiters = new Set<() => void>();

  constructor(private readonly process: {exited(): boolean; output(): string}) {}

  wake(): void {
    for (const waiter of this.waiters) waiter();
  }

  /** Resolves once `predicate` holds; rejects after `timeoutMs` or if jest exits first. */
  waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (error?: Error) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        if (error) reject(error);
        else resolve();
      };
      const check = () => {
        if (predicate()) done();
        else if (this.process.exited()) done(new Error(`jest exited while waiting for ${what}:\n${this.process.output()}`));
      };
      const timer = setTimeout(
        () => done(new Error(`timed out after ${timeoutMs} ms waiting for ${what}:\n${this.process.output()}`)),
        timeoutMs,
      );
      this.waiters.add(check);
      check();
    });
  }
}
