import type {Test, TestContext} from '@jest/test-result';
import type {Config} from '@jest/types';
import type {TestRunnerContext} from 'jest-runner';
import {actionKey, type ActionKey} from '../key/actionKey';
import {contentKeyBlocker} from '../key/pureTransform';
import type {CurrentInputs} from '../key/runtimeInputs';
import {sha256} from '../key/fileHasher';
import {loadImportExtractor} from '../key/importExtractor';
import {KeyContext} from '../key/keyContext';
import type {ContentKey} from '../key/contentKey';
import type {ObservableSource} from '../key/observableSource';
import {projectInputs, type ProjectInputs} from '../key/projectInputs';
import {snapshotPaths} from '../key/snapshotPaths';
import {testFileFacts, type SnapshotPathOf} from '../key/testFileFacts';
import {requireFromJest} from '../jestModules';
import type {RunnerOptions} from '../options';
import type {SuiteOutcome} from '../report/runReport';
import type {LocalStore} from '../store/localStore';
import type {PersistedTable} from '../store/persistedTable';
import {lookup, save, type Found} from '../store/twoStep';
import {updateManifest} from '../explain/manifest';
import type {ProjectStageTwo, StageTwo} from '../stageTwo/stageTwo';
import {projectBypassReason} from './storePolicy';
import type {Check} from './verification';

/** One test file's fate before anything runs. */
export interface PlannedTest {
  test: Test;
  outcome: SuiteOutcome;
  /** Set when the result may be stored after the run. */
  key?: ActionKey;
  /** Stage-2 keys, computed for stage-1 misses only: before bundling, then of the bundle. */
  moduleKey?: string;
  contentKey?: string;
  /** Set when a stored pass will be replayed. */
  hit?: Found & {resultKey: string};
  /** Set when a stored pass is run anyway, to check it (see verification). */
  check?: Check;
  /** A pass stored under its action key while its content key was still being computed. */
  awaitingContentKey?: Found;
}

type GlobMatcher = (path: string) => boolean;

/** Machine-local tables kept across runs (see LocalStore), shared by the run's projects. */
export interface RunTables {
  packages?: PersistedTable<[string, string[]]>;
  dependencies?: PersistedTable<[string, string[]]>;
  compiled?: PersistedTable<[string, string]>;
  observed?: PersistedTable<[string, ObservableSource]>;
}

/** Keys the test files of one project (one Jest context) for one run. */
export class ProjectKeys {
  private constructor(
    private readonly keys: KeyContext,
    private readonly current: CurrentInputs,
    private readonly inputs: ProjectInputs,
    private readonly snapshotPathOf: SnapshotPathOf,
    private readonly uncacheable: GlobMatcher | undefined,
    private readonly bypass: string | null,
    private readonly stageTwo: ProjectStageTwo,
    private readonly coverageBlocker: string | null,
  ) {}

  /** Why stage 2 cannot be trusted for a test, or null. */
  private stageTwoBlocker(p: PlannedTest): string | null {
    return this.coverageBlocker ?? contentKeyBlocker(this.keys.context.config, p.key!.closure);
  }

  static async create(
    context: TestContext,
    current: CurrentInputs,
    tables: RunTables,
    globalConfig: Config.GlobalConfig,
    options: RunnerOptions,
    runContext: TestRunnerContext,
    stageTwo: StageTwo,
  ): Promise<ProjectKeys> {
    const extractImports = await loadImportExtractor(context.config);
    const keys = new KeyContext(context, current.hasher, extractImports, tables.packages);
    const inputs = projectInputs(keys, globalConfig, options, runContext);
    const install = keys.packages.installState();
    if (tables.dependencies && install) {
      // What resolution depends on besides a file's own content (see DependencyGraph.persistIn):
      // the project inputs cover the config and every package.json of the project.
      const files = context.hasteFS.getAllFiles().sort().join('\n');
      keys.graph.persistIn(tables.dependencies, sha256(JSON.stringify([inputs.digest, install, sha256(files)])));
    }
    const uncacheable =
      options.uncacheable.length > 0
        ? requireFromJest<{globsToMatcher(globs: string[]): GlobMatcher}>('jest-util').globsToMatcher(
            options.uncacheable,
          )
        : undefined;
    return new ProjectKeys(
      keys,
      current,
      inputs,
      await snapshotPaths(context.config),
      uncacheable,
      projectBypassReason(context.config),
      stageTwo.forProject(context, current.hasher, tables),
      // A coverage payload holds every statement of each file the suite loaded, with its
      // position: an edit that stage 2 ignores (dead code, a line added above) changes it.
      globalConfig.collectCoverage ? 'content key skipped: a coverage run is keyed by the text of each file' : null,
    );
  }

