import type {TestContext} from '@jest/test-result';
import {requireFromJest} from '../jestModules';
import type {PersistedTable} from '../store/persistedTable';
import type {FileHasher} from './fileHasher';
import {isInNodeModules} from './packages';

type DependencyResolverCtor = new (
  resolver: TestContext['resolver'],
  hasteFS: TestContext['hasteFS'],
  snapshotResolver: unknown,
) => {resolve(file: string): string[]};

/** Direct dependencies kept across runs, by file: [resolution context and file hash, dependencies]. */
export type PersistedDependencies = PersistedTable<[string, string[]]>;

export interface Closure {
  /** Files of the project the root reaches, the root included, in no particular order. */
  files: Set<string>;
  /** Files under node_modules reached directly (their packages are fingerprinted). */
  external: Set<string>;
  /** Reached files Jest's haste map does not know: their own imports are unknown. */
  unknown: Set<string>;
}

/**
 * The transitive dependency closure of files, walked with Jest's own DependencyResolver
 * over the context's hasteFS, so it sees what Jest sees: moduleNameMapper, custom
 * resolvers, `__mocks__` siblings and jest.requireActual/requireMock targets. Direct
 * dependencies are memoized, so one graph serves every test file of a project.
 */
export class DependencyGraph {
  private readonly direct = new Map<string, string[] | null>();
  private readonly dependencyResolver: InstanceType<DependencyResolverCtor>;
  private persisted: {table: PersistedDependencies; context: string} | undefined;

  constructor(
    private readonly context: TestContext,
    private readonly hasher: FileHasher,
  ) {
    const {DependencyResolver} = requireFromJest<{DependencyResolver: DependencyResolverCtor}>(
      'jest-resolve-dependencies',
    );
    // The snapshot resolver is only used by resolveInverse, which is not called here.
    this.dependencyResolver = new DependencyResolver(context.resolver, context.hasteFS, null);
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
   * unknown to the haste map (its imports are unknown), or a project file and its direct
   * dependencies.
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

  /** A file's direct dependencies, memoized; null for a file the haste map does not know. */
  private dependenciesOf(file: string): string[] | null {
    let deps = this.direct.get(file);
    if (deps !== undefined) return deps;
    const hasteFS = this.context.hasteFS;
    if (!hasteFS.exists(file)) {
      this.direct.set(file, null);
      return null;
    }
    const tag = this.persisted && `${this.persisted.context}:${this.hasher.hash(file)}`;
    const known = tag ? this.persisted!.table.map.get(file) : undefined;
    if (known && known[0] === tag) {
      this.direct.set(file, known[1]);
      return known[1];
    }
    deps = this.resolveDependencies(file);
    this.direct.set(file, deps);
    // Only resolutions into files Jest knows or installed packages are kept: anything
    // else could change without the context changing.
    if (tag && deps.every(dep => isInNodeModules(dep) || hasteFS.exists(dep))) {
      this.persisted!.table.set(file, [tag, deps]);
    }
    return deps;
  }

  private resolveDependencies(file: string): string[] {
    const deps = this.dependencyResolver.resolve(file);
    // Manual mocks in a root `__mocks__` folder replace node modules (and core modules
    // under jest.mock) without any import of the mock file: add them by specifier.
    for (const specifier of this.context.hasteFS.getDependencies(file) ?? []) {
      const mock = this.mockFor(file, specifier);
      if (mock) deps.push(mock);
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
