import type {ActionKey} from '../key/actionKey';
import {sha256} from '../key/fileHasher';
import type {InputList} from '../key/runtimeInputs';
import type {LocalStore} from '../store/localStore';
import type {Found} from '../store/twoStep';

/**
 * What `jest-runner-cache explain` compares: for the last stored pass of a test file,
 * every input line its keys covered, as it was then. Machine-local (it names rootDir),
 * found by the test file's absolute path.
 */
export interface Manifest {
  kind: 'manifest';
  /** The result entry this describes: a replay of another entry rewrites the manifest. */
  resultKey: string;
  testPath: string;
  rootDir: string;
  storedAt: string;
  /** Set when the pass was replayed from the remote cache (stored on another machine). */
  remote?: true;
  node: string;
  projectParts: Record<string, unknown>;
  outsideGraph: string;
  lines: string[];
  inputs: InputList;
  inputLines: string[];
}

function manifestKey(testPath: string, resultKey: string): string {
  return sha256(`manifest\0${testPath}\0${resultKey}`);
}

/** The manifest of the last pass stored or replayed for a test file, if any. */
export function readManifest(store: LocalStore, testPath: string): Manifest | undefined {
  const resultKey = store.explainIndex.map.get(testPath);
  if (!resultKey) return undefined;
  const manifest = store.get(manifestKey(testPath, resultKey));
  return isManifest(manifest) ? manifest : undefined;
}

/**
 * Records which stored pass a test file's next explain describes: the one just stored or
 * replayed. The store's explain index (one file, read once per run) names it, so a run
 * replaying the same passes as last time writes nothing.
 */
export function updateManifest(
  store: LocalStore,
  testPath: string,
  rootDir: string,
  key: ActionKey,
  found: Found,
  resultKey: string,
  origin: {remote?: true} = {},
): void {
  if (store.explainIndex.map.get(testPath) === resultKey) return;
  store.put(manifestKey(testPath, resultKey), {
    kind: 'manifest',
    resultKey,
    testPath,
    rootDir,
    storedAt: new Date().toISOString(),
    ...origin,
    node: process.version,
    projectParts: key.projectParts,
    outsideGraph: key.outsideGraph,
    lines: key.lines,
    inputs: found.inputs,
    inputLines: found.state.lines,
  } satisfies Manifest);
  store.explainIndex.set(testPath, resultKey);
}

export function isManifest(value: unknown): value is Manifest {
  const v = value as Manifest | undefined;
  // A manifest from before env reads were {names, listed} is not one this explain reads.
  return (
    typeof v === 'object' && v !== null && v.kind === 'manifest' && Array.isArray(v.lines) &&
    typeof v.inputs?.env?.listed === 'boolean'
  );
}
