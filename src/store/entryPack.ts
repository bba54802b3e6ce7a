import * as fs from 'fs';
import {writeFileAtomic} from './atomicWrite';
import {seal, unseal} from './entryCodec';

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
  private readonly records = new Map<string, {key: string; body: string}>();
  /** Stage key -> entry body, for the lines as loaded. */
  private readonly bodies = new Map<string, string>();
  private changed = false;

  private constructor(readonly file: string) {}

  static load(file: string): EntryPack {
    const pack = new EntryPack(file);
    let body: string | undefined;
    try {
      body = unseal(fs.readFileSync(file));
    } catch {
      // absent or unreadable: empty
    }
    if (!body) return pack;
    for (const line of body.split('\n')) {
      const space = line.indexOf(' ', 65);
      if (line[64] !== ' ' || space < 0) continue;
      let testPath: string;
      try {
        testPath = decodeURIComponent(line.slice(65, space));
      } catch {
        continue; // not a line this writer makes: as if absent
      }
      const record = {key: line.slice(0, 64), body: line.slice(space + 1)};
      pack.records.set(testPath, record);
      pack.bodies.set(record.key, record.body);
    }
    return pack;
  }

  /** The body of the entry under `key`, if this pack holds it. */
  body(key: string): string | undefined {
    return this.bodies.get(key);
  }

  /** Records the entry a test file used in this run (undefined: none, the record goes). */
  use(testPath: string, key: string, body: string | undefined): void {
    if (body === undefined) {
      if (this.records.delete(testPath)) this.changed = true;
      return;
    }
    const record = this.records.get(testPath);
    if (record?.key === key && record.body === body) return;
    this.records.set(testPath, {key, body});
    this.changed = true;
  }

  /** Drops the records of the entry under `key`; true when there were some. */
  forget(key: string): boolean {
    if (!this.bodies.delete(key)) return false;
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
      .map(([testPath, {key, body}]) => [encodeURIComponent(testPath), key, body])
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([id, key, body]) => `${key} ${id} ${body}`);
    writeFileAtomic(this.file, seal(lines.join('\n')));
    this.changed = false;
  }
}
