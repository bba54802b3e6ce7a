import type {Test} from '@jest/test-result';
import * as fs from 'fs';
import {requireFromJest} from '../jestModules';

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

interface Docblock {
  extract(contents: string): string;
  parse(docblock: string): Record<string, string | string[]>;
}

interface JestResolve {
  resolveTestEnvironment(options: {rootDir: string; testEnvironment: string}): string;
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export function testFileFacts(test: Test, snapshotPathOf: SnapshotPathOf): TestFileFacts {
  const facts: TestFileFacts = {
    optedOut: false,
    environment: undefined,
    snapshotPath: undefined,
    problems: [],
  };
  let source: string;
  try {
    source = fs.readFileSync(test.path, 'utf8');
  } catch (error) {
    facts.problems.push(`cannot read the test file: ${(error as Error).message}`);
    return facts;
  }
  const docblock = requireFromJest<Docblock>('jest-docblock');
  const pragmas = docblock.parse(docblock.extract(source));
  facts.optedOut = first(pragmas['jest-runner-cache'])?.trim() === 'off';
  const environment = first(pragmas['jest-environment']);
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
