import * as fs from 'fs';
import * as path from 'path';
import {writeFileAtomic} from './atomicWrite';
import {decodeEntry, encodeEntry} from './entryCodec';

/**
 * A machine-local table kept beside the store entries (absolute paths are fine in it):
 * the file-hash table, the explain index. Loaded once per process and kept in memory
 * across watch reruns; written back only when changed. A corrupt file is an empty table.
 */
export class PersistedTable<V> {
  private static readonly open = new Map<string, PersistedTable<unknown>>();
  private changed = false;

  private constructor(
    private readonly file: string,
    readonly map: Map<string, V>,
  ) {}

  static load<V>(dir: string, name: string): PersistedTable<V> {
    const file = path.join(dir, name);
    let table = PersistedTable.open.get(file) as PersistedTable<V> | undefined;
    if (table) return table;
    const map = new Map<string, V>();
    try {
      const value = decodeEntry(fs.readFileSync(file, 'utf8'));
      if (Array.isArray(value)) for (const [key, v] of value as [string, V][]) map.set(key, v);
    } catch {
      // absent or unreadable: start empty
    }
    table = new PersistedTable(file, map);
    PersistedTable.open.set(file, table as PersistedTable<unknown>);
    return table;
  }

  set(key: string, value: V): void {
    this.map.set(key, value);
    this.changed = true;
  }

  delete(key: string): void {
    if (this.map.delete(key)) this.changed = true;
  }

  save(): void {
    if (!this.changed) return;
    writeFileAtomic(this.file, encodeEntry([...this.map]));
    this.changed = false;
  }
}
