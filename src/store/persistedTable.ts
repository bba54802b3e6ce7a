import * as fs from 'fs';
import * as path from 'path';
import {writeFileAtomic} from './atomicWrite';
import {decodeEntry, encodeEntry} from './entryCodec';

/**
 * A machine-local table kept beside the store entries (absolute paths are fine in it):
 * the file-hash table, the explain index. Read on first use (a run that never needs it,
 * such as the compiled lines in a run that replays everything, never reads it), then
 * kept in memory across watch reruns; written back only when changed. A corrupt file is
 * an empty table.
 */
export class PersistedTable<V> {
  private static readonly open = new Map<string, PersistedTable<unknown>>();
  private changed = false;
  private loaded: Map<string, V> | undefined;

  private constructor(private readonly file: string) {}

  static load<V>(dir: string, name: string): PersistedTable<V> {
    const file = path.join(dir, name);
    let table = PersistedTable.open.get(file) as PersistedTable<V> | undefined;
    if (table) return table;
    table = new PersistedTable<V>(file);
    PersistedTable.open.set(file, table as PersistedTable<unknown>);
    return table;
  }

  get map(): Map<string, V> {
    if (this.loaded) return this.loaded;
    const map = new Map<string, V>();
    try {
      const value = decodeEntry(fs.readFileSync(this.file));
      if (Array.isArray(value)) for (const [key, v] of value as [string, V][]) map.set(key, v);
    } catch {
      // absent or unreadable: start empty
    }
    return (this.loaded = map);
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
