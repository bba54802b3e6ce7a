import * as path from 'path';
import workerThreads = require('worker_threads');
import {writeFileAtomic} from './atomicWrite';
import {seal} from './entryCodec';

// Taken at load: while a suite is recorded in band, the recorder replaces
// worker_threads.Worker (a thread started then would count as the suite's).
const {Worker} = workerThreads;
type Worker = InstanceType<typeof Worker>;

/** Writes a store entry file on the calling thread: sealed (see seal), atomically. */
export function writeEntry(file: string, body: string): void {
  writeFileAtomic(file, seal(body));
}

/** Where a store's entry files go: written in place, or handed to a BackgroundWriter. */
export interface EntryFileWriter {
  write(file: string, body: string): void;
}

export const IN_PLACE: EntryFileWriter = {write: writeEntry};

export interface WriteFailure {
  file: string;
  message: string;
}

/** What the writer's thread is sent (see writerThread). */
export type WriterMessage = {kind: 'write'; file: string; body: string} | {kind: 'settle'; id: number};

/**
 * Store entries written off the thread that runs the tests: each is sealed and written
 * atomically (see writeFileAtomic) on a thread of its own, in the order given, so an entry
 * is still written after what it refers to. Posting a message costs the caller a copy of
 * the text; Node's async fs would instead cost an async resource per request, and on
 * Jest 30's test thread every one runs a hook per AsyncLocalStorage jest-circus left
 * enabled (one per suite run so far). The thread starts with the first write; `settle`
 * waits until every write given has landed (or failed). Until then a write may not be
 * readable yet: the store reads it as absent, a miss. If the thread cannot start, writes
 * are made here.
 */
export class BackgroundWriter implements EntryFileWriter {
  #worker: Worker | undefined;
  #broken = false;
  #nextId = 0;
  readonly #settles = new Map<number, (failures: WriteFailure[]) => void>();
  /** Writes given to the current thread since its last settle. */
  #unsettled = 0;

  write(file: string, body: string): void {
    const worker = this.thread();
    if (!worker) return writeEntry(file, body);
    worker.postMessage({kind: 'write', file, body} satisfies WriterMessage);
    this.#unsettled++;
  }

  /** Waits for every write given so far; returns those that failed. */
  async settle(): Promise<WriteFailure[]> {
    const worker = this.#worker;
    if (!worker || this.#unsettled === 0) return [];
    this.#unsettled = 0;
    const id = this.#nextId++;
    worker.ref();
    const failures = await new Promise<WriteFailure[]>(resolve => {
      this.#settles.set(id, resolve);
      worker.postMessage({kind: 'settle', id} satisfies WriterMessage);
    });
    if (this.#settles.size === 0) worker.unref();
    return failures;
  }

  /** Ends the thread after its writes (a later write starts another). */
  async close(): Promise<WriteFailure[]> {
    const failures = await this.settle();
    const worker = this.#worker;
    this.#worker = undefined;
    await worker?.terminate();
    return failures;
  }

  private thread(): Worker | undefined {
    if (this.#worker || this.#broken) return this.#worker;
    let worker: Worker;
    try {
      worker = new Worker(path.join(__dirname, 'writerThread.js'));
    } catch {
      this.#broken = true;
      return undefined;
    }
    worker.on('message', ({id, failures}: {id: number; failures: WriteFailure[]}) => {
      this.#settles.get(id)?.(failures);
      this.#settles.delete(id);
    });
    // A thread that dies takes its unwritten entries with it (those passes simply run
    // again next time); later writes are made here.
    const died = (error: unknown) => {
      if (this.#worker !== worker) return;
      this.#worker = undefined;
      this.#broken = true;
      this.#unsettled = 0;
      const message = error instanceof Error ? error.message : `exited with code ${String(error)}`;
      const failures = [{file: 'the entries given since the last settle', message: `the writer thread ended: ${message}`}];
      for (const resolve of this.#settles.values()) resolve(failures);
      this.#settles.clear();
    };
    worker.on('error', died);
    worker.on('exit', died);
    // Referenced only while settling: an idle writer never keeps Jest's process alive.
    // After the listeners: adding a 'message' listener references the worker again.
    worker.unref();
    this.#worker = worker;
    return worker;
  }
}
