import type {Config} from '@jest/types';
import type {TestRunnerContext} from 'jest-runner';
import {createRequire} from 'module';
import * as path from 'path';
import {resolveFromJest} from '../jestModules';

/**
 * The version of the last package of `chain`, each resolved from the one before it, the
 * first from the running Jest (the instrumenter Jest itself loads, not a copy elsewhere).
 */
function versionVia(chain: string[]): string {
  try {
    let file = resolveFromJest(`${chain[0]}/package.json`);
    for (const name of chain.slice(1)) file = createRequire(file).resolve(`${name}/package.json`);
    return (require(file) as {version: string}).version;
  } catch {
    return 'unknown';
  }
}

/**
 * What decides a suite's coverage payload in a coverage run (DESIGN section 8) besides
 * the project config, whose coveragePathIgnorePatterns, forceCoverageMatch, test patterns
 * and setup files the key already holds. Undefined when coverage is off: a plain run's key
 * has no such part, so a pass stored without coverage never serves a coverage run, nor a
 * coverage pass a plain one; the provider keeps babel and v8 payloads apart.
 */
export function coverageInputs(
  globalConfig: Config.GlobalConfig,
  rootDir: string,
  runContext: TestRunnerContext,
): Record<string, unknown> | undefined {
  if (!globalConfig.collectCoverage) return undefined;
  const relative = (files: Set<string> | undefined) =>
    files && [...files].map(file => path.relative(rootDir, file)).sort();
  return {
    provider: globalConfig.coverageProvider,
    collectCoverageFrom: globalConfig.collectCoverageFrom,
    // v8 data is kept only for files under the global rootDir.
    globalRootDir: path.relative(rootDir, globalConfig.rootDir),
    // babel: @jest/transform instruments with babel-plugin-istanbul (babel-jest with its
    // own copy, which the transformer's package closure covers). v8: the data is raw V8
    // counts, converted at report time; the converter is keyed all the same.
    instrumenter:
      globalConfig.coverageProvider === 'v8'
        ? {'v8-to-istanbul': versionVia(['@jest/reporters', 'v8-to-istanbul'])}
        : {
            'babel-plugin-istanbul': versionVia(['@jest/transform', 'babel-plugin-istanbul']),
            'istanbul-lib-instrument': versionVia(['@jest/transform', 'babel-plugin-istanbul', 'istanbul-lib-instrument']),
          },
    // Under -o / --changedSince / --watch Jest instruments only the changed files and the
    // sources related to tests in them.
    changedFiles: relative(runContext.changedFiles),
    sourcesRelatedToTestsInChangedFiles: relative(runContext.sourcesRelatedToTestsInChangedFiles),
  };
}
