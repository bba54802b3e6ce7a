import type {TestResult} from '@jest/test-result';
import type {Config} from '@jest/types';
import {canRead, type RunnerOptions} from '../options';
import {clearDistrust, describeDistrust, readDistrust, writeDistrust, type Distrust} from '../store/distrust';
import type {LocalStore} from '../store/localStore';
import type {Found} from '../store/twoStep';
import type {PlannedTest} from './projectKeys';

/**
 * Go's GODEBUG=gocacheverify, plus sampling: a would-be hit runs anyway, and a stored pass
 * whose fresh run fails is a stale pass, a blind spot of the keys (a file outside the
 * project, the network, the clock). It is named, removed, and its project's stored passes
 * are not trusted again until a verify run of it finds no stale pass.
 */

/** A would-be hit that runs anyway, to check its stored pass against the fresh result. */
export interface Check {
  stage: 'action' | 'content';
  hit: Found & {resultKey: string};
  /** Whether the fresh run passed; unset until it finished. */
  passed?: boolean;
}

/** Records a checked suite's fresh result (undefined: the suite crashed). */
export function noteFresh(check: Check, result: TestResult | undefined): void {
  check.passed =
    result !== undefined && !result.testExecError && result.numFailingTests === 0 && !result.failureMessage;
}

/** `share` of `items` at random: floor(share * n) of them, one more with the remaining fraction's probability. */
function pickShare<T>(items: T[], share: number): T[] {
  const exact = share * items.length;
  const count = Math.floor(exact) + (Math.random() < exact % 1 ? 1 : 0);
  const pool = [...items];
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(Math.random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, count);
}

/** The loud block naming a stale pass: what would have replayed it and what it was keyed by. */
function staleBlock(p: PlannedTest, check: Check): string {
  const {files, env} = check.hit.inputs;
  const inputs = [
    ...files.map(([file, kind]) => `file ${file} (${kind})`),
    ...env.names.map(name => `env ${name}`),
    ...(env.listed ? ["the environment's variable names"] : []),
  ];
  const rule = '='.repeat(78);
  return [
    '',
    rule,
    `jest-runner-cache: STALE PASS: ${p.test.path}`,
    `  Its stored pass would have been replayed (stage ${check.stage === 'action' ? '1, action key' : '2, content key'}),`,
    '  but the suite fails when run. Every input its keys cover is as it was when the pass was',
    '  stored: it depends on something no key covers (a file outside the project, the network,',
    '  the clock), or it is flaky. Runtime inputs recorded with the pass (what explain',
    '  compares), all unchanged:',
    ...(inputs.length > 0 ? inputs.map(input => `    - ${input}`) : ['    (none)']),
    '  The stored pass was removed. Make what the suite reads visible to the keys (option',
    '  "inputs": env variables, files in the project), or mark it /** @jest-runner-cache off */.',
    '  The stored passes of its project are not trusted until a verify run',
    '  (JEST_RUNNER_CACHE=verify) finds no stale pass.',
    rule,
    '',
  ].join('\n');
}

/**
 * Removes what would replay a stale pass: its result, explain's record and the stage
 * entries of all its keys. A pass is stored under each; a stage-2 hit is also stored
 * under the keys it missed (see ProjectKeys.noteReplay).
 */
function removeStale(store: LocalStore, p: PlannedTest, check: Check, stageTwoKeys: string[]): void {
  store.remove(check.hit.resultKey);
  store.remove(p.key!.key);
  for (const key of stageTwoKeys) store.remove(key);
  store.explainIndex.delete(p.test.path);
}

/** Verification for one run: which stores are read, which hits are checked, and the verdicts. */
export class Verification {
  private readonly distrusts = new Map<LocalStore, Distrust | undefined>();

  constructor(
    private readonly options: RunnerOptions,
    private readonly storeFor: (config: Config.ProjectConfig) => LocalStore,
  ) {}

  /**
   * The store to look a project's passes up in: none when the mode does not read, nor
   * outside verify mode when its passes are distrusted (its suites then run, as in write mode).
   */
  lookIn(store: LocalStore): LocalStore | undefined {
    if (!canRead(this.options.mode)) return undefined;
    if (this.options.mode === 'verify') return store;
    if (!this.distrusts.has(store)) this.distrusts.set(store, readDistrust(store));
    return this.distrusts.get(store) ? undefined : store;
  }

  /**
   * After both stages were looked up: turns every would-be hit (verify mode) or a random
   * share of them (verifySample) into a check, and gives the suites of a distrusted
   * project the reason they run.
   */
  choose(planned: PlannedTest[]): void {
    const share = this.options.mode === 'verify' ? 1 : this.options.verifySample;
    for (const p of pickShare(planned.filter(p => p.hit), share)) {
      p.check = {stage: p.outcome.outcome === 'hit-content' ? 'content' : 'action', hit: p.hit!};
      p.hit = undefined;
      p.outcome = {path: p.outcome.path, outcome: 'ran'};
    }
    for (const p of planned) {
      const distrust = p.key && this.distrusts.get(this.storeFor(p.test.context.config));
      if (distrust) p.outcome.reason = describeDistrust(distrust);
    }
  }

  /**
   * After the run: each check is `verified` or `stale`. A stale pass is printed, removed and
   * distrusts its project; a verify run that settled every check of a project without a
   * stale pass trusts it again. `stageTwoKeysOf` computes the stage-2 keys of an action-key hit.
   */
  async conclude(
    planned: PlannedTest[],
    stageTwoKeysOf: (p: PlannedTest) => Promise<string[]>,
  ): Promise<void> {
    const failed = new Set<LocalStore>();
    for (const p of planned) {
      if (!p.check) continue;
      const store = this.storeFor(p.test.context.config);
      const {stage, passed} = p.check;
      if (passed === undefined) {
        // Interrupted or stopped by bail: no verdict.
        failed.add(store);
      } else if (passed) {
        p.outcome.outcome = 'verified';
        p.outcome.reason = `its stored pass (${stage} key) agrees with the fresh run`;
      } else {
        p.outcome.outcome = 'stale';
        p.outcome.reason = `its stored pass (${stage} key) fails when run`;
        failed.add(store);
        process.stderr.write(staleBlock(p, p.check));
        try {
          const stageTwo =
            stage === 'content'
              ? [p.moduleKey, p.contentKey].filter((key): key is string => key !== undefined)
              : await stageTwoKeysOf(p);
          removeStale(store, p, p.check, stageTwo);
          const {rootDir} = p.test.context.config;
          writeDistrust(store, {rootDir, suite: p.outcome.path, stage, at: new Date().toISOString()});
        } catch {
          // the cache's own files: never a reason to fail a run (the suite failed already)
        }
      }
    }
    if (this.options.mode !== 'verify') return;
    for (const store of new Set(planned.filter(p => p.key).map(p => this.storeFor(p.test.context.config)))) {
      if (failed.has(store)) continue;
      try {
        clearDistrust(store);
      } catch {
        // still distrusted: the next verify run tries again
      }
    }
  }
}
