import type {Test, TestContext, TestEvents} from '@jest/test-result';
import type {Config} from '@jest/types';
import Emittery from 'emittery';
import type {TestRunnerContext, TestRunnerOptions} from 'jest-runner';
import type {TestWatcher} from 'jest-watcher';
import {FileHasher} from '../key/fileHasher';
import {relativePath} from '../key/keyLines';
import {CurrentInputs} from '../key/runtimeInputs';
import {canWrite, OptionError, resolveOptions, type RunnerOptions} from '../options';
import {RunReport} from '../report/runReport';
import {StageTwo} from '../stageTwo/stageTwo';
import {replaySuite, reportersWantTestCases} from '../replay/replaySuite';
import {attachSourceMaps} from '../replay/sourceMaps';
import type {LocalStore} from '../store/localStore';
import type {MissRun, Subscription} from './missRun';
import {ProjectKeys, type PlannedTest, type RunTables} from './projectKeys';
import {RemoteCache} from './remoteCache';
import {RunStores} from './runStores';
import {runBypassReason} from './storePolicy';
import {storeUnderContentKeys} from './storePass';
import {Verification} from './verification';
import {checkReportPath} from './watchedFolders';

type Events = TestEvents;

/**
 * The runner Jest loads. Keys every test file, replays stored passes, hands the rest to
 * Jest's own runner (forwarding its events unchanged) and stores the new clean passes.
 */
export class CachingRunner {
  readonly supportsEventEmitters = true;
  readonly isSerial = false;
  readonly #emitter = new Emittery<Events>();
  readonly #subscriptions = new Set<Subscription>();
  readonly #options: RunnerOptions;
  /** Jest makes a runner per run: the remote's state (a fault, its uploads) is this run's. */
  readonly #remote: RemoteCache | undefined;

  constructor(
    private readonly globalConfig: Config.GlobalConfig,
    private readonly context: TestRunnerContext,
    runnerOptions?: Record<string, unknown>,
  ) {
    this.#options = resolveOptions(runnerOptions);
    this.#remote = RemoteCache.create(this.#options.remote);
  }

  /**
   * Jest subscribes before runTests. Replays are emitted here; the inner runner's events
   * reach the same listeners directly (see MissRun), with no second emitter between.
   */
  on<E extends keyof Events>(event: E, listener: (data: Events[E]) => void | Promise<void>) {
    const subscription: Subscription = {event, listener: listener as Subscription['listener']};
    this.#subscriptions.add(subscription);
    const off = this.#emitter.on(event, listener);
    return () => {
      off();
      this.#subscriptions.delete(subscription);
    };
  }

