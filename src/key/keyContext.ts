import type {TestContext} from '@jest/test-result';
import * as fs from 'fs';
import * as path from 'path';
import {jestPackageVersion} from '../jestModules';
import {DependencyGraph} from './dependencyGraph';
import type {FileHasher} from './fileHasher';
import type {PersistedTable} from '../store/persistedTable';
import {PackageFingerprints} from './packages';

/**
 * From Jest 30 the runtime recording sees every module a test loads (require.cache lists
 * CommonJS and ESM entries), so a computed `require`/`import()` is covered by stage 3.
 * Jest 29 lists CommonJS only: there such a file is never cached.
 */
const RECORDS_ALL_MODULE_LOADS = Number(jestPackageVersion('jest-runtime').split('.')[0]) >= 30;

/** A path relative to rootDir with forward slashes, as keys and reports hold it. */
export function relativePath(rootDir: string, file: string): string {
  return path.relative(rootDir, file).split(path.sep).join('/');
}

/**
 * What keying one project needs for a run: its dependency graph, the run's file hasher,
 * and package fingerprints. `fingerprintModules` turns module roots into sorted key
 * lines, and collects what makes a key unsafe.
 */
export class KeyContext {
  readonly graph: DependencyGraph;
  readonly packages: PackageFingerprints;
  readonly rootDir: string;

  constructor(
    readonly context: TestContext,
    readonly hasher: FileHasher,
    packageTable?: PersistedTable<[string, string[]]>,
  ) {
    this.rootDir = context.config.rootDir;
    this.graph = new DependencyGraph(context, hasher);
    this.packages = new PackageFingerprints(this.rootDir, packageTable);
  }

  private readonly packageJsonByDir = new Map<string, string | null>();

  /** The package.json that governs a folder (its `type` decides ESM or CommonJS). */
  nearestPackageJson(dir: string): string | null {
    let found = this.packageJsonByDir.get(dir);
    if (found !== undefined) return found;
    const candidate = path.join(dir, 'package.json');
    const parent = path.dirname(dir);
    if (fs.existsSync(candidate)) found = candidate;
    else found = parent === dir ? null : this.nearestPackageJson(parent);
    this.packageJsonByDir.set(dir, found);
    return found;
  }

  relative(file: string): string {
    return relativePath(this.rootDir, file);
  }

  private readonly fileLines = new Map<string, string>();

  /** One key line for a file: relative path and content hash ("-" when missing). */
  fileLine(file: string): string {
    let line = this.fileLines.get(file);
    if (line === undefined) {
      line = `${this.relative(file)}=${this.hasher.hash(file) ?? '-'}`;
      this.fileLines.set(file, line);
    }
    return line;
  }

  fingerprintModules(roots: readonly string[]): ModuleFingerprint {
    const closure = this.graph.closure(roots);
    const lines: string[] = [];
    const problems: string[] = [];
    for (const file of closure.files) {
      lines.push(this.fileLine(file));
      if (!RECORDS_ALL_MODULE_LOADS && this.hasher.fingerprint(file).computedImport) {
        problems.push(`${this.relative(file)} loads a module by a computed specifier`);
      }
    }
    for (const file of closure.unknown) {
      if (/\.[cm]?[jt]sx?$/.test(file)) {
        problems.push(`${this.relative(file)} is outside Jest's roots, so its imports are unknown`);
      }
    }
    for (const file of closure.external) {
      for (const pkg of this.packages.forFile(file)) lines.push(`pkg:${pkg}`);
    }
    return {lines: [...new Set(lines)].sort(), files: [...closure.files], problems};
  }
}

export interface ModuleFingerprint {
  /** Sorted, checkout-independent lines: `rel/path=hash` and `pkg:name@version#integrity`. */
  lines: string[];
  /** Project files fingerprinted, to re-check after the test ran. */
  files: string[];
  /** Reasons the closure cannot be trusted (the test must run). */
  problems: string[];
}
