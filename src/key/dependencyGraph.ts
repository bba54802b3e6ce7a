import type {TestContext} from '@jest/test-result';
import * as path from 'path';
import {requireFromJest} from '../jestModules';
import type {KeyTable} from './keyTable';
import type {FileHasher} from './fileHasher';
import type {ImportExtractor} from './importExtractor';
import {isInNodeModules} from './packages';

/** The part of hasteFS DependencyResolver.resolve reads. */
interface ImportsSource {
  getDependencies(file: string): string[] | null;
}

type DependencyResolverCtor = new (
  resolver: TestContext['resolver'],
  hasteFS: ImportsSource,
  snapshotResolver: unknown,
) => {resolve(file: string): string[]};

/** Direct dependencies kept across runs, by file: [resolution context and file hash, dependencies]. */
export type PersistedDependencies = KeyTable<[string, string[]]>;

export interface Closure {
  /** Files of the project the root reaches, the root included, in no particular order. */
  files: Set<string>;
  /** Files under node_modules reached directly (their packages are fingerprinted). */
  external: Set<string>;
  /** Reached files whose imports could not be read (the extractor failed on them). */
  unknown: Set<string>;
}

/**
 * The transitive dependency closure of files, walked with Jest's own DependencyResolver
 * over the context's hasteFS, so it sees what Jest sees: moduleNameMapper, custom
 * resolvers, `__mocks__` siblings and jest.requireActual/requireMock targets. Files the
 * haste map does not know (outside `roots`) get their imports from `extractImports`, as
 * the haste map would have found them, and are resolved the same way. Direct
 * dependencies are memoized, so one graph serves every test file of a project.
 */
export class DependencyGraph {
  private readonly direct = new Map<string, string[] | null>();
  private readonly outsideImports = new Map<string, string[] | null>();
  private readonly dependencyResolver: InstanceType<DependencyResolverCtor>;
  private persisted: {table: PersistedDependencies; context: string} | undefined;

  constructor(
    private readonly context: TestContext,
    private readonly hasher: FileHasher,
    private readonly extractImports: ImportExtractor,
  ) {
    const {DependencyResolver} = requireFromJest<{DependencyResolver: DependencyResolverCtor}>(
      'jest-resolve-dependencies',
    );
    // The snapshot resolver is only used by resolveInverse, which is not called here.
    this.dependencyResolver = new DependencyResolver(context.resolver, {getDependencies: f => this.importsOf(f)}, null);
  }

  closure(roots: readonly string[]): Closure {
    const closure: Closure = {files: new Set(), external: new Set(), unknown: new Set()};
    const stack = [...roots];
    while (stack.length > 0) {
      const file = stack.pop()!;
      if (closure.files.has(file) || closure.external.has(file)) continue;
      const node = this.node(file);
      if (node.kind === 'external') {
        closure.external.add(file);
        continue;
      }
      closure.files.add(file);
      if (node.kind === 'unknown') closure.unknown.add(file);
      else stack.push(...node.deps);
    }
    return closure;
  }

  /**
   * How a walk sees a file: under node_modules (its package is fingerprinted instead),
   * unknown (its imports could not be read), or a project file and its direct dependencies.
   */
  node(file: string): {kind: 'external'} | {kind: 'unknown'} | {kind: 'file'; deps: string[]} {
    if (isInNodeModules(file)) return {kind: 'external'};
    const deps = this.dependenciesOf(file);
    return deps === null ? {kind: 'unknown'} : {kind: 'file', deps};
  }

  /**
   * Keeps resolved dependencies across runs while `context` stays the same: it must change
   * with anything but a file's own content that can change what its imports resolve to
   * (the project config, package.json files, the set of files Jest knows, installs).
   */
  persistIn(table: PersistedDependencies, context: string): void {
    this.persisted = {table, context};
  }

  /** A file's direct dependencies, memoized; null when its imports could not be read. */
  private dependenciesOf(file: string): string[] | null {
    let deps = this.direct.get(file);
    if (deps !== undefined) return deps;
    const hasteFS = this.context.hasteFS;
    // Only files Jest knows are kept: what a file outside the roots imports can resolve
    // elsewhere when files outside the roots come or go, which the context does not see.
    const tag = this.persisted && hasteFS.exists(file) && `${this.persisted.context}:${this.hasher.hash(file)}`;
    const known = tag ? this.persisted!.table.map.get(file) : undefined;
    if (known && known[0] === tag) {
      this.direct.set(file, known[1]);
      return known[1];
    }
    const imports = this.importsOf(file);
    deps = imports === null ? null : this.resolveDependencies(file, imports);
    this.direct.set(file, deps);
    // Only resolutions into files Jest knows or installed packages are kept: anything
    // else could change without the context changing.
    if (tag && deps && deps.every(dep => isInNodeModules(dep) || hasteFS.exists(dep))) {
      this.persisted!.table.set(file, [tag, deps]);
    }
    return deps;
  }

  /** Import specifiers as the haste map has them, or would have them for a file it does not know. */
  private importsOf(file: string): string[] | null {
    const known = this.context.hasteFS.getDependencies(file);
    if (known) return known;
    let imports = this.outsideImports.get(file);
    if (imports === undefined) {
      imports = this.extractImports(file);
      this.outsideImports.set(file, imports);
    }
    return imports;
  }

  /** `imports`: the file's specifiers, which DependencyResolver reads again (importsOf). */
  private resolveDependencies(file: string, imports: string[]): string[] {
    const deps = this.dependencyResolver.resolve(file);
    // Manual mocks in a root `__mocks__` folder replace node modules (and core modules
    // under jest.mock) without any import of the mock file: add them by specifier.
    for (const specifier of imports) {
      const mock = this.mockFor(file, specifier);
      if (mock) deps.push(mock);
    }
    // DependencyResolver finds a `__mocks__` file beside a module in the haste map, which
    // holds none outside the roots; Jest's runtime looks on disk (the manual mock that
    // jest.mock of the module's path loads), so do the same for modules outside the roots.
    for (const dep of [...deps]) {
      if (isInNodeModules(dep) || this.context.hasteFS.exists(dep)) continue;
      const sibling = path.join(path.dirname(dep), '__mocks__', path.basename(dep));
      if (this.hasher.hash(sibling) !== null) deps.push(sibling);
    }
    // Type-only imports: invisible to Jest's extractor, yet they decide type-checking.
    for (const specifier of this.hasher.fingerprint(file).typeImports) {
      try {
        deps.push(this.context.resolver.resolveModule(file, specifier));
      } catch {
        // a type package (@types/...) or an ambient module: not a project file
      }
    }
    return deps;
  }

  private mockFor(file: string, specifier: string): string | null {
    try {
      return this.context.resolver.getMockModule(file, specifier);
    } catch {
      return null;
    }
  }
}