  async runTests(tests: Test[], watcher: TestWatcher, options: TestRunnerOptions): Promise<void> {
    const report = new RunReport();
    if (this.#options.report) checkReportPath(this.#options.report, tests, this.globalConfig);
    const stores = new RunStores(this.#options, tests[0]?.context.config);
    const {storeFor, tables} = stores;
    const current = new CurrentInputs(new FileHasher(stores.hashes, true));
    const verification = new Verification(this.#options, storeFor);
    // Unreferenced while idle: a run that ends by an error leaves nothing that holds Jest open.
    const stageTwo = new StageTwo();

    const projects = new Map<TestContext, ProjectKeys>();
    const planned = await report.time('actionKeysMs', () =>
      this.planActionKeys(tests, projects, current, tables, storeFor, verification, stageTwo),
    );
    if (this.#remote) {
      // Where the local store is read (not in write mode, nor for a distrusted project).
      const misses = planned.filter(p => p.key && !p.hit && verification.lookIn(storeFor(p.test.context.config)));
      const keepIn = canWrite(this.#options.mode) ? storeFor : undefined;
      await report.time('remoteMs', () => this.#remote!.lookUp(misses, current, keepIn));
    }
    // Stage 1 is done: from here on suites are replayed or run, and may create files.
    current.hasher.testsStart();
    // Made for the first suite that must run: a run that replays everything never loads it.
    let run: MissRun | undefined;
    const missRun = async () =>
      (run ??= new (await import('./missRun')).MissRun({
        globalConfig: this.globalConfig,
        context: this.context,
        subscriptions: [...this.#subscriptions],
        storable: new Set(canWrite(this.#options.mode) ? planned.filter(p => p.key) : []),
        storeFor,
        current,
        remote: this.#remote,
      }));
    // A batch of tests whose keys are known: the would-be hits chosen for a check run anyway,
    // the hits are replayed (they take milliseconds, and a reporter shows them at once), the
    // rest run.
    const settle = async (batch: PlannedTest[]) => {
      verification.choose(batch);
      await report.time('replayMs', () => this.replayHits(batch, watcher, storeFor));
      const misses = batch.filter(p => !p.hit);
      if (misses.length > 0 && !watcher.isInterrupted()) await (await missRun()).run(misses, watcher, options);
    };
    // In band, the suites run on this thread while stage 2 keys the others on its own, so each
    // batch is settled as soon as it is known. Jest's parallel runner takes one list of tests.
    let settling = Promise.resolve();
    const settled = (batch: PlannedTest[]) => {
      if (!options.serial || batch.length === 0) return;
      settling = settling.then(() => settle(batch));
      settling.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
    };
    let inRun: Promise<void>[] = [];
    try {
      inRun = await report.time('contentKeysMs', () =>
        this.planContentKeys(planned, projects, current, storeFor, verification, settled),
      );
      // The in-run keys are stage 2's last jobs: its thread's heap goes back once they are done.
      void Promise.allSettled(inRun).then(() => stageTwo.release());
      await (options.serial ? settling : settle(planned));
    } finally {
      await settling.catch(() => undefined);
      run?.end();
      await Promise.all(inRun);
      await stores.settleWrites();
      await report.time('remoteMs', () => this.#remote?.finish());
    }
    await verification.conclude(planned, p => projects.get(p.test.context)!.stageTwoKeysOf(p));
    await stageTwo.close();
    for (const p of planned) report.add(p.outcome);
    stores.maintain(planned, canWrite(this.#options.mode));
    this.finish(report);
  }

  /** Stage 1 for every test file: its action key, and a lookup where the mode reads. */
  private async planActionKeys(
    tests: Test[],
    projects: Map<TestContext, ProjectKeys>,
    current: CurrentInputs,
    tables: RunTables,
    storeFor: (config: Config.ProjectConfig) => LocalStore,
    verification: Verification,
    stageTwo: StageTwo,
  ): Promise<PlannedTest[]> {
    const runBypass =
      this.#options.mode === 'off' ? 'cache mode is off' : runBypassReason(this.globalConfig);
    const planned: PlannedTest[] = [];
    for (const test of tests) {
      const bypass = (reason: string) => {
        const relative = relativePath(test.context.config.rootDir, test.path);
        planned.push({test, outcome: {path: relative, outcome: 'bypass', reason}});
      };
      if (runBypass) {
        bypass(runBypass);
        continue;
      }
      // When in doubt, run: a test that cannot be keyed is run, never failed by the cache.
      try {
        let project = projects.get(test.context);
        if (!project) {
          project = await ProjectKeys.create(
            test.context,
            current,
            tables,
            this.globalConfig,
            this.#options,
            this.context,
            stageTwo,
          );
          projects.set(test.context, project);
        }
        const store = storeFor(test.context.config);
        planned.push(
          project.plan(
            test,
            verification.lookIn(store),
            canWrite(this.#options.mode) ? store : undefined,
          ),
        );
      } catch (error) {
        if (error instanceof OptionError) throw error;
        bypass(`cannot compute its key: ${(error as Error).message}`);
      }
    }
    return planned;
  }

  /**
   * Stage 2 for the stage-1 misses, bundled per project (see contentKeys). Where no
   * content key can hit (the store holds no entry at all, or the mode does not read), keys
   * are only wanted for storing: those are computed while the tests run (bundling takes another
   * core), and the returned promises store the passes that finished first under them.
   * `settled` is given every test once, as soon as its fate (replay or run) is known.
   */
  private async planContentKeys(
    planned: PlannedTest[],
    projects: Map<TestContext, ProjectKeys>,
    current: CurrentInputs,
    storeFor: (config: Config.ProjectConfig) => LocalStore,
    verification: Verification,
    settled: (tests: PlannedTest[]) => void,
  ): Promise<Promise<void>[]> {
    const inRun: Promise<void>[] = [];
    const beforeRun: (() => Promise<void>)[] = [];
    const keying = new Set<PlannedTest>();
    for (const [context, project] of projects) {
      const misses = planned.filter(p => p.key && !p.hit && p.test.context === context);
      if (misses.length === 0) continue;
      const store = storeFor(context.config);
      const read = verification.lookIn(store);
      const write = canWrite(this.#options.mode) ? store : undefined;
      const plan = (lookIn: LocalStore | undefined, whenKnown?: (tests: PlannedTest[]) => void) =>
        project.planContent(misses, lookIn, write, whenKnown).catch((error: Error) => {
          // Stage 2 only adds hits: without it the misses simply run.
          for (const p of misses) p.outcome.reason = `content key failed: ${error.message}`;
        });
      if (write && (!read || store.isEmpty())) {
        inRun.push(plan(undefined).then(() => storeUnderContentKeys(misses, store, current, this.#remote)));
      } else if (read) {
        for (const p of misses) keying.add(p);
        beforeRun.push(() => plan(read, settled));
      }
    }
    settled(planned.filter(p => !keying.has(p)));
    for (const plan of beforeRun) await plan();
    return inRun;
  }

  private async replayHits(
    planned: PlannedTest[],
    watcher: TestWatcher,
    storeFor: (config: Config.ProjectConfig) => LocalStore,
  ): Promise<void> {
    const testCases = reportersWantTestCases(this.globalConfig);
    // One write for the batch's markers: Jest's reporter redraws its status line around
    // every write to stderr, which costs more than a replay.
    const markers: string[] = [];
    for (const p of planned) {
      if (!p.hit) continue;
      if (watcher.isInterrupted()) break;
      if (p.hit.entry.sourceMaps) {
        const store = storeFor(p.test.context.config);
        try {
          attachSourceMaps(p.hit.entry.result, p.hit.entry.sourceMaps, content => store.fileWith(content, 'map'));
        } catch (error) {
          // A read-only store, say: the suite runs instead (misses are taken after replays).
          p.hit = undefined;
          p.outcome = {path: p.outcome.path, outcome: 'ran', reason: `cannot replay: ${(error as Error).message}`};
          continue;
        }
      }
      await replaySuite(this.#emitter, p.test, p.hit.entry, this.globalConfig, testCases);
      markers.push(`(cached) ${p.outcome.path}${p.outcome.remote ? ' (remote)' : ''}\n`);
    }
    if (markers.length > 0) process.stderr.write(markers.join(''));
  }

  private finish(report: RunReport): void {
    if (this.#options.report) {
      try {
        report.write(this.#options.report);
      } catch (error) {
        process.stderr.write(
          `jest-runner-cache: cannot write the report (option "report", env JEST_RUNNER_CACHE_REPORT): ${(error as Error).message}\n`,
        );
      }
    }
    process.stderr.write(`${report.closingLine()}\n`);
  }
}
