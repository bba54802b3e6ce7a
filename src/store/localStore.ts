import * as fs from 'fs';
import * as path from 'path';
import {sha256} from '../key/fileHasher';
import {writeFileAtomic} from './atomicWrite';
import {IN_PLACE, type EntryFileWriter} from './backgroundWriter';
import {entryBody, parseBody, unseal, type TextTransform} from './entryCodec';
import {EntryPack} from './entryPack';
import {PersistedTable} from './persistedTable';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Entries live in folders named by the first byte of their key. */
const SHARD = /^[0-9a-f]{2}$/;
/** The folder of the projects' packs (see EntryPack); trimmed as entries are. */
const PACKS = 'packs';
/** The folder of files a replay hands to Jest by path (see fileWith); trimmed as entries are. */
const FILES = 'files';

/** Marks a store file as used, for trimming by age (a day's precision is plenty). */
function markUsed(file: string, modified: number): void {
  if (Date.now() - modified <= DAY_MS / 2) return;
  const now = new Date();
  try {
    fs.utimesSync(file, now, now);
  } catch {
    // read-only stores still serve hits
  }
}

/**
 * Content-addressed entries under one folder, sharded by the key's first byte:
 * `<dir>/ab/abcdef...`. Writes are atomic across processes; every read checks the entry,
 * and a corrupt or unreadable one is removed and reported as a miss.
 */
export class LocalStore {
  private index: PersistedTable<string> | undefined;
  private buffer = Buffer.allocUnsafe(64 * 1024);
  private pack: EntryPack | undefined;
  /** Bodies of the stage entries read from their files or written this run, by key (see savePack). */
  private readonly stageBodies = new Map<string, Buffer>();

  /** Keys written this run: `holds` knows them before their files land (see writer). */
  private readonly written = new Set<string>();

  /**
   * `packName` names the pack of stage entries of the project this store serves (see
   * EntryPack). With a run's BackgroundWriter as `writer`, entries land later, in order;
   * until then reading one finds it absent.
   */
  constructor(
    readonly dir: string,
    readonly packName?: string,
    private readonly writer: EntryFileWriter = IN_PLACE,
  ) {}

  /** Test file -> key of the result its explain manifest describes (see explain/manifest). */
  get explainIndex(): PersistedTable<string> {
    this.index ??= PersistedTable.load<string>(this.dir, 'explain-index');
    return this.index;
  }

  private pathOf(key: string): string {
    return path.join(this.dir, key.slice(0, 2), key);
  }

  /** The entry under `key`, `restore` applied to its checked text (see entryBody). */
  get(key: string, restore?: TextTransform): unknown {
    const body = this.read(key);
    return body === undefined ? undefined : this.parseRead(key, body, restore);
  }

  /**
   * A stage entry (see twoStep): from the project's pack when it holds the key (a sealed
   * copy: its JSON is whole), else from its file, whose body is kept for the pack this run
   * writes (savePack).
   */
  getStage(key: string, restore: TextTransform): unknown {
    const packed = this.packed()?.body(key);
    if (packed !== undefined) return parseBody(packed, restore);
    const body = this.read(key);
    if (body === undefined) return undefined;
    this.stageBodies.set(key, Buffer.from(body));
    return this.parseRead(key, body, restore);
  }

  /** The value of an entry file's body; one that is not JSON is removed. */
  private parseRead(key: string, body: string, restore: TextTransform | undefined): unknown {
    const value = parseBody(body, restore);
    if (value === undefined) fs.rmSync(this.pathOf(key), {recursive: true, force: true});
    return value;
  }

  /** The checked body of the entry file under `key`; a corrupt one is removed. */
  private read(key: string): string | undefined {
    const file = this.pathOf(key);
    let data: Buffer;
    let modified: number;
    try {
      // One fstat gives both the size to read and the last use (readFileSync would stat
      // again), and one buffer serves every read: a replay may read hundreds of entries.
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
        data = this.buffer.subarray(0, read);
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      return undefined;
    }
    const body = unseal(data);
    if (body === undefined) {
      fs.rmSync(file, {recursive: true, force: true});
      return undefined;
    }
    markUsed(file, modified);
    return body;
  }

