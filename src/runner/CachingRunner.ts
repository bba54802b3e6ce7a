import type {Test, TestContext, TestEvents, TestResult} from '@jest/test-result';
import type {Config} from '@jest/types';
import Emittery from 'emittery';
import type {TestRunnerContext, TestRunnerOptions} from 'jest-runner';
import type {TestWatcher} from 'jest-watcher';
import * as fs from 'fs';
import * as path from 'path';
import {FileHasher, sha256, type PersistedFingerprint} from '../key/fileHasher';
import {relativePath} from '../key/keyContext';
import {requireFromJest} from '../jestModules';
import {canWrite, OptionError, resolveOptions, type RunnerOptions} from '../options';
import {RunReport} from '../report/runReport';
import {PersistedTable} from '../store/persistedTable';
import {LocalStore} from '../store/localStore';
import {replaySuite, reportersWantTestCases} from '../replay/replaySuite';
import {attachSourceMaps, detachSourceMaps, type SourceMaps} from '../replay/sourceMaps';
import {ProjectKeys, type PlannedTest, type RunTables} from './projectKeys';
import {runBypassReason, whyNotStored} from './storePolicy';
import type {StoredEntry} from '../store/storedEntry';
import {save} from '../store/twoStep';
import {changedDuringRun, CurrentInputs, inputListOf} from '../key/runtimeInputs';
import {updateManifest} from '../explain/manifest';
import type {Recording} from '../runtime/recording';
import {recordingFor} from './recordingFor';
import {noteFresh, Verification} from './verification';
import {RemoteCache} from './remoteCache';

type Events = TestEvents;
type JestRunnerCtor = new (
  globalConfig: Config.GlobalConfig,
  context: TestRunnerContext,
) => {
  runTests(tests: Test[], watcher: TestWatcher, options: TestRunnerOptions): Promise<void>;
  on<E extends keyof Events>(event: E, listener: (data: Events[E]) => unknown): () => void;
};

const EVENTS: (keyof Events)[] = [
  'test-file-start',
  'test-file-success',
  'test-file-failure',
  'test-case-start',
  'test-case-result',
];

