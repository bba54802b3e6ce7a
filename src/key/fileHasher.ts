import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import type {KeyTable} from './keyTable';
import {signatureOf, type FileSignature} from './signature';
import {isSourceFacts, NO_FACTS, scanSource, type SourceFacts} from './sourceFacts';


/** Hash recorded for a path (null: the file did not exist), with what its source shows. */
export interface Fingerprint extends SourceFacts {
  signature: FileSignature | null;
  hash: string | null;
}

/** What the persisted table holds for a path. */
export type PersistedFingerprint = [FileSignature, string, SourceFacts];

/** Field by field, not by spreading `facts`: a run makes one per file it keys. */
function fingerprintOf(signature: FileSignature | null, hash: string | null, facts: SourceFacts): Fingerprint {
  return {signature, hash, computedImport: facts.computedImport, typeImports: facts.typeImports, pragmas: facts.pragmas};
}

const MISSING = fingerprintOf(null, null, NO_FACTS);

/** One-shot hashing (Node >= 20.12) skips the Hash object; the keys hash thousands of short strings. */
const oneShot = (crypto as {hash?: (algorithm: string, data: string | Buffer, encoding: 'hex') => string}).hash;

export function sha256(data: string | Buffer): string {
  return oneShot ? oneShot('sha256', data, 'hex') : crypto.createHash('sha256').update(data).digest('hex');
}

/** A stat that reports a missing file as undefined: a thrown error costs more than the stat. */
function statOf(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file, {throwIfNoEntry: false});
  } catch {
    return undefined;
  }
}

export function currentSignature(file: string): FileSignature | null {
  const stat = statOf(file);
  return stat ? signatureOf(stat) : null;
}

/**
 * Content hashes of files, cached by path+mtime+size+inode. Within one run each path is
 * stat'ed at most once; across runs (and watch reruns) the persisted table saves reading
 * files whose signature is unchanged. A hash is not persisted for a file modified in the
 * last two seconds: on file systems with coarse mtimes a second edit could keep the
 * signature (Go's cache has the same rule).
 */
export class FileHasher {
  private readonly thisRun = new Map<string, Fingerprint>();

  /**
   * `persisted` keeps hashes across runs; without it, hashes last one run. `beforeTests`:
   * no test runs until testsStart is called (see folders).
   */
  constructor(
    private readonly persisted?: KeyTable<PersistedFingerprint>,
    beforeTests = false,
  ) {
    this.folders = beforeTests ? new Map() : undefined;
  }

  fingerprint(file: string): Fingerprint {
    let fp = this.thisRun.get(file);
    if (fp) return fp;
    fp = this.folderExists(path.dirname(file)) ? this.compute(file) : MISSING;
    this.thisRun.set(file, fp);
    return fp;
  }

  /** Content hash, or null when the file is missing or unreadable. */
  hash(file: string): string | null {
    return this.fingerprint(file).hash;
  }

  /**
   * True when the file still has the content it was hashed with this run. A new stat
   * signature alone is not a change: Jest rewrites a .snap file with identical content
   * when it has obsolete entries.
   */
  unchangedSince(file: string): boolean {
    const fp = this.thisRun.get(file);
    if (fp === undefined) return false;
    if (currentSignature(file) === fp.signature) return true;
    return this.compute(file).hash === fp.hash;
  }

  /**
   * The file's fingerprint now, not kept for the run: the run's stays the one its keys were
   * made from (unchangedSince compares with it).
   */
  fingerprintNow(file: string): Fingerprint {
    return this.compute(file);
  }

  /**
   * Folders looked at while keys are computed, before any test runs. A file in an absent
   * one is absent without a stat of its own: most test files have no snapshot, nor a
   * `__snapshots__` folder beside them. Undefined once tests may run: a test may create one.
   */
  private folders: Map<string, boolean> | undefined;

  private folderExists(dir: string): boolean {
    if (!this.folders) return true;
    let exists = this.folders.get(dir);
    if (exists === undefined) this.folders.set(dir, (exists = statOf(dir)?.isDirectory() ?? false));
    return exists;
  }

  /** Suites start being replayed or run: files may appear from now on (see folders). */
  testsStart(): void {
    this.folders = undefined;
  }

  private compute(file: string): Fingerprint {
    const stat = statOf(file);
    if (!stat) return MISSING;
    const signature = signatureOf(stat);
    if (stat.isDirectory()) return fingerprintOf(signature, 'directory', NO_FACTS);
    const known = this.persisted?.map.get(file);
    if (known && known[0] === signature && isSourceFacts(known[2])) return fingerprintOf(signature, known[1], known[2]);
    let content: Buffer;
    try {
      content = fs.readFileSync(file);
    } catch {
      return MISSING;
    }
    const hash = sha256(content);
    const facts = scanSource(file, content.toString('utf8'));
    if (stat.mtimeMs < Date.now() - 2000) this.persisted?.set(file, [signature, hash, facts]);
    return fingerprintOf(signature, hash, facts);
  }
}
