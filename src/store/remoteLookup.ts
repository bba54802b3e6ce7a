import {resultKey, type CurrentInputs, type InputList} from '../key/runtimeInputs';
import {restoreRootDir} from '../replay/storedResult';
import {parseBody} from './entryCodec';
import type {RemoteStore} from './remoteStore';
import {isStoredEntry} from './storedEntry';
import {asEnvReads, isInputsEntry, type Found} from './twoStep';

/**
 * twoStep's lookup over the remote store: the stage key's artifact gives the runtime
 * inputs, those are fingerprinted here as they are now, and only that combined key gives
 * the result (carried in the stage artifact when the inputs are as they were stored).
 */
export async function lookupRemote(
  remote: RemoteStore,
  stageKey: string,
  rootDir: string,
  current: CurrentInputs,
): Promise<(Found & {resultKey: string}) | undefined> {
  const restore = restoreRootDir(rootDir);
  const stage = await remote.get(stageKey);
  const first = stage && parseBody(stage, restore);
  if (!isInputsEntry(first)) return undefined;
  const env = asEnvReads(await remote.getShared(first.inputs.env.ref));
  if (env === undefined) return undefined;
  const inputs: InputList = {files: first.inputs.files, env};
  const state = current.state(inputs, rootDir);
  const key = resultKey(stageKey, state);
  let entry: unknown = first.result;
  if (key !== first.resultKey) {
    const body = await remote.get(key);
    entry = body && parseBody(body, restore);
  }
  // An artifact is whole (save never splits one for the remote): one referring to parts
  // stored apart cannot be replayed.
  return isStoredEntry(entry) && entry.parts === undefined ? {entry, inputs, state, resultKey: key} : undefined;
}
