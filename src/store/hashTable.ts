import * as fs from 'fs';
import * as path from 'path';
import type {PersistedFingerprint} from '../key/fileHasher';
import {writeFileAtomic} from './atomicWrite';
import {decodeEntry, encodeEntry} from './entryCodec';

/**
 * The persisted file-hash table (path -> signature, hash): lets a run skip reading
 * files whose stat signature is unchanged. Machine-local, so absolute paths are fine.
 * Kept in memory across watch reruns of one process.
 */
const FILE = 'file-hashes';
const loaded = new Map<string, Map<string, PersistedFingerprint>>();

export function loadHashTable(dir: string): Map<string, PersistedFingerprint> {
  let table = loaded.get(dir);
  if (table) return table;
  table = new Map();
  try {
    const value = decodeEntry(fs.readFileSync(path.join(dir, FILE), 'utf8'));
    if (Array.isArray(value)) {
      for (const [file, fp] of value as [string, PersistedFingerprint][]) table.set(file, fp);
    }
  } catch {
    // absent or unreadable: start empty
  }
  loaded.set(dir, table);
  return table;
}

export function saveHashTable(dir: string, table: Map<string, PersistedFingerprint>): void {
  writeFileAtomic(path.join(dir, FILE), encodeEntry([...table]));
}
