import type {TestResult} from '@jest/test-result';
import {updateManifest} from '../explain/manifest';
import {relativePath} from '../key/keyLines';
import {contentAsUsed, inputListOf, type CurrentInputs} from '../key/runtimeInputs';
import {detachSourceMaps, type SourceMaps} from '../replay/sourceMaps';
import type {Recording} from '../runtime/recording';
import type {LocalStore} from '../store/localStore';
import type {StoredEntry} from '../store/storedEntry';
import {save} from '../store/twoStep';
import type {PlannedTest} from './projectKeys';
import type {RemoteCache} from './remoteCache';
import {whyNotStored} from './storePolicy';

/**
 * Stores a fresh pass under every stage key known (action, module, content), with the
 * runtime inputs it recorded, unless it may not be stored: then the outcome says why. A
 * pass whose content key is still being computed waits for it (storeUnderContentKeys).
 */
export function storePass(
  p: PlannedTest,
  result: TestResult,
  recording: Recording | undefined,
  current: CurrentInputs,
  store: LocalStore,
  remote: RemoteCache | undefined,
): void {
  if (!p.key) return;
  const rootDir = p.test.context.config.rootDir;
  const refuse = (reason: string) => {
    p.outcome.outcome = 'bypass';
    p.outcome.reason = `not stored: ${reason}`;
  };
  const reason = whyNotStored(result);
  if (reason) {
    p.outcome.reason = `not stored: ${reason}`;
    return;
  }
  if (!recording) return refuse('its runtime inputs were not recorded');
  if (recording.spawned) return refuse(`it started ${recording.spawned}, whose reads are unknown`);
  if (recording.incomplete) return refuse(recording.incomplete);
  const changedWhileRunning = (file: string) => refuse(`${relativePath(rootDir, file) || '.'} changed while the suite ran`);
  const used = contentAsUsed(recording, current.hasher, new Set(p.key.files));
  if (used.changed !== undefined) return changedWhileRunning(used.changed);
  const changed = p.key.files.find(file => !used.loadedAsKeyed.has(file) && !current.hasher.unchangedSince(file));
  if (changed !== undefined) return changedWhileRunning(changed);
  let sourceMaps: SourceMaps | undefined;
  try {
    sourceMaps = detachSourceMaps(result);
  } catch (error) {
    return refuse((error as Error).message);
  }
  // A replay gives the result its test's path (replaySuite): stored relative, the path is
  // not a rootDir for the replay to restore.
  result.testFilePath = p.outcome.path;
  const entry: StoredEntry = {
    kind: 'result',
    testPath: p.outcome.path,
    runtimeMs: result.perfStats.end - result.perfStats.start,
    result,
    sourceMaps,
  };
  const closure = new Set(p.key.closure);
  const exactly = new Set(p.key.files.filter(file => !closure.has(file)));
  const inputs = inputListOf(recording, rootDir, {exactly, asModules: closure});
  const found = {entry, inputs, state: current.state(inputs, rootDir, used.hashes)};
  try {
    const resultKey = save(store, p.key.key, found, rootDir);
    if (p.moduleKey) save(store, p.moduleKey, found, rootDir, false);
    if (p.contentKey) save(store, p.contentKey, found, rootDir, false);
    else p.awaitingContentKey = found;
    updateManifest(store, p.test.path, rootDir, p.key, found, resultKey);
    const keys = [p.key.key, p.moduleKey, p.contentKey].filter((key): key is string => key !== undefined);
    remote?.upload(keys, found, rootDir);
  } catch (error) {
    p.outcome.reason = `not stored: ${(error as Error).message}`;
  }
}

/**
 * Passes stored before their stage-2 keys were known, stored under them now, unless a
 * file the keys cover changed before the bundler read it: the keys would then describe
 * code the test never ran.
 */
export function storeUnderContentKeys(
  planned: PlannedTest[],
  store: LocalStore,
  current: CurrentInputs,
  remote: RemoteCache | undefined,
): void {
  const unchanged = new Map<string, boolean>();
  const isUnchanged = (file: string) => {
    let known = unchanged.get(file);
    if (known === undefined) unchanged.set(file, (known = current.hasher.unchangedSince(file)));
    return known;
  };
  for (const p of planned) {
    const keys = [p.moduleKey, p.contentKey].filter((key): key is string => key !== undefined);
    if (!p.awaitingContentKey || keys.length === 0) continue;
    const {rootDir} = p.test.context.config;
    const changed = p.key!.files.find(file => !isUnchanged(file));
    if (changed) {
      p.outcome.reason = `not stored under its content key: ${relativePath(rootDir, changed)} changed while the suite ran`;
      p.awaitingContentKey = undefined;
      continue;
    }
    try {
      for (const key of keys) save(store, key, p.awaitingContentKey, rootDir, false);
      remote?.upload(keys, p.awaitingContentKey, rootDir);
    } catch (error) {
      p.outcome.reason = `not stored under its content key: ${(error as Error).message}`;
    }
    p.awaitingContentKey = undefined;
  }
}
