import * as fs from 'fs';
import * as path from 'path';
import {currentSignature, sha256, type FileHasher} from './fileHasher';
import type {AccessKind, Recording} from '../runtime/recording';
import {VOLATILE_ENV} from '../runtime/recording';

/** The inputs a test read at run time, as stored: paths relative to rootDir. */
export interface InputList {
  files: [string, AccessKind][];
  env: string[] | '*';
}

/**
 * The stored list, less what the stage keys already cover: files hashed exactly (config
 * and setup files, the snapshot), and the modules of the test's closure (the content key
 * covers those by what the bundle executes, so a comment edit there must not miss). A
 * closure file read through fs stays: its text is the input.
 */
export function inputListOf(
  recording: Recording,
  rootDir: string,
  covered: {exactly: Set<string>; asModules: Set<string>},
): InputList {
  return {
    files: Object.entries(recording.files)
      .filter(
        ([file, {kind}]) =>
          !covered.exactly.has(file) && !(kind === 'module' && covered.asModules.has(file)),
      )
      .map(([file, {kind}]): [string, AccessKind] => [path.relative(rootDir, file), kind])
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    env: recording.env === '*' ? '*' : [...recording.env].sort(),
  };
}

/**
 * A recorded file that changed after the test first used it, if any. Files the stage key
 * covers are skipped: the runner re-checks those by content (Jest rewrites a .snap file
 * with equal content when it has obsolete entries).
 */
export function changedDuringRun(recording: Recording, keyFiles: Set<string>): string | undefined {
  return Object.entries(recording.files).find(
    ([file, {signature}]) => !keyFiles.has(file) && currentSignature(file) !== signature,
  )?.[0];
}

/** Runtime inputs as they are now. */
export interface InputState {
  /** One line per input: content hash, folder listing, or env value (explain compares them). */
  readonly lines: string[];
  /** Digest of the lines: what a result key combines with the stage key. */
  digest: string;
}

/**
 * The current state of runtime inputs, for one run: file hashes come from the run's
 * hasher; env values and folder listings are memoized too. Most tests of a project read
 * the same env variables (Jest's own modules read dozens at load), so the state of an
 * env list is computed once per distinct list.
 */
export class CurrentInputs {
  private readonly envStates = new Map<string, InputState>();
  private readonly envByList = new WeakMap<string[], InputState>();
  private readonly listings = new Map<string, string>();

  constructor(readonly hasher: FileHasher) {}

  state(list: InputList, rootDir: string): InputState {
    const fileLines = list.files.map(([relative, kind]) => {
      const file = path.resolve(rootDir, relative);
      const now =
        kind === 'list' || kind === 'tree'
          ? this.listing(file, kind === 'tree')
          : (this.hasher.hash(file) ?? 'absent');
      return `${relative} ${kind} ${now}`;
    });
    const env = this.envState(list.env);
    return {
      // Wanted only by explain and its manifests: not built for every replay.
      get lines() {
        return [...fileLines, ...env.lines];
      },
      digest: sha256(JSON.stringify([fileLines, env.digest])),
    };
  }

  private envState(env: InputList['env']): InputState {
    if (env === '*') return this.envStateOf(Object.keys(process.env).filter(n => !VOLATILE_ENV.has(n)).sort());
    // Most lists are one shared array (the stored entry's, read once): no need to join it.
    let state = this.envByList.get(env);
    if (state === undefined) this.envByList.set(env, (state = this.envStateOf(env)));
    return state;
  }

  private envStateOf(names: string[]): InputState {
    const id = names.join('\n');
    let state = this.envStates.get(id);
    if (state === undefined) {
      const lines = names.map(name => `env ${name}=${process.env[name] ?? '<unset>'}`);
      state = {lines, digest: sha256(JSON.stringify(lines))};
      this.envStates.set(id, state);
    }
    return state;
  }

  private listing(dir: string, recursive: boolean): string {
    const at = `${recursive ? 'tree' : 'list'}:${dir}`;
    let names = this.listings.get(at);
    if (names === undefined) {
      try {
        names = fs.readdirSync(dir, {recursive}).map(String).sort().join('\n');
      } catch {
        names = 'absent';
      }
      this.listings.set(at, names);
    }
    return names;
  }
}

/** The second step of a lookup: the stage key combined with the inputs' current state. */
export function resultKey(stageKey: string, state: InputState): string {
  return sha256(`${stageKey}\0${state.digest}`);
}
