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

function listing(dir: string, recursive: boolean): string {
  try {
    return fs.readdirSync(dir, {recursive}).map(String).sort().join('\n');
  } catch {
    return 'absent';
  }
}

/** One line per input, as it is now: content hash, folder listing, or env value. */
export function inputLines(list: InputList, rootDir: string, hasher: FileHasher): string[] {
  const lines = list.files.map(([relative, kind]) => {
    const file = path.resolve(rootDir, relative);
    const now =
      kind === 'list' || kind === 'tree' ? listing(file, kind === 'tree') : (hasher.hash(file) ?? 'absent');
    return `${relative} ${kind} ${now}`;
  });
  const names =
    list.env === '*' ? Object.keys(process.env).filter(n => !VOLATILE_ENV.has(n)).sort() : list.env;
  for (const name of names) lines.push(`env ${name}=${process.env[name] ?? '<unset>'}`);
  return lines;
}

/** The second step of a lookup: the stage key combined with the inputs' current state. */
export function resultKey(stageKey: string, lines: string[]): string {
  return sha256(JSON.stringify([stageKey, lines]));
}
