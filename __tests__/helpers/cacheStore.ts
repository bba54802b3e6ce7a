import {createHash} from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type {RunResult} from './fixtureProject';

/** The runner's default store folder for a Jest cacheDirectory. */
export function storeDir(cacheDir: string): string {
  return path.join(cacheDir, 'jest-runner-cache');
}

/** Entry files of a store folder: `<store>/<2 hex>/<64 hex>` (temp files excluded). */
export function listStoreEntries(root: string): string[] {
  const entries: string[] = [];
  const shards = fs.existsSync(root) ? fs.readdirSync(root) : [];
  for (const shard of shards.sort()) {
    if (!/^[0-9a-f]{2}$/.test(shard)) continue;
    for (const name of fs.readdirSync(path.join(root, shard)).sort()) {
      if (/^[0-9a-f]{64}$/.test(name) && name.startsWith(shard)) {
        entries.push(path.join(root, shard, name));
      }
    }
  }
  return entries;
}

/** The pack files of the runner's default store (one per project: src/store/entryPack.ts). */
export function listPacks(cacheDir: string): string[] {
  const dir = path.join(storeDir(cacheDir), 'packs');
  return fs.existsSync(dir) ? fs.readdirSync(dir).map(name => path.join(dir, name)) : [];
}

/** Entry files of the runner's default store for a Jest cacheDirectory. */
export function listEntries(cacheDir: string): string[] {
  return listStoreEntries(storeDir(cacheDir));
}

export interface DecodedEntry {
  file: string;
  /** True when the file is `JRC1 <sha256 of body>\n<body>` (how entries and packs are sealed). */
  sealed: boolean;
  /** True when it is sealed and the body is JSON (an entry). */
  valid: boolean;
  header: string;
  body: string;
  /** What the entry holds: 'result' (a stored pass), 'inputs' (a runtime input list and its result), 'env' (env names), 'manifest'. */
  kind?: string;
  /** The stored suite's path relative to rootDir, when the body says so. */
  testPath?: string;
}

/** Reads an entry file the way the store's format is documented (src/store/entryCodec.ts). */
export function decodeEntryFile(file: string): DecodedEntry {
  const data = fs.readFileSync(file, 'utf8');
  const newline = data.indexOf('\n');
  const header = newline < 0 ? data : data.slice(0, newline);
  const body = newline < 0 ? '' : data.slice(newline + 1);
  const [magic, hash] = header.split(' ');
  let parsed: {testPath?: unknown; kind?: unknown} | undefined;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  const sealed = magic === 'JRC1' && hash === createHash('sha256').update(body).digest('hex');
  const valid = sealed && parsed !== undefined;
  const testPath = typeof parsed?.testPath === 'string' ? parsed.testPath : undefined;
  const kind = typeof parsed?.kind === 'string' ? parsed.kind : undefined;
  return {file, sealed, valid, header, body, kind, testPath};
}

/** Outcome map a run is expected to report, built from the suites that must rerun. */
export function expectedOutcomes(
  all: readonly string[],
  rerun: readonly string[],
  bypass: readonly string[],
): Record<string, RunResult['outcomes'][string]> {
  for (const suite of [...rerun, ...bypass]) {
    if (!all.includes(suite)) throw new Error(`unknown suite ${suite}`);
  }
  const outcomes: Record<string, RunResult['outcomes'][string]> = {};
  for (const suite of all) {
    outcomes[suite] = bypass.includes(suite) ? 'bypass' : rerun.includes(suite) ? 'ran' : 'hit-action';
  }
  return outcomes;
}
