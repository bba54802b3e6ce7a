import type {Test} from '@jest/test-result';
import {requireFromJest} from '../jestModules';
import type {FileHasher} from './fileHasher';

/** What a test file's header tells about its run, and where its snapshot lives. */
export interface TestFileFacts {
  /** A `@jest-runner-cache off` docblock: the file is never cached. */
  optedOut: boolean;
  /** Module path of a `@jest-environment` docblock environment. */
  environment: string | undefined;
  snapshotPath: string | undefined;
  problems: string[];
}

export type SnapshotPathOf = (testPath: string) => string;

interface JestResolve {
  resolveTestEnvironment(options: {rootDir: string; testEnvironment: string}): string;
}

/** Facts from the test file's docblock (read through the run's hasher, so cached across runs). */
export function testFileFacts(test: Test, hasher: FileHasher, snapshotPathOf: SnapshotPathOf): TestFileFacts {
  const facts: TestFileFacts = {
    optedOut: false,
    environment: undefined,
    snapshotPath: undefined,
    problems: [],
  };
  const fingerprint = hasher.fingerprint(test.path);
  if (fingerprint.hash === null) {
    facts.problems.push('cannot read the test file');
    return facts;
  }
  const {pragmas} = fingerprint;
  facts.optedOut = pragmas['jest-runner-cache']?.trim() === 'off';
  const environment = pragmas['jest-environment'];
  if (environment) {
    try {
      facts.environment = requireFromJest<JestResolve>('jest-resolve').resolveTestEnvironment({
        rootDir: test.context.config.rootDir,
        testEnvironment: environment,
      });
    } catch {
      facts.problems.push(`cannot resolve @jest-environment ${environment}`);
    }
  }
  try {
    facts.snapshotPath = snapshotPathOf(test.path);
  } catch (error) {
    facts.problems.push(`snapshot resolver failed: ${(error as Error).message}`);
  }
  return facts;
}
