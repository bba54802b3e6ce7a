import * as fs from 'fs';
import * as path from 'path';
import {writeFileAtomic} from './atomicWrite';
import type {LocalStore} from './localStore';

/**
 * Why a project's stored passes are not trusted: one of them replayed a pass that failed
 * when run (see runner/verification). Kept in `<store>/distrusted/<pack name>` until a
 * verify run of the project finds no stale pass. Never trimmed.
 */
export interface Distrust {
  rootDir: string;
  /** The stale suite, relative to rootDir. */
  suite: string;
  /** The stage whose key would have replayed it. */
  stage: 'action' | 'content';
  at: string;
}

const FOLDER = 'distrusted';

function fileOf(store: LocalStore): string | undefined {
  return store.packName ? path.join(store.dir, FOLDER, store.packName) : undefined;
}

function parse(file: string): Distrust | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const value = JSON.parse(text) as Distrust;
    if (typeof value.rootDir === 'string' && typeof value.suite === 'string') return value;
  } catch {
    // garbled: the marker still stands
  }
  return {rootDir: '', suite: '(unknown: the marker is garbled)', stage: 'action', at: ''};
}

export function readDistrust(store: LocalStore): Distrust | undefined {
  const file = fileOf(store);
  return file ? parse(file) : undefined;
}

export function writeDistrust(store: LocalStore, distrust: Distrust): void {
  const file = fileOf(store);
  if (file) writeFileAtomic(file, JSON.stringify(distrust));
}

export function clearDistrust(store: LocalStore): void {
  const file = fileOf(store);
  if (file) fs.rmSync(file, {force: true});
}

/**
 * For explain, which knows a test file but not its project's config: the marker of a
 * project whose rootDir holds the file (the nearest one when projects nest).
 */
export function distrustCovering(storeDir: string, testPath: string): Distrust | undefined {
  const dir = path.join(storeDir, FOLDER);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return undefined;
  }
  return names
    .map(name => parse(path.join(dir, name)))
    .filter((d): d is Distrust => d !== undefined && d.rootDir !== '' && isInside(testPath, d.rootDir))
    .sort((a, b) => b.rootDir.length - a.rootDir.length)[0];
}

function isInside(file: string, dir: string): boolean {
  const relative = path.relative(dir, file);
  return !relative.startsWith('..') && !path.isAbsolute(relative);
}

/** One sentence for the report, the closing line's readers and explain. */
export function describeDistrust(d: Distrust): string {
  return (
    `stored passes of this project are not trusted: ${d.suite} replayed a stale pass (stage ${d.stage}` +
    `${d.at ? `, found ${d.at}` : ''}); its suites run until a verify run (JEST_RUNNER_CACHE=verify) finds no stale pass`
  );
}
