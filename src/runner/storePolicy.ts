import type {TestResult} from '@jest/test-result';
import type {Config} from '@jest/types';

/**
 * Why a whole run must not use the cache (DESIGN section 3): its results carry payloads
 * the cache does not store and replay (coverage, open handles, leaks, heap usage), or the
 * run rewrites snapshots / only collects tests. Null when the cache may be used.
 */
export function runBypassReason(globalConfig: Config.GlobalConfig): string | null {
  const g = globalConfig as Config.GlobalConfig & {collectTests?: boolean};
  if (g.collectCoverage) return '--coverage: coverage is not stored';
  if (g.detectOpenHandles) return '--detectOpenHandles: open handles are not stored';
  if (g.logHeapUsage) return '--logHeapUsage: heap usage is not stored';
  if (g.updateSnapshot === 'all') return '--updateSnapshot: snapshots are being rewritten';
  if (g.collectTests) return '--collectTests: tests are only collected';
  return null;
}

/** Per-project bypass: leak detection is a project setting. */
export function projectBypassReason(config: Config.ProjectConfig): string | null {
  return config.detectLeaks ? 'detectLeaks: leak checks are not stored' : null;
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
