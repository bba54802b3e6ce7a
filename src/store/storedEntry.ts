/** What one cache entry holds: a clean pass of one test file, paths made relative. */
export interface StoredEntry {
  kind: 'result';
  /** Test file relative to rootDir (for `explain` and debugging). */
  testPath: string;
  /** How long the suite ran when it was stored: the time a replay saves. */
  runtimeMs: number;
  /** The TestResult's JSON text, rootDir replaced by a token (see replay/storedResult). */
  result: string;
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
    typeof v.result === 'string'
  );
}
