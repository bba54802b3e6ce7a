import * as fs from 'fs';
import {writeFileAtomic} from './atomicWrite';
import {sealBytes, unsealBytes} from './entryCodec';

/**
 * The stage entries one project's recent runs used, one per test file, in one sealed
 * file: a run that replays a thousand suites reads one file, not one per suite. Each line
 * is `<stage key> <test path, URI-encoded> <entry body as stored under that key>` (an
 * entry's JSON has no raw newline). It only copies entries: a key's body is the body its
 * entry had when used, and any entry once stored under a key is a valid answer for it.
 * A missing or corrupt pack is an empty one; lookups then read the entries themselves.
 */
export class EntryPack {
  /** Test path -> the entry it used. */
  private readonly records = new Map<string, PackRecord>();
  /** Stage key -> the record of a line as loaded. */
  private readonly loaded = new Map<string, PackRecord>();
  private changed = false;

  private constructor(readonly file: string) {}

  static load(file: string): EntryPack {
    const pack = new EntryPack(file);
    let body: Buffer | undefined;
    try {
      body = unsealBytes(fs.readFileSync(file));
    } catch {
      // absent or unreadable: empty
    }
    if (!body) return pack;
    // Bodies stay bytes (see PackRecord): each is decoded when asked for, the text the caller's to drop.
    for (let start = 0; start < body.length; ) {
      let end = body.indexOf(10, start);
      if (end < 0) end = body.length;
      const line = body.subarray(start, end);
      start = end + 1;
      const space = line.indexOf(32, 65);
      if (line[64] !== 32 || space < 0) continue;
      let testPath: string;
      try {
        testPath = decodeURIComponent(line.toString('latin1', 65, space));
      } catch {
        continue; // not a line this writer makes: as if absent
      }
      const record: PackRecord = {key: line.toString('latin1', 0, 64), body: line.subarray(space + 1)};
      pack.records.set(testPath, record);
      pack.loaded.set(record.key, record);
    }
    return pack;
  }

  /** The body of the entry under `key`, if this pack holds it. */
  body(key: string): string | undefined {
    return this.loaded.get(key)?.body.toString('utf8');
  }

  /**
   * Records the entry a test file used in this run: `body` (UTF-8) when it was read
   * elsewhere or written, else this pack's own entry under `key` (none: the record goes).
   */
  use(testPath: string, key: string, body: Buffer | undefined): void {
    const record = body === undefined ? this.loaded.get(key) : {key, body};
    const current = this.records.get(testPath);
    if (record === undefined) {
      if (current) this.changed = true;
      this.records.delete(testPath);
      return;
    }
    if (current === record || (current?.key === key && current.body.equals(record.body))) return;
    this.records.set(testPath, record);
    this.changed = true;
  }

  /** Drops the records of the entry under `key`; true when there were some. */
  forget(key: string): boolean {
    if (!this.loaded.delete(key)) return false;
    for (const [testPath, record] of this.records) if (record.key === key) this.records.delete(testPath);
    this.changed = true;
    return true;
  }

  /** Drops the records of test files that no longer exist. */
  prune(exists: (testPath: string) => boolean): void {
    for (const testPath of this.records.keys()) {
      if (!exists(testPath)) {
        this.records.delete(testPath);
        this.changed = true;
      }
    }
  }

  /** Writes the pack when a record changed since it was loaded. */
  save(): void {
    if (!this.changed) return;
    // In test path order: the same records make the same file, whatever order tests ran in.
    const lines = [...this.records]
      .map(([testPath, record]) => ({id: encodeURIComponent(testPath), record}))
      .sort(({id: a}, {id: b}) => (a < b ? -1 : a > b ? 1 : 0));
    const bytes: Buffer[] = [];
    for (const {id, record} of lines) {
      bytes.push(Buffer.from(`${bytes.length > 0 ? '\n' : ''}${record.key} ${id} `), record.body);
    }
    writeFileAtomic(this.file, sealBytes(Buffer.concat(bytes)));
    this.changed = false;
  }
}

/**
 * A test file's entry. Bodies are bytes, outside the JS heap: a cold run keeps a body per
 * pass until the pack is written, and a run's garbage collections copy every string kept.
 */
type PackRecord = {key: string; body: Buffer};
