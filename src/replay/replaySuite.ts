import type {Test, TestEvents, TestResult} from '@jest/test-result';
import type {Config} from '@jest/types';
import type Emittery from 'emittery';
import {requireFromJest} from '../jestModules';
import type {StoredEntry} from '../store/storedEntry';

/** Reporter names Jest resolves to its own reporters (@jest/core's TestScheduler). */
const BUILT_IN_REPORTERS = new Set(['default', 'summary', 'github-actions', 'agent']);

/**
 * Whether a configured reporter may want each test case's result. Of Jest's own
 * reporters only the default one does, to redraw its live status line: a replay passes
 * in microseconds, and that redraw costs more than the rest of the replay.
 */
export function reportersWantTestCases(globalConfig: Config.GlobalConfig): boolean {
  const reporters = (globalConfig.reporters ?? []) as (string | [string, unknown])[];
  return reporters.some(reporter => !BUILT_IN_REPORTERS.has(Array.isArray(reporter) ? reporter[0] : reporter));
}

/**
 * Replays a stored pass (read for this replay alone: it is handed to Jest) through the
 * same events a real run emits, in the same order: file start, each test case (when a
 * custom reporter may listen), file success. The result keeps its original perfStats
 * (Jest orders the next run by them) and console output.
 */
export async function replaySuite(
  emitter: Emittery<TestEvents>,
  test: Test,
  entry: StoredEntry,
  globalConfig: Config.GlobalConfig,
  testCases: boolean,
): Promise<void> {
  const result = entry.result;
  result.testFilePath = test.path;
  await emitter.emit('test-file-start', [test]);
  printVerboseConsole(result, test.context.config, globalConfig);
  if (testCases) {
    for (const testCase of result.testResults) {
      // As jest-circus reports them: a start for each test that ran, a result for those
      // and for todo tests; skipped tests report nothing.
      if (testCase.status === 'passed' || testCase.status === 'failed') {
        const {ancestorTitles, fullName, title} = testCase;
        const startedAt = (testCase as {startAt?: number | null}).startAt ?? null;
        await emitter.emit('test-case-start', [test.path, {ancestorTitles, fullName, title, mode: undefined, startedAt}]);
      } else if (testCase.status !== 'todo') {
        continue;
      }
      await emitter.emit('test-case-result', [test.path, testCase]);
    }
  }
  await emitter.emit('test-file-success', [test, result]);
}

type ConsoleBuffer = NonNullable<TestResult['console']>;

/**
 * In verbose mode a test's console output is printed while it runs (Jest's CustomConsole),
 * not by the reporter, which then skips the stored buffer: print it the same way here.
 */
function printVerboseConsole(
  result: TestResult,
  config: Config.ProjectConfig,
  globalConfig: Config.GlobalConfig,
): void {
  const verbose = (config as {verbose?: boolean}).verbose ?? globalConfig.verbose;
  if (!verbose || !result.console || result.console.length === 0) return;
  const {getConsoleOutput} = requireFromJest<{
    getConsoleOutput(buffer: ConsoleBuffer, config: Config.ProjectConfig, g: Config.GlobalConfig): string;
  }>('@jest/console');
  const out = globalConfig.useStderr ? process.stderr : process.stdout;
  for (const entry of result.console) {
    out.write(`${getConsoleOutput([entry], config, globalConfig)}\n`);
  }
}
