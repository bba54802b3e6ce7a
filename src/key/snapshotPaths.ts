import type {Config} from '@jest/types';
import * as path from 'path';
import {requireFromJest} from '../jestModules';
import type {SnapshotPathOf} from './testFileFacts';

interface JestSnapshot {
  buildSnapshotResolver(
    config: Config.ProjectConfig,
  ): Promise<{resolveSnapshotPath(testPath: string): string}>;
}

/** Jest's default layout: `__snapshots__/<file>.snap` beside the test. */
const defaultSnapshotPath: SnapshotPathOf = testPath =>
  path.join(path.dirname(testPath), '__snapshots__', `${path.basename(testPath)}.snap`);

/**
 * Where a project's snapshots live. Only a custom `snapshotResolver` needs jest-snapshot
 * (slow to load), so the default layout is computed directly.
 */
export async function snapshotPaths(config: Config.ProjectConfig): Promise<SnapshotPathOf> {
  if (!config.snapshotResolver) return defaultSnapshotPath;
  const resolver = await requireFromJest<JestSnapshot>('jest-snapshot').buildSnapshotResolver(config);
  return testPath => resolver.resolveSnapshotPath(testPath);
}
