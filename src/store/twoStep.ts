import {resultKey, type CurrentInputs, type InputList, type InputState} from '../key/runtimeInputs';
import {sha256} from '../key/fileHasher';
import type {EnvReads} from '../runtime/recording';
import {restoreRootDir, tokenizeRootDir} from '../replay/storedResult';
import type {TextTransform} from './entryCodec';
import type {LocalStore} from './localStore';
import {joinParts, splitParts} from './sharedParts';
import {isStoredEntry, type StoredEntry} from './storedEntry';

/**
 * What a stage key leads to: the inputs the test read at run time (Go's test log), and
 * the result stored with them. The result rides along so that a hit costs one read;
 * inputs now in another state (an env variable set differently) lead on to the result
 * stored under that state's own key (see save).
 */
export interface InputsEntry {
  kind: 'inputs';
  /** Test file relative to rootDir (for debugging and the store's tests). */
  testPath: string;
  /** The env reads are shared by most tests of a project: stored once, by key (EnvEntry). */
  inputs: {files: InputList['files']; env: {ref: string}};
  /** The result key of `result`: the stage key combined with the inputs as they were. */
  resultKey: string;
  result: StoredEntry;
}

/** The env reads of a test, under the hash of their content. */
interface EnvEntry extends EnvReads {
  kind: 'env';
}

export function isInputsEntry(value: unknown): value is InputsEntry {
  const v = value as InputsEntry | undefined;
  return (
    typeof v === 'object' && v !== null && v.kind === 'inputs' && Array.isArray(v.inputs?.files) &&
    typeof v.inputs.env?.ref === 'string' && typeof v.resultKey === 'string' &&
    isStoredEntry(v.result)
  );
}

function envKey({names, listed}: EnvReads): string {
  return sha256(`env\0${listed}\0${names.join('\n')}`);
}

/** The env reads an env entry holds, or undefined when the value is not one. */
export function asEnvReads(value: unknown): EnvReads | undefined {
  const entry = value as EnvEntry | undefined;
  return entry?.kind === 'env' && Array.isArray(entry.names) && typeof entry.listed === 'boolean' ? entry : undefined;
}

/**
 * The stored env reads a stage entry refers to (one shared object: CurrentInputs memoizes
 * by it); undefined when that entry is gone.
 */
function envReads(store: LocalStore, env: InputsEntry['inputs']['env']): EnvReads | undefined {
  return asEnvReads(store.getShared(env.ref));
}

/** Where save writes: the local store, or the remote one (uploads). */
export interface EntryWriter {
  put(key: string, value: unknown, transform?: TextTransform): void;
  /** `packable`: a test file's own entry, which the project's pack may copy (see LocalStore.savePack). */
  putStage(key: string, value: unknown, transform: TextTransform, packable: boolean): void;
  /** True when the entry under `key`, named by the hash of its content, is there already. */
  holds(key: string): boolean;
  /**
   * Stores a part shared by many entries and returns its key (see sharedParts). Only the
   * local store has it: a writer without it (the remote) gets entries whole, so each
   * artifact is self-contained.
   */
  putPart?(value: unknown, transform: TextTransform): string;
}

export interface Found {
  entry: StoredEntry;
  inputs: InputList;
  /** The inputs' current state (see CurrentInputs). */
  state: InputState;
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
  const restore = restoreRootDir(rootDir);
  const first = store.getStage(stageKey, restore);
  if (!isInputsEntry(first)) return undefined;
  const env = envReads(store, first.inputs.env);
  if (env === undefined) return undefined;
  const inputs: InputList = {files: first.inputs.files, env};
  const state = current.state(inputs, rootDir);
  const key = resultKey(stageKey, state);
  const stored = key === first.resultKey ? first.result : store.get(key, restore);
  if (!isStoredEntry(stored)) return undefined;
  // Its shared coverage parts: one missing or corrupt makes this a miss (the suite runs).
  const entry = joinParts(stored, ref => store.getPart(ref, restore));
  return entry && {entry, inputs, state, resultKey: key};
}

/**
 * Stores a result under a stage key (both steps); returns the result's own key.
 * `resultCopy: false` leaves out the copy under the result's own key (see below): for the
 * stage-2 keys of a pass also stored under its action key, which keeps that copy. Each
 * copy is a file written per stored pass; a stage-2 entry rewritten for another state
 * then only costs a run. Such an entry is not packable either: a pack holds the entries
 * of action keys.
 */
export function save(store: EntryWriter, stageKey: string, found: Found, rootDir: string, resultCopy = true): string {
  const key = resultKey(stageKey, found.state);
  const tokenize = tokenizeRootDir(rootDir);
  const {files, env} = found.inputs;
  // What a reader follows is written first: it never finds a reference that leads nowhere.
  const storedEnv = {ref: envKey(env)};
  if (!store.holds(storedEnv.ref)) {
    store.put(storedEnv.ref, {kind: 'env', names: env.names, listed: env.listed} satisfies EnvEntry);
  }
  // The coverage parts shared by other suites' entries, stored apart (local store only).
  const stored = store.putPart ? splitParts(found.entry, part => store.putPart!(part, tokenize)) : found.entry;
  // The result also under its own key: when the stage entry is later rewritten for
  // another state of the inputs (an env variable set differently, here or in a process
  // storing at the same moment), this state still hits, as in Go.
  if (resultCopy) store.put(key, stored, tokenize);
  const entry: InputsEntry = {
    kind: 'inputs',
    testPath: found.entry.testPath,
    inputs: {files, env: storedEnv},
    resultKey: key,
    result: stored,
  };
  store.putStage(stageKey, entry, tokenize, resultCopy);
  return key;
}
