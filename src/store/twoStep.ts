import {resultKey, type CurrentInputs, type InputList} from '../key/runtimeInputs';
import type {LocalStore} from './localStore';
import {isStoredEntry, type StoredEntry} from './storedEntry';

/**
 * What a stage key leads to: the inputs the test read at run time (Go's test log), and
 * the result stored with them. The result rides along so that a hit whose inputs are as
 * they were last stored costs one read; inputs now in another state (an env variable
 * set differently) lead on to the result stored under that state's own key.
 */
interface InputsEntry {
  kind: 'inputs';
  /** Test file relative to rootDir (for debugging and the store's tests). */
  testPath: string;
  inputs: InputList;
  /** The result key of `result`: the stage key combined with the inputs as they were. */
  resultKey: string;
  result: StoredEntry;
}

function isInputsEntry(value: unknown): value is InputsEntry {
  const v = value as InputsEntry | undefined;
  return (
    typeof v === 'object' && v !== null && v.kind === 'inputs' && Array.isArray(v.inputs?.files) &&
    (v.inputs.env === '*' || Array.isArray(v.inputs.env)) && typeof v.resultKey === 'string' &&
    isStoredEntry(v.result)
  );
}

export interface Found {
  entry: StoredEntry;
  inputs: InputList;
  /** The inputs' current state, one line each (see CurrentInputs). */
  lines: string[];
}

/**
 * Two-step lookup, as in Go: the stage key finds the list of runtime inputs, those are
 * fingerprinted as they are now, and only that combined key finds the result.
 */
export function lookup(
  store: LocalStore,
  stageKey: string,
  rootDir: string,
  current: CurrentInputs,
): (Found & {resultKey: string}) | undefined {
  const first = store.get(stageKey);
  if (!isInputsEntry(first)) return undefined;
  const lines = current.lines(first.inputs, rootDir);
  const key = resultKey(stageKey, lines);
  const entry = key === first.resultKey ? first.result : store.get(key);
  return isStoredEntry(entry) ? {entry, inputs: first.inputs, lines, resultKey: key} : undefined;
}

/** Stores a result under a stage key (both steps); returns the result's own key. */
export function save(store: LocalStore, stageKey: string, found: Found): string {
  const key = resultKey(stageKey, found.lines);
  // The result first: a reader never finds a list that leads nowhere.
  store.put(key, found.entry);
  store.put(stageKey, {
    kind: 'inputs',
    testPath: found.entry.testPath,
    inputs: found.inputs,
    resultKey: key,
    result: found.entry,
  } satisfies InputsEntry);
  return key;
}
