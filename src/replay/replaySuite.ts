import type {Test, TestEvents} from '@jest/test-result';
import type Emittery from 'emittery';
import type {StoredEntry} from '../store/storedEntry';
import {fromStoredResult} from './storedResult';

/**
 * Replays a stored pass through the same events a real run emits, in the same order:
 * file start, each test case's result, file success. The result keeps its original
 * perfStats (Jest orders the next run by them) and console output.
 */
export async function replaySuite(
  emitter: Emittery<TestEvents>,
  test: Test,
  entry: StoredEntry,
): Promise<void> {
  const result = fromStoredResult(entry.result, test.context.config.rootDir);
  result.testFilePath = test.path;
  await emitter.emit('test-file-start', [test]);
  for (const testCase of result.testResults) {
    await emitter.emit('test-case-result', [test.path, testCase]);
  }
  await emitter.emit('test-file-success', [test, result]);
}
