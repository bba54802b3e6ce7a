import {writeFileAtomicLater} from './atomicWrite';

/**
 * At most this many writes are out at once: each holds a file descriptor until it lands,
 * and a test running in the same process must not run short of them. Node's thread pool
 * has four threads.
 */
const IN_FLIGHT = 4;

/**
 * Atomic writes (see writeFileAtomic) done on Node's thread pool, a few at a time, in the
 * order they were begun. A write that fails is dropped. Counts and callbacks, not a promise
 * per write: in a test thread, Jest 30's async hooks take their toll of every promise made.
 */
export class LaterWrites {
  private readonly queued: [file: string, data: string][] = [];
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];

  write(file: string, data: string): void {
    this.queued.push([file, data]);
    this.next();
  }

  /** Resolves once every write begun so far, and any begun meanwhile, has landed or failed. */
  settle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise(resolve => this.waiting.push(resolve));
  }

  private next(): void {
    while (this.inFlight < IN_FLIGHT && this.queued.length > 0) {
      const [file, data] = this.queued.shift()!;
      this.inFlight++;
      writeFileAtomicLater(file, data, () => {
        this.inFlight--;
        this.next();
        if (this.inFlight === 0) for (const resolve of this.waiting.splice(0)) resolve();
      });
    }
  }
}
