import type {Config} from '@jest/types';
import {sha256, type PersistedFingerprint} from '../key/fileHasher';
import type {RunnerOptions} from '../options';
import {BackgroundWriter} from '../store/backgroundWriter';
import {LocalStore} from '../store/localStore';
import {PersistedTable} from '../store/persistedTable';
import type {PlannedTest, RunTables} from './projectKeys';
import {storeDirOf} from './watchedFolders';

/**
 * One run's local stores (one per project config) and the machine-local tables kept in
 * the first project's store: file hashes, package closures, resolved imports, compiled
 * lines, parsed sources. `maintain` saves what changed, the packs and trims the stores after the run.
 */
export class RunStores {
  private readonly stores = new Map<Config.ProjectConfig, LocalStore>();
  /** Where the run's entries are written: off the thread that runs the tests. */
  private readonly writer = new BackgroundWriter();
  readonly hashes: PersistedTable<PersistedFingerprint> | undefined;
  readonly tables: RunTables;

  constructor(
    private readonly options: RunnerOptions,
    firstConfig: Config.ProjectConfig | undefined,
  ) {
    const dir = firstConfig && this.storeFor(firstConfig).dir;
    this.hashes = dir ? PersistedTable.load<PersistedFingerprint>(dir, 'file-hashes') : undefined;
    this.tables = dir
      ? {
          packages: PersistedTable.load(dir, 'package-closures'),
          dependencies: PersistedTable.load(dir, 'dependencies'),
          compiled: PersistedTable.load(dir, 'compiled-lines'),
          observed: PersistedTable.load(dir, 'observed-sources'),
        }
      : {};
  }

  readonly storeFor = (config: Config.ProjectConfig): LocalStore => {
    let store = this.stores.get(config);
    if (!store) {
      store = new LocalStore(storeDirOf(config, this.options.cacheDir), sha256(config.id), this.writer);
      this.stores.set(config, store);
    }
    return store;
  };

  /**
   * Waits until every entry written this run has landed (a stale one may then be removed,
   * see Verification) and ends the writer's thread. A write that failed never fails the
   * run: it is reported, and a lookup finds its entry absent (a miss).
   */
  async settleWrites(): Promise<void> {
    const failures = await this.writer.close();
    if (failures.length === 0) return;
    const [first] = failures;
    process.stderr.write(
      `jest-runner-cache: ${failures.length} store write(s) failed (${first!.file}: ${first!.message}); those entries are not in the cache\n`,
    );
  }

  /**
   * After the run: saves the tables and explain indexes; where the mode writes, each
   * project's pack (the stage entries its test files used, see EntryPack) and a trim.
   * The cache is an optimization: failing to maintain it never fails the run.
   */
  maintain(planned: PlannedTest[], writes: boolean): void {
    try {
      const {packages, dependencies, compiled, observed} = this.tables;
      for (const table of [this.hashes, packages, dependencies, compiled, observed]) table?.save();
      const stores = new Set(this.stores.values());
      for (const store of stores) store.explainIndex.save();
      if (!writes) return;
      for (const [config, store] of this.stores) {
        const ofProject = planned.filter(p => p.key && p.test.context.config === config);
        if (ofProject.length === 0) continue;
        const {hasteFS} = ofProject[0].test.context;
        store.savePack(
          ofProject.map(p => [p.test.path, p.key!.key]),
          testPath => hasteFS.exists(testPath),
        );
      }
      for (const store of stores) store.trim(this.options.maxAgeDays, this.options.maxSizeMb * 1024 * 1024);
    } catch {
      // see above
    }
  }
}