  /**
   * Computes the action key and, when a store may be read, looks the result up; a hit
   * updates the explain manifest where the store may be written.
   */
  plan(test: Test, read: LocalStore | undefined, write: LocalStore | undefined): PlannedTest {
    const relative = this.keys.relative(test.path);
    const bypass = (reason: string): PlannedTest => ({
      test,
      outcome: {path: relative, outcome: 'bypass', reason},
    });
    if (this.bypass) return bypass(this.bypass);
    if (this.uncacheable?.(relative)) return bypass('matches the "uncacheable" option');
    const facts = testFileFacts(test, this.current.hasher, this.snapshotPathOf);
    if (facts.optedOut) return bypass('@jest-runner-cache off in its docblock');
    const key = actionKey(this.keys, this.inputs, test, facts);
    if (key.problems.length > 0) return bypass(key.problems[0]);
    const planned: PlannedTest = {test, outcome: {path: relative, outcome: 'ran'}, key};
    const found = read && lookup(read, key.key, this.keys.rootDir, this.current);
    const buffered =
      read && !found && key.bufferedKey ? lookup(read, key.bufferedKey, this.keys.rootDir, this.current) : undefined;
    const hit = found ?? buffered;
    if (hit) {
      planned.hit = hit;
      planned.outcome = {path: relative, outcome: 'hit-action', savedMs: hit.entry.runtimeMs};
      // A pass found by its buffered key is stored under this run's key too: the next
      // verbose run finds it at once.
      if (write) this.noteReplay(write, planned, hit, buffered ? [key.key] : []);
    }
    return planned;
  }

  /** After a hit: store the result under the stage keys that missed, and update explain's record. */
  private noteReplay(
    write: LocalStore,
    p: PlannedTest,
    found: Found & {resultKey: string},
    alsoUnder: string[] = [],
  ): void {
    try {
      let resultKey = found.resultKey;
      for (const key of alsoUnder) resultKey = save(write, key, found, this.keys.rootDir);
      updateManifest(write, p.test.path, this.keys.rootDir, p.key!, found, resultKey);
    } catch {
      // shortcuts for the next run and explain's record: never a reason to fail a run
    }
  }

  /**
   * The stage-2 keys of one test, when stage 2 applies to it: a stale pass found by its
   * action key was most likely stored under them too (see Verification).
   */
  async stageTwoKeysOf(p: PlannedTest): Promise<string[]> {
    if (this.stageTwoBlocker(p)) return [];
    const test = [{test: p.test, action: p.key!}];
    const keys = [...(await this.stageTwo.moduleKeys(test)).values()];
    const content = (await this.stageTwo.contentKeys(test)).get(p.test.path);
    if (content && 'key' in content) keys.push(content.key);
    return keys;
  }

  /**
   * Stage 2 for this project's stage-1 misses. Cheap first: the module key, from each
   * closure file's own compiled output (a comment or type edit changes none); then the
   * bundles of the misses left (contentKeys). A hit is also stored under the keys that missed
   * (when `write` is given), so the next run hits at stage 1. `settled` is given the tests
   * whose fate is known as soon as it is: first those stage 2 does not apply to or whose
   * module key hit, then each bundled chunk; a test stage 2 gives no key is settled too.
   */
  async planContent(
    misses: PlannedTest[],
    read: LocalStore | undefined,
    write: LocalStore | undefined,
    settled: (tests: PlannedTest[]) => void = () => undefined,
  ): Promise<void> {
    const keyable = misses.filter(p => {
      const blocker = this.stageTwoBlocker(p);
      if (blocker) p.outcome.reason = blocker;
      return !blocker;
    });
    const hit = (p: PlannedTest, key: string, missed: string[]) => {
      const found = read && lookup(read, key, this.keys.rootDir, this.current);
      if (!found) return false;
      p.hit = found;
      p.outcome = {...p.outcome, outcome: 'hit-content', savedMs: found.entry.runtimeMs};
      if (write) this.noteReplay(write, p, found, missed);
      return true;
    };
    const byPath = new Map<string, PlannedTest>();
    if (keyable.length > 0) {
      const moduleKeys = await this.stageTwo.moduleKeys(keyable.map(p => ({test: p.test, action: p.key!})));
      for (const p of keyable) {
        p.moduleKey = moduleKeys.get(p.test.path);
        if (!p.moduleKey || !hit(p, p.moduleKey, [p.key!.key])) byPath.set(p.test.path, p);
      }
    }
    settled(misses.filter(p => !byPath.has(p.test.path)));
    if (byPath.size === 0) return;
    const keyed = (keys: Map<string, ContentKey>) => {
      const chunk: PlannedTest[] = [];
      for (const [path, content] of keys) {
        const p = byPath.get(path);
        if (!p) continue;
        byPath.delete(path);
        chunk.push(p);
        p.outcome.bundled = true;
        if ('reason' in content) {
          p.outcome.reason = content.reason;
          continue;
        }
        p.contentKey = content.key;
        hit(p, content.key, [p.key!.key, p.moduleKey!]);
      }
      settled(chunk);
    };
    try {
      await this.stageTwo.contentKeys(
        [...byPath.values()].map(p => ({test: p.test, action: p.key!})),
        keyed,
      );
    } finally {
      // Tests stage 2 gave no key (or that its failure left) are settled too: they run.
      for (const p of byPath.values()) p.outcome.reason = 'stage 2 gave no key';
      settled([...byPath.values()]);
    }
  }
}
