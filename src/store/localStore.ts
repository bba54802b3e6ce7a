import * as fs from 'fs';
import * as path from 'path';
import {writeFileAtomic} from './atomicWrite';
import {decodeEntry, encodeEntry, type TextTransform} from './entryCodec';
import {PersistedTable} from './persistedTable';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Entries live in folders named by the first byte of their key. */
const SHARD = /^[0-9a-f]{2}$/;

/**
 * Content-addressed entries under one folder, sharded by the key's first byte:
 * `<dir>/ab/abcdef...`. Writes are atomic across processes; every read checks the entry,
 * and a corrupt or unreadable one is removed and reported as a miss.
 */
export class LocalStore {
  private index: PersistedTable<string> | undefined;
  private buffer = Buffer.allocUnsafe(64 * 1024);

  constructor(readonly dir: string) {}

  /** Test file -> key of the result its explain manifest describes (see explain/manifest). */
  get explainIndex(): PersistedTable<string> {
    this.index ??= PersistedTable.load<string>(this.dir, 'explain-index');
    return this.index;
  }

  private pathOf(key: string): string {
    return path.join(this.dir, key.slice(0, 2), key);
  }

  /** The entry under `key`, `restore` applied to its checked text (see encodeEntry). */
  get(key: string, restore?: TextTransform): unknown {
    const file = this.pathOf(key);
    let data: string;
    let modified: number;
    try {
      // One fstat gives both the size to read and the last use (readFileSync would stat
      // again), and one buffer serves every read: a replay reads hundreds of entries.
      const fd = fs.openSync(file, 'r');
      try {
        const stat = fs.fstatSync(fd);
        modified = stat.mtimeMs;
        if (this.buffer.length < stat.size) this.buffer = Buffer.allocUnsafe(stat.size * 2);
        let read = 0;
        while (read < stat.size) {
          const n = fs.readSync(fd, this.buffer, read, stat.size - read, read);
          if (n === 0) break;
          read += n;
        }
        data = this.buffer.toString('utf8', 0, read);
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      return undefined;
    }
    const value = decodeEntry(data, restore);
    if (value === undefined) {
      fs.rmSync(file, {recursive: true, force: true});
      return undefined;
    }
    // Mark the entry as used, for trimming by age (a day's precision is plenty).
    if (Date.now() - modified > DAY_MS / 2) {
      const now = new Date();
      try {
        fs.utimesSync(file, now, now);
      } catch {
        // read-only stores still serve hits
      }
    }
    return value;
  }

  /** True when the store holds no entry (a first run, or a cleared cache). */
  isEmpty(): boolean {
    return !safeReaddir(this.dir).some(name => SHARD.test(name));
  }

  private readonly shared = new Map<string, unknown>();

  /**
   * For entries named by the hash of their own content (they never change): read once
   * per process. An entry that is absent is looked for again next time.
   */
  getShared(key: string): unknown {
    let value = this.shared.get(key);
    if (value === undefined) {
      value = this.get(key);
      if (value !== undefined) this.shared.set(key, value);
    }
    return value;
  }

  put(key: string, value: unknown, transform?: TextTransform): void {
    writeFileAtomic(this.pathOf(key), encodeEntry(value, transform));
  }

  /**
   * Removes entries unused for maxAgeDays, then the least recently used ones until the
   * store is under maxBytes. Runs at most once a day (a stamp file records the last trim).
   */
  trim(maxAgeDays: number, maxBytes: number, now = Date.now()): void {
    const stamp = path.join(this.dir, 'last-trim');
    try {
      if (now - fs.statSync(stamp).mtimeMs < DAY_MS) return;
    } catch {
      // never trimmed
    }
    writeFileAtomic(stamp, String(now));
    const entries: {file: string; used: number; size: number}[] = [];
    for (const shard of safeReaddir(this.dir)) {
      if (!SHARD.test(shard)) continue;
      for (const name of safeReaddir(path.join(this.dir, shard))) {
        const file = path.join(this.dir, shard, name);
        try {
          const stat = fs.statSync(file);
          entries.push({file, used: stat.mtimeMs, size: stat.size});
        } catch {
          // removed meanwhile by another process
        }
      }
    }
    entries.sort((a, b) => b.used - a.used);
    let total = 0;
    for (const entry of entries) {
      total += entry.size;
      if (now - entry.used > maxAgeDays * DAY_MS || total > maxBytes) {
        fs.rmSync(entry.file, {force: true});
      }
    }
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}
