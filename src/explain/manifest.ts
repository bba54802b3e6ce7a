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
  node: string;
  projectParts: Record<string, unknown>;
  outsideGraph: string;
  lines: string[];
  inputs: InputList;
  inputLines: string[];
}

export function manifestKey(testPath: string): string {
  return sha256(`manifest\0${testPath}`);
}

/**
 * Records which stored pass a test file's next explain describes: the one just stored or
 * replayed. Written only when that changes, so a run replaying everything writes nothing.
 */
export function updateManifest(
  store: LocalStore,
  testPath: string,
  rootDir: string,
  key: ActionKey,
  found: Found,
  resultKey: string,
): void {
  const at = manifestKey(testPath);
  const current = store.get(at);
  if (isManifest(current) && current.resultKey === resultKey) return;
  store.put(at, {
    kind: 'manifest',
    resultKey,
    testPath,
    rootDir,
    storedAt: new Date().toISOString(),
    node: process.version,
    projectParts: key.projectParts,
    outsideGraph: key.outsideGraph,
    lines: key.lines,
    inputs: found.inputs,
    inputLines: found.lines,
  } satisfies Manifest);
}

export function isManifest(value: unknown): value is Manifest {
  const v = value as Manifest | undefined;
  return typeof v === 'object' && v !== null && v.kind === 'manifest' && Array.isArray(v.lines);
}
