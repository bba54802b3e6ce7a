import type {Test} from '@jest/test-result';
import * as path from 'path';
import {sha256} from './fileHasher';
import type {KeyContext} from './keyContext';
import type {ProjectInputs} from './projectInputs';
import type {TestFileFacts} from './testFileFacts';

export interface ActionKey {
  key: string;
  /** Key material outside the test's import graph; stage 2 covers it too. */
  outsideGraph: string;
  /** The project-level inputs this key covers, unhashed (for explain). */
  projectParts: Record<string, unknown>;
  /** Key lines of the test's closure: `rel/path=hash` and `pkg:...` lines. */
  lines: string[];
  /** The test's dependency closure in the project, test file included. */
  closure: string[];
  /** Package fingerprint lines of the node_modules the closure reaches. */
  packages: string[];
  /** Files whose content the key covers: re-checked after the run before storing. */
  files: string[];
  /** Why the key cannot be trusted; the test then always runs. */
  problems: string[];
}

/**
 * Stage 1 of the key: a hash of everything Jest would feed this test file's run, known
 * before anything runs. See DESIGN.md section 2.
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
  const modules = keys.fingerprintModules(roots);
  const snapshot = facts.snapshotPath;
  const packageJson = keys.nearestPackageJson(path.dirname(test.path));
  const outsideGraph = JSON.stringify({
    project: project.digest,
    test: keys.relative(test.path),
    snapshot: snapshot ? keys.fileLine(snapshot) : null,
    packageJson: packageJson ? keys.fileLine(packageJson) : null,
  });
  const files = [...project.files, ...modules.files];
  if (snapshot) files.push(snapshot);
  return {
    key: sha256(JSON.stringify([outsideGraph, modules.lines])),
    outsideGraph,
    projectParts: project.parts,
    lines: modules.lines,
    closure: modules.files,
    packages: modules.lines.filter(line => line.startsWith('pkg:')),
    files,
    problems: [...project.problems, ...modules.problems, ...facts.problems],
  };
}
