import * as fs from 'fs';
import * as path from 'path';

export type Outcome = 'hit-action' | 'hit-content' | 'ran' | 'bypass';

export interface SuiteOutcome {
  /** Test file, relative to its project's rootDir. */
  path: string;
  outcome: Outcome;
  reason?: string;
  /** For hits: how long the suite took when its result was stored. */
  savedMs?: number;
}

/** What happened to each suite of a run: the closing line and the JSON report. */
export class RunReport {
  readonly suites: SuiteOutcome[] = [];

  add(suite: SuiteOutcome): void {
    this.suites.push(suite);
  }

  closingLine(): string {
    const count = (o: Outcome) => this.suites.filter(s => s.outcome === o).length;
    const replayed = count('hit-action') + count('hit-content');
    const savedMs = this.suites.reduce((sum, s) => sum + (s.savedMs ?? 0), 0);
    const bypassed = count('bypass');
    return (
      `jest-runner-cache: ${replayed} ${replayed === 1 ? 'suite' : 'suites'} replayed, ` +
      `${count('ran') + bypassed} run${bypassed ? ` (${bypassed} uncached)` : ''}, ` +
      `saved ${(savedMs / 1000).toFixed(2)} s`
    );
  }

  write(file: string): void {
    fs.mkdirSync(path.dirname(path.resolve(file)), {recursive: true});
    fs.writeFileSync(file, `${JSON.stringify({suites: this.suites}, null, 2)}\n`);
  }
}
