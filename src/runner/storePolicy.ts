import type {TestResult} from '@jest/test-result';
import type {Config} from '@jest/types';

/**
 * Why a whole run must not use the cache (DESIGN section 3): its results carry what is
 * measured live and cannot be replayed (open handles, leaks, heap usage), or the run
 * rewrites snapshots / only collects tests. Null when the cache may be used. (Coverage
 * is stored with each pass and keyed: see key/coverageInputs.)
 */
export function runBypassReason(globalConfig: Config.GlobalConfig): string | null {
  const g = globalConfig as Config.GlobalConfig & {collectTests?: boolean};
  if (g.detectOpenHandles) return '--detectOpenHandles: open handles are measured live';
  if (g.logHeapUsage) return '--logHeapUsage: heap usage is measured live';
  if (g.updateSnapshot === 'all') return '--updateSnapshot: snapshots are being rewritten';
  if (g.collectTests) return '--collectTests: tests are only collected';
  return null;
}

/** Per-project bypass: leak detection is a project setting. */
export function projectBypassReason(config: Config.ProjectConfig): string | null {
  return config.detectLeaks ? 'detectLeaks: leaks are measured live' : null;
}

/**
 * Why a finished suite's result is not stored; null when it is a clean pass. Only a
 * result that a replay can reproduce exactly, and that a rerun would not change, is kept.
 */
export function whyNotStored(result: TestResult): string | null {
  if (result.testExecError) return 'the suite failed to run';
  if (result.numFailingTests > 0 || result.failureMessage) return 'the suite failed';
  if (result.testResults.length === 0) return 'the suite has no tests';
  if (result.leaks) return 'the suite leaked';
  if (result.testResults.some(t => (t.retryReasons?.length ?? 0) > 0 || (t.invocations ?? 1) > 1)) {
    return 'a test was retried';
  }
  const s = result.snapshot;
  if (s.added || s.updated || s.unmatched || s.fileDeleted) {
    return 'snapshots were written, updated, unmatched or deleted';
  }
  return null;
}
