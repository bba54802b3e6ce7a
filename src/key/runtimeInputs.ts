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

/**
 * The current state of runtime inputs, for one run: file hashes come from the run's
 * hasher; env values and folder listings are memoized too, since most tests of a project
 * read the same variables (Jest's own modules read dozens at load).
 */
export class CurrentInputs {
  private readonly env = new Map<string, string>();
  private readonly listings = new Map<string, string>();

  constructor(readonly hasher: FileHasher) {}

  /** One line per input, as it is now: content hash, folder listing, or env value. */
  lines(list: InputList, rootDir: string): string[] {
    const lines = list.files.map(([relative, kind]) => {
      const file = path.resolve(rootDir, relative);
      const now =
        kind === 'list' || kind === 'tree'
          ? this.listing(file, kind === 'tree')
          : (this.hasher.hash(file) ?? 'absent');
      return `${relative} ${kind} ${now}`;
    });
    const names =
      list.env === '*' ? Object.keys(process.env).filter(n => !VOLATILE_ENV.has(n)).sort() : list.env;
    for (const name of names) lines.push(this.envLine(name));
    return lines;
  }

  private envLine(name: string): string {
    let line = this.env.get(name);
    if (line === undefined) {
      line = `env ${name}=${process.env[name] ?? '<unset>'}`;
      this.env.set(name, line);
    }
    return line;
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
export function resultKey(stageKey: string, lines: string[]): string {
  return sha256(JSON.stringify([stageKey, lines]));
}
