import type {Test, TestContext} from '@jest/test-result';
import * as path from 'path';
import {Worker} from 'worker_threads';
import type {ActionKey} from '../key/actionKey';
import type {CompiledLines, ContentKey, ObservedSources} from '../key/contentKey';
import {isObservableSource} from '../key/observableSource';
import {resolveFromJest} from '../jestModules';
import type {Answer, Kept, Reply, Request, WorkerSetup} from './messages';

type Job = Extract<Request, {id: number}>;

/** A test to key, with its action key. */
export interface StageTwoTest {
  test: Test;
  action: ActionKey;
}

/**
 * Stage 2 of the key (see contentKey.ts) on a thread of its own. Bundling, compiling and
 * hashing cost about what the suites' runs cost; on the main thread of an in-band run they
 * would take its time from the tests (and every promise there pays for each AsyncLocalStorage
 * Jest 30's jest-circus leaves enabled). The thread is started by the first job and ended
 * by release() once its jobs are done (its heap then goes back while the suites run) or by
 * close(). A thread that fails rejects its jobs: stage 2 only adds hits, so the tests then
 * simply run.
 */
export class StageTwo {
  #worker: Worker | undefined;
  #failure: Error | undefined;
  #nextId = 0;
  /** Set by release(): the thread ends when its last job settles. */
  #released = false;
  readonly #pending = new Map<number, {take(answer: Answer): void; resolve(): void; reject(error: Error): void}>();
  readonly #projects = new Map<TestContext, number>();
  /** Per project, the files whose hash (and what was kept for them) the current thread was sent. */
  readonly #sent = new Map<TestContext, Set<string>>();

  /** Stage 2 for one project: hashes from `hasher` (stage 1's), what it makes kept in `tables`. */
  forProject(context: TestContext, hasher: {hash(file: string): string | null}, tables: KeptTables): ProjectStageTwo {
    return new ProjectStageTwo(this, context, hasher, tables);
  }

