import type {ActionKey} from '../key/actionKey';
import {sha256} from '../key/fileHasher';
import type {InputList} from '../key/runtimeInputs';

/**
 * What `jest-runner-cache explain` compares: for the last stored pass of a test file,
 * every input line its keys covered, as it was then. Machine-local (it names rootDir),
 * found by the test file's absolute path.
 */
export interface Manifest {
  kind: 'manifest';
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

export function buildManifest(
  testPath: string,
  rootDir: string,
  key: ActionKey,
  inputs: InputList,
  inputLines: string[],
): Manifest {
  return {
    kind: 'manifest',
    testPath,
    rootDir,
    storedAt: new Date().toISOString(),
    node: process.version,
    projectParts: key.projectParts,
    outsideGraph: key.outsideGraph,
    lines: key.lines,
    inputs,
    inputLines,
  };
}

export function isManifest(value: unknown): value is Manifest {
  const v = value as Manifest | undefined;
  return typeof v === 'object' && v !== null && v.kind === 'manifest' && Array.isArray(v.lines);
}
