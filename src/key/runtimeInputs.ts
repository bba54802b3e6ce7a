import * as fs from 'fs';
import * as path from 'path';
import {currentSignature, sha256, type FileHasher, type Fingerprint} from './fileHasher';
import {isIgnoredEnv, type AccessKind, type EnvReads, type Recording} from '../runtime/recording';

/** The inputs a test read at run time, as stored: paths relative to rootDir. */
export interface InputList {
  files: [string, AccessKind][];
  env: EnvReads;
}

/** Starts the state line of an enumerated environment: its names, as JSON (explain compares two). */
export const ENV_NAMES_LINE = 'env-names ';

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
    files: [...recording.files]
      .filter(
        ([file, {kind}]) =>
          !covered.exactly.has(file) && !(kind === 'module' && covered.asModules.has(file)),
      )
      .map(([file, {kind}]): [string, AccessKind] => [path.relative(rootDir, file), kind])
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    env: {names: [...recording.env.names].sort(), listed: recording.env.listed},
  };
}

/** What a test used of the recorded files (see contentAsUsed). */
export type ContentAsUsed =
  | {changed?: undefined; hashes: Map<string, string | null>; loadedAsKeyed: Set<string>}
  | {changed: string};

/**
 * The content each recorded file had when the test first used it, by the signature taken
 * just before that use: the run's hash of the file where it was made at that signature,
 * else the file's hash now if it still has that signature. `changed` names the first file
 * whose content then is not known for sure (edited since, or between the run's hash and
 * the use), or a key file (`keyFiles`, hashed when the keys were made) the test used with
 * other content than its key's. A module is read once per test file, so its content then
 * is all the test saw; a file outside the keys that the test read, stat'ed or listed itself
 * must also be unchanged now (it may have been used again). Whether a key file used
 * otherwise is unchanged now is left to the runner's check by content: Jest rewrites a
 * .snap file with equal content when it has obsolete entries.
 * `hashes` is what the stored state must hold for the files outside the keys;
 * `loadedAsKeyed`, the key files the test loaded as modules with their key's content (no
 * need to check those again).
 */
export function contentAsUsed(recording: Recording, hasher: FileHasher, keyFiles: Set<string>): ContentAsUsed {
  const hashes = new Map<string, string | null>();
  const loadedAsKeyed = new Set<string>();
  for (const [file, {kind, signature}] of recording.files) {
    const keyed = keyFiles.has(file);
    if (kind === 'list' || kind === 'tree') {
      // A listing is read when the pass is stored: the folder must be as the test saw it.
      if (!keyed && currentSignature(file) !== signature) return {changed: file};
      continue;
    }
    const known = hasher.fingerprint(file);
    let used: string | null;
    let now: Fingerprint | undefined;
    if (known.signature === signature) {
      used = known.hash;
    } else {
      now = hasher.fingerprintNow(file);
      if (now.signature !== signature) return {changed: file};
      used = now.hash;
    }
    if (keyed) {
      if (used !== known.hash) return {changed: file};
      if (kind === 'module') loadedAsKeyed.add(file);
      continue;
    }
    // `now`, when taken, has the signature already.
    if (kind !== 'module' && !now && currentSignature(file) !== signature) return {changed: file};
    hashes.set(file, used);
  }
  return {hashes, loadedAsKeyed};
}

/** Runtime inputs as they are now. */
export interface InputState {
  /** One line per input: content hash, folder listing, env value or names (explain compares them). */
  readonly lines: string[];
  /** Digest of the lines: what a result key combines with the stage key. */
  digest: string;
}

/**
 * The current state of runtime inputs, for one run: file hashes come from the run's
 * hasher; env values and folder listings are memoized too. Most tests of a project read
 * the same env variables, so the state of an env list is computed once per distinct list.
 */
export class CurrentInputs {
  private readonly envStates = new Map<string, InputState>();
  private readonly envByList = new WeakMap<EnvReads, InputState>();
  /** The state of inputs that are an env list alone, by that list's state. */
  private readonly envOnly = new WeakMap<InputState, InputState>();
  private readonly listings = new Map<string, string>();
  private names: string | undefined;
  /**
   * The environment as the run began: a recording session later adds its own variables
   * (NODE_OPTIONS) to this process's, and passes are stored while it is on.
   */
  private readonly env: NodeJS.ProcessEnv = {...process.env};

  constructor(readonly hasher: FileHasher) {}

  /** `used`: the files' hashes as the test used them (see contentAsUsed), where they differ from the run's. */
  state(list: InputList, rootDir: string, used?: Map<string, string | null>): InputState {
    if (list.files.length === 0) {
      // Most tests read no file at run time beyond their modules: one state per env list.
      const env = this.envState(list.env);
      let state = this.envOnly.get(env);
      if (state === undefined) this.envOnly.set(env, (state = this.stateOf([], env)));
      return state;
    }
    const fileLines = list.files.map(([relative, kind]) => {
      const file = path.resolve(rootDir, relative);
      const now =
        kind === 'list' || kind === 'tree'
          ? this.listing(file, kind === 'tree')
          : ((used?.has(file) ? used.get(file)! : this.hasher.hash(file)) ?? 'absent');
      return `${relative} ${kind} ${now}`;
    });
    return this.stateOf(fileLines, this.envState(list.env));
  }

  private stateOf(fileLines: string[], env: InputState): InputState {
    return {
      // Wanted only by explain and its manifests: not built for every replay.
      get lines() {
        return [...fileLines, ...env.lines];
      },
      digest: sha256(JSON.stringify([fileLines, env.digest])),
    };
  }

  private envState(env: EnvReads): InputState {
    // Most lists are one shared object (the stored entry's, read once): no need to join it.
    let state = this.envByList.get(env);
    if (state === undefined) this.envByList.set(env, (state = this.envStateOf(env)));
    return state;
  }

  private envStateOf({names, listed}: EnvReads): InputState {
    const id = `${listed}\n${names.join('\n')}`;
    let state = this.envStates.get(id);
    if (state === undefined) {
      const lines = names.map(name => `env ${name}=${this.env[name] ?? '<unset>'}`);
      if (listed) lines.push(ENV_NAMES_LINE + this.envNames());
      state = {lines, digest: sha256(JSON.stringify(lines))};
      this.envStates.set(id, state);
    }
    return state;
  }

  /** The names of the environment as an enumeration sees them, less the ignored ones (JSON). */
  private envNames(): string {
    this.names ??= JSON.stringify(Object.keys(this.env).filter(name => !isIgnoredEnv(name)).sort());
    return this.names;
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