  /**
   * Sends one job (introducing its project first); `take` is given each part of the thread's
   * answer as it comes, and the promise settles after the last.
   */
  run(context: TestContext, job: Omit<Job, 'id' | 'project'>, take: (answer: Answer) => void): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const worker = this.#failure ? undefined : this.thread();
      if (!worker) return reject(this.#failure!);
      this.#released = false;
      let project = this.#projects.get(context);
      const id = this.#nextId++;
      try {
        if (project === undefined) {
          project = this.#projects.size;
          worker.postMessage({
            kind: 'project',
            project,
            // As JSON: an in-band run's config may hold a function (in `globals`, say), which
            // a thread cannot be sent; what the resolver reads is plain data.
            config: JSON.parse(JSON.stringify(context.config)) as unknown,
            moduleMap: context.moduleMap.toJSON(),
          } satisfies Request);
          this.#projects.set(context, project);
        }
        worker.postMessage({...job, id, project} as Job);
      } catch (error) {
        return reject(error as Error);
      }
      // Referenced while a job is out: an idle thread never keeps Jest's process alive.
      if (this.#pending.size === 0) worker.ref();
      this.#pending.set(id, {take, resolve, reject});
    });
  }

  /**
   * No more jobs are planned: the thread ends as soon as it has none (now, or when the last
   * settles). A later job starts a new one, which is introduced to the projects again.
   */
  release(): void {
    this.#released = true;
    if (this.#pending.size === 0) void this.endThread();
  }

  /** The files of a project the current thread holds the hash of (a new thread holds none). */
  sentTo(context: TestContext): Set<string> {
    let sent = this.#sent.get(context);
    if (!sent) this.#sent.set(context, (sent = new Set()));
    return sent;
  }

  /** Ends the thread; jobs still out are rejected. */
  async close(): Promise<void> {
    const ending = this.endThread();
    this.fail(new Error('stage 2 ended with the run'));
    await ending;
  }

  private async endThread(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    this.#projects.clear();
    this.#sent.clear();
    await worker?.terminate();
  }

  private thread(): Worker {
    if (this.#worker) return this.#worker;
    // The jest-runtime and jest-haste-map of the running Jest, as jest-runner resolves them.
    const jestRunner = resolveFromJest('jest-runner');
    const setup: WorkerSetup = {
      jestRuntime: require.resolve('jest-runtime', {paths: [jestRunner]}),
      jestHasteMap: require.resolve('jest-haste-map', {paths: [jestRunner]}),
    };
    const worker = new Worker(path.join(__dirname, 'worker.js'), {workerData: setup});
    worker.unref();
    worker.on('message', (reply: Reply) => {
      const pending = this.#pending.get(reply.id);
      if (!pending) return;
      let error = 'error' in reply ? new Error(reply.error) : undefined;
      if (!error) {
        try {
          pending.take(reply as Answer);
        } catch (thrown) {
          error = thrown as Error;
        }
      }
      if (!error && (reply as Answer).partial) return;
      this.#pending.delete(reply.id);
      if (this.#pending.size === 0) {
        if (this.#released) void this.endThread();
        else worker.unref();
      }
      if (error) pending.reject(error);
      else pending.resolve();
    });
    // Only the current thread's end is a failure: one ended by endThread is no longer it.
    worker.on('error', error => {
      if (this.#worker === worker) this.fail(error);
    });
    worker.on('exit', code => {
      if (this.#worker === worker) this.fail(new Error(`the stage-2 thread exited (code ${code})`));
    });
    this.#worker = worker;
    return worker;
  }

  private fail(error: Error): void {
    this.#failure ??= error;
    for (const {reject} of this.#pending.values()) reject(error);
    this.#pending.clear();
  }
}

/** The machine-local tables of what stage 2 keeps across runs (see Kept). */
export interface KeptTables {
  compiled?: CompiledLines;
  observed?: ObservedSources;
}

/** One project's stage 2: jobs carry the hashes stage 1 saw and what earlier runs kept; what a job made is kept. */
export class ProjectStageTwo {
  constructor(
    private readonly stageTwo: StageTwo,
    private readonly context: TestContext,
    private readonly hasher: {hash(file: string): string | null},
    private readonly tables: KeptTables,
  ) {}

  /** Module keys (see moduleKey), by test path. */
  async moduleKeys(tests: StageTwoTest[]): Promise<Map<string, string>> {
    const keys = await this.job('module', tests);
    return new Map([...keys].flatMap(([file, key]) => ('key' in key ? [[file, key.key] as const] : [])));
  }

  /** Content keys (see contentKeys), by test path; `onKeys` is given each bundled chunk's as they come. */
  contentKeys(tests: StageTwoTest[], onKeys?: (keys: Map<string, ContentKey>) => void): Promise<Map<string, ContentKey>> {
    return this.job('content', tests, onKeys);
  }

  private async job(
    kind: Job['kind'],
    tests: StageTwoTest[],
    onKeys?: (keys: Map<string, ContentKey>) => void,
  ): Promise<Map<string, ContentKey>> {
    const hashes: [string, string | null][] = [];
    const kept: Kept = {compiled: [], observed: []};
    const sent = this.stageTwo.sentTo(this.context);
    for (const {action} of tests) {
      for (const file of action.closure) {
        // The thread keeps what it was sent for the run.
        if (sent.has(file)) continue;
        sent.add(file);
        const hash = this.hasher.hash(file);
        hashes.push([file, hash]);
        const line = this.tables.compiled?.map.get(file);
        if (line && line[0] === hash) kept.compiled.push([file, line]);
        const source = this.tables.observed?.map.get(file);
        if (source && source[0] === hash && isObservableSource(source[1])) kept.observed.push([file, source]);
      }
    }
    const all = new Map<string, ContentKey>();
    const take = (answer: Answer) => {
      for (const [file, line] of answer.made.compiled) this.tables.compiled?.set(file, line);
      for (const [file, source] of answer.made.observed) this.tables.observed?.set(file, source);
      for (const [test, key] of answer.keys) all.set(test, key);
      if (answer.keys.length > 0) onKeys?.(new Map(answer.keys));
    };
    const requests = tests.map(({test, action}) => ({
      path: test.path,
      closure: action.closure,
      outsideGraph: action.outsideGraph,
      packages: action.packages,
    }));
    await this.stageTwo.run(this.context, {kind, requests, hashes, kept}, take);
    return all;
  }
}
