import * as fs from 'fs';
import * as path from 'path';

const NODE_MODULES = `${path.sep}node_modules${path.sep}`;

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

  constructor(private readonly rootDir: string) {}

  /** Sorted fingerprints of the package holding `file` and everything it depends on. */
  forFile(file: string): string[] {
    const dir = packageDirOf(file);
    return dir ? this.forPackage(dir) : [];
  }

  forPackage(dir: string): string[] {
    const cached = this.closures.get(dir);
    if (cached) return cached;
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
      try {
        manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as Manifest;
      } catch {
        manifest = null;
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
