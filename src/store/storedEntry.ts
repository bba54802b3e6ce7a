import type {TestResult} from '@jest/test-result';
import type {SourceMaps} from '../replay/sourceMaps';
import type {PartRefs} from './sharedParts';

/**
 * What one cache entry holds: a clean pass of one test file. In the store, rootDir is a
 * token (see replay/storedResult); in memory it is this checkout's.
 */
export interface StoredEntry {
  kind: 'result';
  /** Test file relative to rootDir (for `explain` and debugging). */
  testPath: string;
  /** How long the suite ran when it was stored: the time a replay saves. */
  runtimeMs: number;
  /**
   * The TestResult, a copy of its own: Jest mutates the results it is given. Its
   * `testFilePath` is `testPath` until a replay sets the test's own (see storePass).
   */
  result: TestResult;
  /** v8 coverage: the source maps its report reads, by script (see replay/sourceMaps). */
  sourceMaps?: SourceMaps;
  /**
   * In the local store only: the coverage parts shared with other suites, stored apart
   * (see sharedParts); a looked-up entry has them joined back.
   */
  parts?: PartRefs;
}

/** Guards against entries written by another format or tool: those are misses. */
export function isStoredEntry(value: unknown): value is StoredEntry {
  const v = value as StoredEntry | undefined;
  return (
    typeof v === 'object' &&
    v !== null &&
    v.kind === 'result' &&
    typeof v.testPath === 'string' &&
    typeof v.runtimeMs === 'number' &&
    typeof v.result === 'object' &&
    v.result !== null &&
    Array.isArray(v.result.testResults)
  );
}
