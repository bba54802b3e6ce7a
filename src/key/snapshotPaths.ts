import type {Config} from '@jest/types';
import * as path from 'path';
import {requireFromJest} from '../jestModules';
import type {SnapshotPathOf} from './testFileFacts';

interface JestSnapshot {
  buildSnapshotResolver(
    config: Config.ProjectConfig,
  ): Promise<{resolveSnapshotPath(testPath: string): string}>;
}

/**
 * Jest's default layout: `__snapshots__/<file>.snap` beside the test. Test paths come
 * from the haste map, absolute and normalized, so splitting at the last separator gives
 * what path.join(dirname, '__snapshots__', basename) does, without its garbage per test.
 */
const defaultSnapshotPath: SnapshotPathOf = testPath => {
  const at = testPath.lastIndexOf(path.sep);
  return `${testPath.slice(0, at)}${path.sep}__snapshots__${testPath.slice(at)}.snap`;
};

/**
 * Where a project's snapshots live. Only a custom `snapshotResolver` needs jest-snapshot
 * (slow to load), so the default layout is computed directly.
 */
export async function snapshotPaths(config: Config.ProjectConfig): Promise<SnapshotPathOf> {
  if (!config.snapshotResolver) return defaultSnapshotPath;
  const resolver = await requireFromJest<JestSnapshot>('jest-snapshot').buildSnapshotResolver(config);
  return testPath => resolver.resolveSnapshotPath(testPath);
}
