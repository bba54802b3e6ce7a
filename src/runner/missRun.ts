import type {Test, TestEvents, TestResult} from '@jest/test-result';
import type {Config} from '@jest/types';
import type {TestRunnerContext, TestRunnerOptions} from 'jest-runner';
import type {TestWatcher} from 'jest-watcher';
import type {CurrentInputs} from '../key/runtimeInputs';
import {requireFromJest} from '../jestModules';
import type {RecordingSession} from '../runtime/recordingSession';
import type {LocalStore} from '../store/localStore';
import type {PlannedTest} from './projectKeys';
import {recordingFor} from './recordingFor';
import type {RemoteCache} from './remoteCache';
import {storePass} from './storePass';
import {noteFresh} from './verification';

type JestRunnerCtor = new (
  globalConfig: Config.GlobalConfig,
  context: TestRunnerContext,
) => {
  runTests(tests: Test[], watcher: TestWatcher, options: TestRunnerOptions): Promise<void>;
  on<E extends keyof TestEvents>(event: E, listener: (data: TestEvents[E]) => unknown): () => void;
};

/** A listener Jest subscribed to the caching runner, for an event of the inner runner. */
export interface Subscription {
  event: keyof TestEvents;
  listener: (data: unknown) => unknown;
}

/** How the suites that must run are run, and where their passes go. */
export interface MissRunSetup {
  globalConfig: Config.GlobalConfig;
  context: TestRunnerContext;
  /** Jest's listeners: the inner runner's events reach them directly, unchanged. */
  subscriptions: Subscription[];
  /** The run's tests whose fresh pass may be stored (none when the mode does not write). */
  storable: ReadonlySet<PlannedTest>;
  storeFor: (config: Config.ProjectConfig) => LocalStore;
  current: CurrentInputs;
  remote: RemoteCache | undefined;
}

/**
 * Jest's own runner (jest-runner + jest-circus) for the suites that must run, over one or
 * more batches of one run: an in-band run hands it each batch as soon as its keys are
 * known. Suites whose pass may be stored run with the recorder of their runtime inputs,
 * and each pass is stored as its suite finishes; `end` ends the recording session.
 */
export class MissRun {
  #inner: InstanceType<JestRunnerCtor> | undefined;
  #session: RecordingSession | undefined;
  readonly #unsubscribes: (() => void)[] = [];
  readonly #planned = new Map<Test, PlannedTest>();

  constructor(private readonly setup: MissRunSetup) {}

  async run(misses: PlannedTest[], watcher: TestWatcher, options: TestRunnerOptions): Promise<void> {
    for (const p of misses) this.#planned.set(p.test, p);
    const {storable, storeFor} = this.setup;
    // One session a run, covering every project whose passes the run may store.
    this.#session ??= misses.some(p => storable.has(p)) ? recordingFor([...storable], storeFor) : undefined;
    await this.inner().runTests(
      misses.map(p => p.test),
      watcher,
      options,
    );
  }

  private inner(): InstanceType<JestRunnerCtor> {
    if (this.#inner) return this.#inner;
    const JestRunner = requireFromJest<{default: JestRunnerCtor}>('jest-runner').default;
    const inner = new JestRunner(this.setup.globalConfig, this.setup.context);
    // Registered before Jest's listeners, which emittery calls in order: the result is
    // copied before a reporter deletes its `console`.
    this.#unsubscribes.push(
      inner.on('test-file-success', ([test, result]) => {
        const p = this.#planned.get(test);
        if (p?.check) noteFresh(p.check, result);
        if (this.#session && p && this.setup.storable.has(p)) this.store(p, result, this.#session);
      }),
      inner.on('test-file-failure', ([test]) => {
        const p = this.#planned.get(test);
        if (p?.check) noteFresh(p.check, undefined);
      }),
      ...this.setup.subscriptions.map(({event, listener}) => inner.on(event, listener)),
    );
    this.#inner = inner;
    return inner;
  }

  /**
   * Stores a pass from a copy of its result: storing detaches source maps, and Jest's
   * reporters, called after this listener, delete its `console`. A pass that cannot be
   * stored says why in its outcome; it never fails the run.
   */
  private store(p: PlannedTest, result: TestResult, session: RecordingSession): void {
    try {
      const copy = JSON.parse(JSON.stringify(result)) as TestResult;
      const {current, storeFor, remote} = this.setup;
      storePass(p, copy, session.read(p.test), current, storeFor(p.test.context.config), remote);
    } catch (error) {
      p.outcome.reason = `not stored: ${(error as Error).message}`;
    }
  }

  /** Ends the recording session: no pass is stored after it. */
  end(): void {
    for (const unsubscribe of this.#unsubscribes) unsubscribe();
    this.#session?.end();
  }
}