  /** The project's pack of stage entries, loaded on first use; none without a pack name. */
  private packed(): EntryPack | undefined {
    if (this.pack === undefined && this.packName) {
      const file = path.join(this.dir, PACKS, this.packName);
      this.pack = EntryPack.load(file);
      try {
        const modified = fs.statSync(file, {throwIfNoEntry: false})?.mtimeMs;
        if (modified !== undefined) markUsed(file, modified);
      } catch {
        // a pack that cannot be stat'ed is simply not marked
      }
    }
    return this.pack;
  }

  /**
   * Writes the project's pack: for each test file of this run, the stage entry it used
   * or stored under `stageKey` (read or written this run, or the pack's own), if any; the
   * records of test files that are gone are dropped. Written only when a record changed.
   */
  savePack(used: Iterable<[testPath: string, stageKey: string]>, exists: (testPath: string) => boolean): void {
    const pack = this.packed();
    if (!pack) return;
    for (const [testPath, key] of used) pack.use(testPath, key, this.stageBodies.get(key));
    pack.prune(exists);
    pack.save();
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

  /** True when an intact entry is stored under `key` (see getShared), or was written this run. */
  holds(key: string): boolean {
    return this.written.has(key) || this.getShared(key) !== undefined;
  }

  put(key: string, value: unknown, transform?: TextTransform): void {
    this.write(key, entryBody(value, transform));
  }

  /**
   * Stores a stage entry (see getStage). The body of a packable one is kept for the pack
   * (see savePack); the others' would only hold memory until the run ends (two per pass in
   * a cold run: its module and content keys).
   */
  putStage(key: string, value: unknown, transform: TextTransform, packable: boolean): void {
    const body = entryBody(value, transform);
    this.write(key, body);
    if (packable) this.stageBodies.set(key, Buffer.from(body));
  }

  /** Bodies of the parts read this run (see getPart), by key. */
  private readonly partBodies = new Map<string, string>();

  /**
   * Stores a part of an entry shared by many entries (see sharedParts) under the hash of
   * its content, unless it is there already, and returns that key. Written before the
   * entries that refer to it; a part found corrupt when read is removed, and written
   * again by the next pass that needs it.
   */
  putPart(value: unknown, transform: TextTransform): string {
    const body = entryBody({kind: 'part', part: value}, transform);
    const key = sha256(`part\0${body}`);
    if (this.partBodies.has(key)) return key;
    const file = this.pathOf(key);
    const modified = fs.statSync(file, {throwIfNoEntry: false})?.mtimeMs;
    // One already there is marked used: a trim keeps it with the entries written now.
    if (modified === undefined) this.write(key, body);
    else markUsed(file, modified);
    this.partBodies.set(key, body);
    return key;
  }

  /**
   * A part stored by putPart, `restore` applied: a fresh copy on every call (Jest mutates
   * the payloads it is given); undefined when it is missing or corrupt.
   */
  getPart(key: string, restore?: TextTransform): unknown {
    let body = this.partBodies.get(key);
    if (body === undefined) {
      body = this.read(key);
      if (body === undefined) return undefined;
      this.partBodies.set(key, body);
    }
    const value = parseBody(body, restore) as {kind?: unknown; part?: unknown} | undefined;
    if (value?.kind === 'part') return value.part;
    this.partBodies.delete(key);
    fs.rmSync(this.pathOf(key), {force: true});
    return undefined;
  }

  /** Removes the entry under `key`, and its copy in the project's pack (a stale pass: see runner/verification). */
  remove(key: string): void {
    fs.rmSync(this.pathOf(key), {force: true});
    this.stageBodies.delete(key);
    const pack = this.packed();
    if (pack?.forget(key)) pack.save();
  }

  /**
   * The path of a file holding `content` (named by its hash, written once), for a replay
   * to hand Jest a path it reads later, such as a source map at report time.
   */
  fileWith(content: string, extension: string): string {
    const file = path.join(this.dir, FILES, `${sha256(content)}.${extension}`);
    const modified = fs.statSync(file, {throwIfNoEntry: false})?.mtimeMs;
    // An old file is marked used: this run's trim must not remove it before Jest reads it.
    if (modified === undefined) writeFileAtomic(file, content);
    else markUsed(file, modified);
    return file;
  }

  private write(key: string, body: string): void {
    this.writer.write(this.pathOf(key), body);
    this.written.add(key);
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
      if (!SHARD.test(shard) && shard !== PACKS && shard !== FILES) continue;
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
