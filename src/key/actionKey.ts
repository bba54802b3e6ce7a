import type {Test} from '@jest/test-result';
import * as path from 'path';
import {sha256} from './fileHasher';
import type {KeyContext, ModuleFingerprint} from './keyContext';
import type {ProjectInputs} from './projectInputs';
import type {TestFileFacts} from './testFileFacts';

export interface ActionKey {
  key: string;
  /** The key of the same test with the console buffered, in a verbose run (see ProjectInputs). */
  bufferedKey?: string;
  /** Key material outside the test's import graph; stage 2 covers it too. */
  outsideGraph: string;
  /** The project-level inputs this key covers, unhashed (for explain). */
  readonly projectParts: Record<string, unknown>;
  /** Why the key cannot be trusted; the test then always runs. */
  problems: string[];
  // The rest walks the test's closure: only a miss (stage 2, storing) or a new explain
  // manifest needs it, so it is computed on first use.
  /** Key lines of the test's closure: `rel/path=hash` and `pkg:...` lines. */
  readonly lines: string[];
  /** The test's dependency closure in the project, test file included. */
  readonly closure: string[];
  /** Package fingerprint lines of the node_modules the closure reaches. */
  readonly packages: string[];
  /** Files whose content the key covers: re-checked after the run before storing. */
  readonly files: string[];
}

/**
 * Stage 1 of the key: a hash of everything Jest would feed this test file's run, known
 * before anything runs. See DESIGN.md section 2. The closure enters as its digest (see
 * KeyContext.closureDigest), which changes with any of its key lines.
 */
export function actionKey(
  keys: KeyContext,
  project: ProjectInputs,
  test: Test,
  facts: TestFileFacts,
): ActionKey {
  const roots = [test.path];
  // A docblock-selected environment is a module like any other input.
  if (facts.environment) roots.push(facts.environment);
  const digests = roots.map(root => keys.closureDigest(root));
  const snapshot = facts.snapshotPath;
  const packageJson = keys.nearestPackageJson(path.dirname(test.path));
  const outsideGraphOf = (projectDigest: string) =>
    JSON.stringify({
      project: projectDigest,
      test: keys.relative(test.path),
      snapshot: snapshot ? keys.fileLine(snapshot) : null,
      packageJson: packageJson ? keys.fileLine(packageJson) : null,
    });
  const keyOf = (outside: string) => sha256(JSON.stringify([outside, digests.map(d => d.digest)]));
  const outsideGraph = outsideGraphOf(project.digest);
  const problems = [...project.problems, ...digests.flatMap(d => d.problems), ...facts.problems];
  return new WalkedLazily(
    keyOf(outsideGraph),
    project.bufferedDigest && keyOf(outsideGraphOf(project.bufferedDigest)),
    outsideGraph,
    project,
    problems,
    keys,
    roots,
    snapshot,
  );
}

/**
 * An action key whose closure is walked on first use (one class, not closures per test:
 * a run keys thousands of tests, and most are replayed without the walk).
 */
class WalkedLazily implements ActionKey {
  private modules: ModuleFingerprint | undefined;

  constructor(
    readonly key: string,
    readonly bufferedKey: string | undefined,
    readonly outsideGraph: string,
    private readonly project: ProjectInputs,
    readonly problems: string[],
    private readonly keys: KeyContext,
    private readonly roots: string[],
    private readonly snapshot: string | undefined,
  ) {}

  get projectParts(): Record<string, unknown> {
    return this.project.parts;
  }

  private walk(): ModuleFingerprint {
    return (this.modules ??= this.keys.fingerprintModules(this.roots));
  }

  get lines(): string[] {
    return this.walk().lines;
  }

  get closure(): string[] {
    return this.walk().files;
  }

  get packages(): string[] {
    return this.walk().lines.filter(line => line.startsWith('pkg:'));
  }

  get files(): string[] {
    const files = [...this.project.files, ...this.walk().files];
    if (this.snapshot) files.push(this.snapshot);
    return files;
  }
}
