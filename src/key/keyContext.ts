import type {TestContext} from '@jest/test-result';
import * as fs from 'fs';
import * as path from 'path';
import {jestPackageVersion} from '../jestModules';
import {DependencyGraph} from './dependencyGraph';
import {sha256, type FileHasher} from './fileHasher';
import {fileKeyLine, relativePath} from './keyLines';
import type {ImportExtractor} from './importExtractor';
import type {KeyTable} from './keyTable';
import {PackageFingerprints} from './packages';

/**
 * From Jest 30 the runtime recording sees every module a test loads (require.cache lists
 * CommonJS and ESM entries), so a computed `require`/`import()` is covered by stage 3.
 * Jest 29 lists CommonJS only: there such a file is never cached.
 */
const RECORDS_ALL_MODULE_LOADS = Number(jestPackageVersion('jest-runtime').split('.')[0]) >= 30;

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
    extractImports: ImportExtractor,
    packageTable?: KeyTable<[string, string[]]>,
  ) {
    this.rootDir = context.config.rootDir;
    this.graph = new DependencyGraph(context, hasher, extractImports);
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
      line = fileKeyLine(this.relative(file), this.hasher.hash(file));
      this.fileLines.set(file, line);
    }
    return line;
  }

  private readonly digests = new Map<string, ClosureDigest>();

  /**
   * A digest of everything `fingerprintModules([root])` covers, computed bottom-up over the
   * import graph's strongly connected components (import cycles), each once per run: a
   * component's digest hashes its files' key lines and the digests of the components it
   * imports, so every test file costs only its own imports.
   */
  closureDigest(root: string): ClosureDigest {
    const done = this.digests.get(root);
    if (done) return done;
    // The common case, a test file whose imports are all digested already: no cycle.
    if (this.successors(root).every(dep => this.digests.has(dep))) {
      this.finishComponent([root]);
      return this.digests.get(root)!;
    }
    // Tarjan's algorithm; components finish in dependency order.
    let next = 0;
    const order = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const visit = (file: string) => {
      order.set(file, next);
      low.set(file, next++);
      stack.push(file);
      onStack.add(file);
      for (const dep of this.successors(file)) {
        if (this.digests.has(dep)) continue;
        if (!order.has(dep)) {
          visit(dep);
          low.set(file, Math.min(low.get(file)!, low.get(dep)!));
        } else if (onStack.has(dep)) {
          low.set(file, Math.min(low.get(file)!, order.get(dep)!));
        }
      }
      if (low.get(file) !== order.get(file)) return;
      const members: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        members.push(member);
      } while (member !== file);
      this.finishComponent(members);
    };
    visit(root);
    return this.digests.get(root)!;
  }

  private successors(file: string): string[] {
    const node = this.graph.node(file);
    return node.kind === 'file' ? node.deps : [];
  }

  private finishComponent(members: string[]): void {
    const inside = new Set(members);
    const lines = new Set<string>();
    const below = new Set<string>();
    const problems = new Set<string>();
    for (const file of members) {
      const node = this.graph.node(file);
      for (const line of this.keyLinesOf(file, node.kind === 'external')) lines.add(line);
      if (node.kind === 'external') continue;
      for (const problem of this.problemsOf(file, node.kind === 'unknown')) problems.add(problem);
      if (node.kind !== 'file') continue;
      for (const dep of node.deps) {
        if (inside.has(dep)) continue;
        const digest = this.digests.get(dep)!;
        below.add(digest.digest);
        for (const problem of digest.problems) problems.add(problem);
      }
    }
    const digest = {digest: sha256(JSON.stringify([[...lines].sort(), [...below].sort()])), problems: [...problems]};
    for (const file of members) this.digests.set(file, digest);
  }

  /**
   * What one reached file puts in a key: its own line, or for a file under node_modules
   * its package's fingerprints. The digests and the walked lines must agree on it.
   */
  private keyLinesOf(file: string, external: boolean): string[] {
    return external ? this.packages.forFile(file).map(pkg => `pkg:${pkg}`) : [this.fileLine(file)];
  }

  /** Why a project file reached by a test makes its key untrustworthy. */
  private problemsOf(file: string, unknown: boolean): string[] {
    if (unknown) return [`the imports of ${this.relative(file)} could not be read`];
    return !RECORDS_ALL_MODULE_LOADS && this.hasher.fingerprint(file).computedImport
      ? [`${this.relative(file)} loads a module by a computed specifier`]
      : [];
  }

  fingerprintModules(roots: readonly string[]): ModuleFingerprint {
    const closure = this.graph.closure(roots);
    const lines: string[] = [];
    const problems: string[] = [];
    for (const file of closure.files) {
      lines.push(...this.keyLinesOf(file, false));
      problems.push(...this.problemsOf(file, closure.unknown.has(file)));
    }
    for (const file of closure.external) lines.push(...this.keyLinesOf(file, true));
    return {lines: [...new Set(lines)].sort(), files: [...closure.files], problems};
  }
}

export interface ClosureDigest {
  digest: string;
  /** Reasons the closure cannot be trusted (the test must run). */
  problems: string[];
}

export interface ModuleFingerprint {
  /** Sorted, checkout-independent lines: `rel/path=hash` and `pkg:name@version#integrity`. */
  lines: string[];
  /** Project files fingerprinted, to re-check after the test ran. */
  files: string[];
  /** Reasons the closure cannot be trusted (the test must run). */
  problems: string[];
}
