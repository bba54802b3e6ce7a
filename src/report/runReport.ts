import * as fs from 'fs';
import * as path from 'path';

export type Outcome = 'hit-action' | 'hit-content' | 'ran' | 'bypass' | 'verified' | 'stale';

const OUTCOMES: Outcome[] = ['hit-action', 'hit-content', 'ran', 'bypass', 'verified', 'stale'];

export interface SuiteOutcome {
  /** Test file, relative to its project's rootDir. */
  path: string;
  outcome: Outcome;
  reason?: string;
  /** For hits: how long the suite took when its result was stored. */
  savedMs?: number;
  /** Set when stage 2 bundled the suite (its module key missed). */
  bundled?: true;
  /** Set on a hit the remote cache served. */
  remote?: true;
}

/** Where the runner's own time went, in milliseconds (the benchmark reads these). */
export interface Timings {
  /** Stage 1: action keys of every test file, and their lookups. */
  actionKeysMs: number;
  /**
   * Stage 2 before the run: the bundling call and content-key lookups for the stage-1
   * misses. Content keys wanted only for storing (an empty store, write-only mode) are
   * computed while the tests run and not counted here.
   */
  contentKeysMs: number;
  /** Replaying the hits through the reporters. */
  replayMs: number;
  /** Waiting for the remote cache: lookups of the local misses, then uploads after the run. */
  remoteMs: number;
}

/** What happened to each suite of a run: the closing line and the JSON report. */
export class RunReport {
  readonly suites: SuiteOutcome[] = [];
  readonly timings: Timings = {actionKeysMs: 0, contentKeysMs: 0, replayMs: 0, remoteMs: 0};

  /** Runs `work`, adding its duration to one of the timings. */
  async time<T>(phase: keyof Timings, work: () => T | Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await work();
    } finally {
      this.timings[phase] += Math.round(performance.now() - start);
    }
  }

  add(suite: SuiteOutcome): void {
    this.suites.push(suite);
  }

  /** Suites by outcome. */
  counts(): Record<Outcome, number> {
    const counts = Object.fromEntries(OUTCOMES.map(o => [o, 0])) as Record<Outcome, number>;
    for (const suite of this.suites) counts[suite.outcome]++;
    return counts;
  }

  closingLine(): string {
    const count = this.counts();
    const replayed = count['hit-action'] + count['hit-content'];
    const savedMs = this.suites.reduce((sum, s) => sum + (s.savedMs ?? 0), 0);
    const bypassed = count.bypass;
    const checked = count.verified + count.stale;
    const run = count.ran + bypassed + checked;
    return (
      `jest-runner-cache: ${replayed} ${replayed === 1 ? 'suite' : 'suites'} replayed, ` +
      `${run} run${bypassed ? ` (${bypassed} uncached)` : ''}, ` +
      `saved ${(savedMs / 1000).toFixed(2)} s` +
      (checked ? `; ${count.verified} verified, ${count.stale} stale` : '') +
      (count.stale
        ? ': STALE PASS (see above), a stored pass fails when run; the run fails, and the stored ' +
          'passes of its project are not trusted until a verify run finds no stale pass'
        : '')
    );
  }

  write(file: string): void {
    fs.mkdirSync(path.dirname(path.resolve(file)), {recursive: true});
    const report = {suites: this.suites, counts: this.counts(), timings: this.timings};
    fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  }
}