/** The real path of a file or folder that may not exist yet (its deepest existing ancestor resolved). */
function realPath(file: string): string {
  const absolute = path.resolve(file);
  try {
    return fs.realpathSync(absolute);
  } catch {
    const parent = path.dirname(absolute);
    return parent === absolute ? absolute : path.join(realPath(parent), path.basename(absolute));
  }
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(realPath(parent), realPath(child));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Jest watches the project folders, but not its cacheDirectory nor watchPathIgnorePatterns. */
function watchedFolderOf(file: string, config: Config.ProjectConfig): string | undefined {
  if (isInside(file, config.cacheDirectory)) return undefined;
  if (config.watchPathIgnorePatterns.some(pattern => new RegExp(pattern).test(file))) return undefined;
  return [config.rootDir, ...config.roots].find(root => isInside(file, root));
}

/** Each project's pack: the stage entries its test files used this run (see EntryPack). */
function savePacks(planned: PlannedTest[], stores: Map<Config.ProjectConfig, LocalStore>): void {
  for (const [config, store] of stores) {
    const ofProject = planned.filter(p => p.key && p.test.context.config === config);
    if (ofProject.length === 0) continue;
    const {hasteFS} = ofProject[0].test.context;
    store.savePack(
      ofProject.map(p => [p.test.path, p.key!.key]),
      testPath => hasteFS.exists(testPath),
    );
  }
}

/**
 * The runner Jest loads. Keys every test file, replays stored passes, hands the rest to
 * Jest's own runner (forwarding its events unchanged) and stores the new clean passes.
 */
export class CachingRunner {
  readonly supportsEventEmitters = true;
  readonly isSerial = false;
  readonly #emitter = new Emittery<Events>();
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

  on<E extends keyof Events>(event: E, listener: (data: Events[E]) => void | Promise<void>) {
    return this.#emitter.on(event, listener);
  }

  async runTests(tests: Test[], watcher: TestWatcher, options: TestRunnerOptions): Promise<void> {
    const report = new RunReport();
    if (this.#options.report) this.checkReportPath(this.#options.report, tests);
    const stores = new Map<Config.ProjectConfig, LocalStore>();
    const storeFor = (config: Config.ProjectConfig) => {
      let store = stores.get(config);
      if (!store) stores.set(config, (store = new LocalStore(this.storeDir(config), sha256(config.id))));
      return store;
    };
    // Machine-local tables live in the first project's store.
    const tableDir = tests.length > 0 ? storeFor(tests[0].context.config).dir : undefined;
    const hashes = tableDir ? PersistedTable.load<PersistedFingerprint>(tableDir, 'file-hashes') : undefined;
    const tables: RunTables = tableDir
      ? {
          packages: PersistedTable.load(tableDir, 'package-closures'),
          dependencies: PersistedTable.load(tableDir, 'dependencies'),
          compiled: PersistedTable.load(tableDir, 'compiled-lines'),
        }
      : {};
    const current = new CurrentInputs(new FileHasher(hashes));
    const verification = new Verification(this.#options, storeFor);

    const projects = new Map<TestContext, ProjectKeys>();
    const planned = await report.time('actionKeysMs', () =>
      this.planActionKeys(tests, projects, current, tables, storeFor, verification),
    );
    if (this.#remote) {
      // Where the local store is read (not in write mode, nor for a distrusted project).
      const misses = planned.filter(p => p.key && !p.hit && verification.lookIn(storeFor(p.test.context.config)));
      const keepIn = canWrite(this.#options.mode) ? storeFor : undefined;
      await report.time('remoteMs', () => this.#remote!.lookUp(misses, current, keepIn));
    }
    const inRun = await report.time('contentKeysMs', () =>
      this.planContentKeys(planned, projects, current, storeFor, verification),
    );
    // Would-be hits that run anyway, to check their stored pass.
    verification.choose(planned);
    // Hits first: they take milliseconds, and a reporter shows them at once.
    await report.time('replayMs', () => this.replayHits(planned, watcher, storeFor));

    const misses = planned.filter(p => !p.hit);
    try {
      if (misses.length > 0 && !watcher.isInterrupted()) {
        await this.runMisses(misses, watcher, options, current, storeFor);
      }
    } finally {
      await Promise.all(inRun);
      await report.time('remoteMs', () => this.#remote?.finish());
    }
    await verification.conclude(planned, p => projects.get(p.test.context)!.stageTwoKeysOf(p));
    for (const p of planned) report.add(p.outcome);
    this.finish(report, [hashes, tables.packages, tables.dependencies, tables.compiled], stores, planned);
  }

  /** Stage 1 for every test file: its action key, and a lookup where the mode reads. */
  private async planActionKeys(
    tests: Test[],
    projects: Map<TestContext, ProjectKeys>,
    current: CurrentInputs,
    tables: RunTables,
    storeFor: (config: Config.ProjectConfig) => LocalStore,
    verification: Verification,
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
   * Stage 2 for the stage-1 misses, one bundling call per project. Where no content key
   * can hit (the store holds no entry at all, or the mode does not read), keys are only
   * wanted for storing: those are computed while the tests run (bundling takes another
   * core), and the returned promises store the passes that finished first under them.
   */
  private async planContentKeys(
    planned: PlannedTest[],
    projects: Map<TestContext, ProjectKeys>,
    current: CurrentInputs,
    storeFor: (config: Config.ProjectConfig) => LocalStore,
    verification: Verification,
  ): Promise<Promise<void>[]> {
    const inRun: Promise<void>[] = [];
    for (const [context, project] of projects) {
      const misses = planned.filter(p => p.key && !p.hit && p.test.context === context);
      if (misses.length === 0) continue;
      const store = storeFor(context.config);
      const read = verification.lookIn(store);
      const write = canWrite(this.#options.mode) ? store : undefined;
      const plan = (lookIn: LocalStore | undefined) =>
        project.planContent(misses, lookIn, write).catch((error: Error) => {
          // Stage 2 only adds hits: without it the misses simply run.
          for (const p of misses) p.outcome.reason = `content key failed: ${error.message}`;
        });
      if (write && (!read || store.isEmpty())) {
        inRun.push(plan(undefined).then(() => this.storeUnderContentKeys(misses, store, current)));
      } else if (read) {
        await plan(read);
      }
    }
    return inRun;
  }

  /**
   * Passes stored before their content key was known, stored under it now, unless a file
   * the key covers changed before the bundler read it: the content key would then
   * describe code the test never ran.
   */
  private storeUnderContentKeys(planned: PlannedTest[], store: LocalStore, current: CurrentInputs): void {
    const unchanged = new Map<string, boolean>();
    const isUnchanged = (file: string) => {
      let known = unchanged.get(file);
      if (known === undefined) unchanged.set(file, (known = current.hasher.unchangedSince(file)));
      return known;
    };
    for (const p of planned) {
      const keys = [p.moduleKey, p.contentKey].filter((key): key is string => key !== undefined);
      if (!p.awaitingContentKey || keys.length === 0) continue;
      const changed = p.key!.files.find(file => !isUnchanged(file));
      if (changed) {
        p.outcome.reason = `not stored under its content key: ${relativePath(p.test.context.config.rootDir, changed)} changed while the suite ran`;
        p.awaitingContentKey = undefined;
        continue;
      }
      try {
        const {rootDir} = p.test.context.config;
        for (const key of keys) save(store, key, p.awaitingContentKey, rootDir);
        this.#remote?.upload(keys, p.awaitingContentKey, rootDir);
      } catch (error) {
        p.outcome.reason = `not stored under its content key: ${(error as Error).message}`;
      }
      p.awaitingContentKey = undefined;
    }
  }

  private async replayHits(
    planned: PlannedTest[],
    watcher: TestWatcher,
    storeFor: (config: Config.ProjectConfig) => LocalStore,
  ): Promise<void> {
    const testCases = reportersWantTestCases(this.globalConfig);
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
      process.stderr.write(`(cached) ${p.outcome.path}${p.outcome.remote ? ' (remote)' : ''}\n`);
    }
  }

  /** In watch mode a report written into a watched folder would start the next run, forever. */
  private checkReportPath(file: string, tests: Test[]): void {
    if (!this.globalConfig.watch && !this.globalConfig.watchAll) return;
    for (const config of new Set(tests.map(t => t.context.config))) {
      const root = watchedFolderOf(path.resolve(file), config);
      if (root) {
        throw new OptionError(
          `option "report" (env JEST_RUNNER_CACHE_REPORT) is ${path.resolve(file)}, inside the watched ` +
            `folder ${root}; each report would start another run. Write it outside the project, ` +
            'or add it to watchPathIgnorePatterns.',
        );
      }
    }
  }

  /** The store folder of a project: never inside the folders Jest watches. */
  private storeDir(config: Config.ProjectConfig): string {
    if (!this.#options.cacheDir) return path.join(config.cacheDirectory, 'jest-runner-cache');
    const dir = path.resolve(this.#options.cacheDir);
    const root = watchedFolderOf(dir, config);
    if (root) {
      throw new OptionError(
        `option "cacheDir" (env JEST_RUNNER_CACHE_DIR) is ${dir}, inside the project folder ${root}; ` +
          'Jest would watch the cache and --watch would loop. Choose a folder outside the project.',
      );
    }
    return dir;
  }

  private async runMisses(
    misses: PlannedTest[],
    watcher: TestWatcher,
    options: TestRunnerOptions,
    current: CurrentInputs,
    storeFor: (config: Config.ProjectConfig) => LocalStore,
  ): Promise<void> {
    const JestRunner = requireFromJest<{default: JestRunnerCtor}>('jest-runner').default;
    const inner = new JestRunner(this.globalConfig, this.context);
    // Tests whose pass may be stored run with the recorder of their runtime inputs.
    const storable = new Set(misses.filter(p => p.key && canWrite(this.#options.mode)));
    const session = storable.size > 0 ? recordingFor([...storable], storeFor) : undefined;
    const planned = new Map(misses.map(p => [p.test, p]));
    // Stored once the session ended: input states are then read from the user's own
    // environment, without the session's variables.
    const passes: [PlannedTest, TestResult, Recording | undefined][] = [];
    const unsubscribes = EVENTS.map(event =>
      inner.on(event, async data => {
        const p = planned.get((data as unknown[])[0] as Test);
        if (p?.check && (event === 'test-file-success' || event === 'test-file-failure')) {
          noteFresh(p.check, event === 'test-file-success' ? ((data as unknown[])[1] as TestResult) : undefined);
        }
        if (event === 'test-file-success' && session && p && storable.has(p)) {
          // A copy before forwarding: reporters delete `console` from the result.
          const result = JSON.parse(JSON.stringify((data as unknown[])[1])) as TestResult;
          passes.push([p, result, session.read(p.test)]);
        }
        return this.#emitter.emit(event, data);
      }),
    );
    try {
      await inner.runTests(
        misses.map(p => p.test),
        watcher,
        options,
      );
    } finally {
      for (const unsubscribe of unsubscribes) unsubscribe();
      session?.end();
      for (const [p, result, recording] of passes) this.store(p, result, recording, current, storeFor);
    }
  }

  private store(
    p: PlannedTest,
    result: TestResult,
    recording: Recording | undefined,
    current: CurrentInputs,
    storeFor: (config: Config.ProjectConfig) => LocalStore,
  ): void {
    if (!p.key) return;
    const rootDir = p.test.context.config.rootDir;
    const refuse = (reason: string) => {
      p.outcome.outcome = 'bypass';
      p.outcome.reason = `not stored: ${reason}`;
    };
    const reason = whyNotStored(result);
    if (reason) {
      p.outcome.reason = `not stored: ${reason}`;
      return;
    }
    if (!recording) return refuse('its runtime inputs were not recorded');
    if (recording.spawned) return refuse(`it started ${recording.spawned}, whose reads are unknown`);
    const keyFiles = new Set(p.key.files);
    const changed =
      p.key.files.find(file => !current.hasher.unchangedSince(file)) ??
      changedDuringRun(recording, keyFiles);
    if (changed) return refuse(`${relativePath(rootDir, changed) || '.'} changed while the suite ran`);
    let sourceMaps: SourceMaps | undefined;
    try {
      sourceMaps = detachSourceMaps(result);
    } catch (error) {
      return refuse((error as Error).message);
    }
    const entry: StoredEntry = {
      kind: 'result',
      testPath: p.outcome.path,
      runtimeMs: result.perfStats.end - result.perfStats.start,
      result,
      sourceMaps,
    };
    const closure = new Set(p.key.closure);
    const exactly = new Set(p.key.files.filter(file => !closure.has(file)));
    const inputs = inputListOf(recording, rootDir, {exactly, asModules: closure});
    const found = {entry, inputs, state: current.state(inputs, rootDir)};
    try {
      const store = storeFor(p.test.context.config);
      const resultKey = save(store, p.key.key, found, rootDir);
      if (p.moduleKey) save(store, p.moduleKey, found, rootDir);
      if (p.contentKey) save(store, p.contentKey, found, rootDir);
      else p.awaitingContentKey = found;
      updateManifest(store, p.test.path, rootDir, p.key, found, resultKey);
      const keys = [p.key.key, p.moduleKey, p.contentKey].filter((key): key is string => key !== undefined);
      this.#remote?.upload(keys, found, rootDir);
    } catch (error) {
      p.outcome.reason = `not stored: ${(error as Error).message}`;
    }
  }

  private finish(
    report: RunReport,
    tables: (PersistedTable<unknown> | undefined)[],
    stores: Map<Config.ProjectConfig, LocalStore>,
    planned: PlannedTest[],
  ): void {
    try {
      for (const table of tables) table?.save();
      for (const store of new Set(stores.values())) store.explainIndex.save();
      if (canWrite(this.#options.mode)) {
        savePacks(planned, stores);
        for (const store of new Set(stores.values())) {
          store.trim(this.#options.maxAgeDays, this.#options.maxSizeMb * 1024 * 1024);
        }
      }
    } catch {
      // The cache is an optimization: failing to maintain it never fails the run.
    }
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
