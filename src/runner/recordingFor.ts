import type {Config} from '@jest/types';
import {resolveFromJest} from '../jestModules';
import {RecordingSession} from '../runtime/recordingSession';
import type {LocalStore} from '../store/localStore';
import type {PlannedTest} from './projectKeys';

/**
 * The recording session for the tests whose passes may be stored: inputs inside the
 * project roots and node_modules are recorded; Jest's cacheDirectory and the store never.
 */
export function recordingFor(
  storable: PlannedTest[],
  storeFor: (config: Config.ProjectConfig) => LocalStore,
): RecordingSession {
  const include = new Set<string>();
  const exclude = new Set<string>();
  for (const config of new Set(storable.map(p => p.test.context.config))) {
    for (const root of [config.rootDir, ...config.roots]) include.add(root);
    exclude.add(config.cacheDirectory);
    exclude.add(storeFor(config).dir);
  }
  // The jest-runtime that jest-runner (not this package) resolves: the one it will load.
  const jestRunner = resolveFromJest('jest-runner');
  const runtime = require.resolve('jest-runtime', {paths: [jestRunner]});
  return new RecordingSession({include: [...include], exclude: [...exclude]}, runtime);
}
