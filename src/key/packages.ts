import * as fs from 'fs';
import * as path from 'path';
import type {KeyTable} from './keyTable';
import {currentSignature} from './fileHasher';

const NODE_MODULES = `${path.sep}node_modules${path.sep}`;
const LOCKFILES = ['package-lock.json', 'npm-shrinkwrap.json', 'pnpm-lock.yaml', 'yarn.lock', 'bun.lock'];
/**
 * What package managers write into node_modules on every install (npm >= 7, pnpm, yarn
 * berry and yarn 1): rewritten even by an install that leaves the lockfile as it was
 * (`npm install --no-save`), and present where no lockfile is committed.
 */
const INSTALL_STATES = ['.package-lock.json', '.modules.yaml', '.yarn-state.yml', '.yarn-integrity'].map(name =>
  path.join('node_modules', name),
);

export function isInNodeModules(file: string): boolean {
  return file.includes(NODE_MODULES);
}

/** The package folder that holds a file under node_modules (scoped names included). */
export function packageDirOf(file: string): string | undefined {
  const at = file.lastIndexOf(NODE_MODULES);
  if (at < 0) return undefined;
  const rest = file.slice(at + NODE_MODULES.length).split(path.sep);
  const depth = rest[0].startsWith('@') ? 2 : 1;
  if (rest.length <= depth) return undefined;
  return file.slice(0, at + NODE_MODULES.length) + rest.slice(0, depth).join(path.sep);
}

interface Manifest {
  name?: string;
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

interface LockIndex {
  dir: string;
  packages: Record<string, {integrity?: string; resolved?: string; version?: string}>;
}

/**
 * Fingerprints of installed packages: name@version plus the lockfile's integrity where
 * an npm lockfile knows the package, with the packages it depends on, transitively (a
 * dependency's upgrade changes what the test runs even when the package reached
 * directly keeps its version). The key never holds the package's absolute location.
 */
export class PackageFingerprints {
  private readonly manifests = new Map<string, Manifest | null>();
  private readonly closures = new Map<string, string[]>();
  private lock: LockIndex | null | undefined;

  private lockSignature: string | null | undefined;

  /**
   * `persisted` keeps each package's closure across runs, keyed by its package.json and
   * the lockfiles and install states: a dependency changes version only through an
   * install, which rewrites those (and the files a test loads from node_modules are
   * runtime inputs too).
   */
  constructor(
    private readonly rootDir: string,
    private readonly persisted?: KeyTable<[string, string[]]>,
  ) {}

  /** Sorted fingerprints of the package holding `file` and everything it depends on. */
  forFile(file: string): string[] {
    const dir = packageDirOf(file);
    return dir ? this.forPackage(dir) : [];
  }

  forPackage(dir: string): string[] {
    const cached = this.closures.get(dir);
    if (cached) return cached;
    const lock = this.installState();
    const signature = lock && `${currentSignature(path.join(dir, 'package.json'))}|${lock}`;
    const known = signature ? this.persisted?.map.get(dir) : undefined;
    if (known && known[0] === signature) {
      this.closures.set(dir, known[1]);
      return known[1];
    }
    const seen = new Set<string>();
    const queue = [dir];
    while (queue.length > 0) {
      const current = queue.pop()!;
      if (seen.has(current)) continue;
      seen.add(current);
      const manifest = this.manifest(current);
      if (!manifest) continue;
      const deps = {
        ...manifest.peerDependencies,
        ...manifest.optionalDependencies,
        ...manifest.dependencies,
      };
      for (const name of Object.keys(deps)) {
        const found = this.findInstalled(current, name);
        if (found) queue.push(found);
      }
    }
    const result = [...seen].map(d => this.describe(d)).sort();
    this.closures.set(dir, result);
    if (signature) this.persisted?.set(dir, [signature, result]);
    return result;
  }

  private describe(dir: string): string {
    const manifest = this.manifest(dir);
    if (!manifest) return `${path.basename(dir)}@missing`;
    const lock = this.lockIndex();
    let integrity = '';
    if (lock) {
      const entry = lock.packages[path.relative(lock.dir, dir).split(path.sep).join('/')];
      integrity = entry?.integrity ?? entry?.resolved ?? '';
    }
    return `${manifest.name}@${manifest.version}${integrity ? `#${integrity}` : ''}`;
  }

  private manifest(dir: string): Manifest | null {
    let manifest = this.manifests.get(dir);
    if (manifest === undefined) {
      const file = path.join(dir, 'package.json');
      manifest = null;
      // Most candidates of the node_modules walk do not exist: check before a throwing read.
      if (fs.existsSync(file)) {
        try {
          manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
        } catch {
          // unreadable or not JSON: treated as absent
        }
      }
      this.manifests.set(dir, manifest);
    }
    return manifest;
  }

  /** Node's lookup: <dir>/node_modules/<name>, then each ancestor's node_modules. */
  private findInstalled(fromDir: string, name: string): string | undefined {
    let dir = fromDir;
    for (;;) {
      if (path.basename(dir) !== 'node_modules') {
        const candidate = path.join(dir, 'node_modules', name);
        if (this.manifest(candidate)) return candidate;
      }
      const parent = path.dirname(dir);
      if (parent === dir) return undefined;
      dir = parent;
    }
  }

  /**
   * Signature of the nearest folder's lockfiles and install states, of any package
   * manager; null when there are none.
   */
  installState(): string | null {
    if (this.lockSignature !== undefined) return this.lockSignature;
    this.lockSignature = null;
    for (let dir = this.rootDir; ; dir = path.dirname(dir)) {
      const found = [...LOCKFILES, ...INSTALL_STATES].flatMap(name => {
        const signature = currentSignature(path.join(dir, name));
        return signature ? [`${name}:${signature}`] : [];
      });
      if (found.length > 0) return (this.lockSignature = found.join('|'));
      if (path.dirname(dir) === dir) return null;
    }
  }

  private lockIndex(): LockIndex | null {
    if (this.lock !== undefined) return this.lock;
    this.lock = null;
    let dir = this.rootDir;
    for (;;) {
      const file = path.join(dir, 'package-lock.json');
      if (fs.existsSync(file)) {
        try {
          const parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
          this.lock = {dir, packages: parsed.packages ?? {}};
        } catch {
          this.lock = null;
        }
        break;
      }
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
    return this.lock;
  }
}
