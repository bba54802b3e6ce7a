import * as fs from 'fs';
import * as path from 'path';
import type {FixtureProject, RunResult} from './fixtureProject';

/** What a coverage run reported, with the project folder replaced so checkouts compare. */
export interface CoverageReport {
  /** coverage/coverage-summary.json (json-summary reporter), keyed by relative path. */
  summary: Record<string, unknown>;
  /** coverage/lcov.info. */
  lcov: string;
  /** The `text` reporter's table, as printed. */
  table: string[];
}

/** Reads the report files a run left in the project's coverage folder, and its printed table. */
export function coverageReport(project: FixtureProject, run: RunResult): CoverageReport {
  const read = (file: string) =>
    fs.readFileSync(project.file(path.join('coverage', file)), 'utf8').split(project.dir).join('<dir>');
  return {
    summary: JSON.parse(read('coverage-summary.json')),
    lcov: read('lcov.info'),
    table: `${run.stdout}\n${run.stderr}`.split('\n').filter(line => /^[ \w.-]*\|/.test(line)),
  };
}
