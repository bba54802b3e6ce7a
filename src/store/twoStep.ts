import type {FileHasher} from '../key/fileHasher';
import {resultKey, type InputList} from '../key/runtimeInputs';
import type {LocalStore} from './localStore';
import {isStoredEntry, type StoredEntry} from './storedEntry';

/** What a stage key leads to: the inputs the test read at run time (Go's test log). */
interface InputsEntry {
  kind: 'inputs';
  inputs: InputList;
}

function isInputsEntry(value: unknown): value is InputsEntry {
  const v = value as InputsEntry | undefined;
  return (
    typeof v === 'object' && v !== null && v.kind === 'inputs' && Array.isArray(v.inputs?.files) &&
    (v.inputs.env === '*' || Array.isArray(v.inputs.env))
  );
}

export interface Found {
  entry: StoredEntry;
  inputs: InputList;
}

/**
 * Two-step lookup, as in Go: the stage key finds the list of runtime inputs, those are
 * fingerprinted as they are now, and only that combined key finds the result.
 */
export function lookup(
  store: LocalStore,
  stageKey: string,
  rootDir: string,
  hasher: FileHasher,
): Found | undefined {
  const first = store.get(stageKey);
  if (!isInputsEntry(first)) return undefined;
  const entry = store.get(resultKey(stageKey, first.inputs, rootDir, hasher));
  return isStoredEntry(entry) ? {entry, inputs: first.inputs} : undefined;
}

export function save(
  store: LocalStore,
  stageKey: string,
  found: Found,
  rootDir: string,
  hasher: FileHasher,
): void {
  store.put(resultKey(stageKey, found.inputs, rootDir, hasher), found.entry);
  store.put(stageKey, {kind: 'inputs', inputs: found.inputs} satisfies InputsEntry);
}
