import type {Config} from '@jest/types';
import type {TestRunnerContext} from 'jest-runner';
import * as fs from 'fs';
import * as path from 'path';
import {jestPackageVersion, requireFromJest} from '../jestModules';
import type {RunnerOptions} from '../options';
import {sha256} from './fileHasher';
import type {KeyContext} from './keyContext';
import {coverageInputs} from './coverageInputs';
import {declaredFiles} from './declaredFiles';
import {normalizeConfig} from './normalizeConfig';
import {typeChecks} from './pureTransform';

/** Bumped whenever the key layout or the stored entry format changes. */
export const CACHE_FORMAT = 'jest-runner-cache/4';

/** Environment variables that shape results in most projects; options add more. */
export const DEFAULT_ENV = [
  'TZ', 'LANG', 'LC_ALL', 'NODE_ENV', 'BABEL_ENV', 'NODE_OPTIONS', 'FORCE_COLOR', 'NO_COLOR',
];

/** Transformer and tool config files read from rootDir, each root and the cwd. */
const CONFIG_FILE_NAMES = [
  'babel.config.js', 'babel.config.cjs', 'babel.config.mjs', 'babel.config.json',
  'babel.config.cts', 'babel.config.ts', '.babelrc', '.babelrc.js', '.babelrc.cjs',
  '.babelrc.mjs', '.babelrc.json', '.swcrc', 'tsconfig.json', 'jsconfig.json', 'package.json',
];

/** Config-like files anywhere in the project (they are in hasteFS as .json/.js files). */
const CONFIG_FILE_PATTERN = /(^|\/)(package\.json|[jt]sconfig[^/]*\.json|babel\.config\.[^/]+|\.babelrc[^/]*|\.swcrc)$/;

/**
 * How jest-runner hands a test its console (runTest's choice): `buffered` keeps the
 * output in the result, `live` (verbose) prints it as it comes and keeps none.
 */
type ConsoleMode = 'silent' | 'live' | 'buffered';

function consoleMode(config: Config.ProjectConfig, globalConfig: Config.GlobalConfig): ConsoleMode {
  const project = config as {silent?: boolean; verbose?: boolean};
  if (project.silent ?? globalConfig.silent) return 'silent';
  return project.verbose ?? globalConfig.verbose ? 'live' : 'buffered';
}

/** globalConfig fields that change what a passing suite reports. */
function resultRelevantFlags(globalConfig: Config.GlobalConfig, mode: ConsoleMode): Record<string, unknown> {
  const g = globalConfig as Config.GlobalConfig & Record<string, unknown>;
  return {
    // Watch mode's `a`, `c` and `o` set an unset pattern to '': both select every test.
    testNamePattern: g.testNamePattern || undefined,
    updateSnapshot: g.updateSnapshot,
    ci: g.ci,
    snapshotFormat: g.snapshotFormat,
    expand: g.expand,
    testTimeout: g.testTimeout,
    maxConcurrency: g.maxConcurrency,
    errorOnDeprecated: g.errorOnDeprecated,
    randomize: g.randomize,
    // The seed changes every run: it only matters when the order is randomized.
    seed: g.randomize ? g.seed : undefined,
    // Not `verbose` itself: Jest turns it on for a run of one test file (a watch
    // pattern), and only what the result holds matters.
    console: mode,
    // Fills each test case's `location`.
    testLocationInResults: g.testLocationInResults,
  };
}

/** The color level Jest's output is rendered with (chalk from Jest's own install). */
function colorLevel(): string {
  try {
    return String(requireFromJest<{level: number}>('chalk').level);
  } catch {
    return process.stderr.isTTY ? 'tty' : 'none';
  }
}

export interface ProjectInputs {
  /** Hash of every project-level input (config, setup, environment, transforms, env, flags). */
  digest: string;
  /**
   * In a run that prints console output live (verbose), the digest of the same inputs
   * with the console buffered: such a pass replays here too (replaySuite prints its
   * console as verbose does).
   */
  bufferedDigest?: string;
  /** What the digest hashes, kept for `jest-runner-cache explain`. */
  parts: Record<string, unknown>;
  /** Project files hashed into the digest, re-checked after each test. */
  files: string[];
  /** Reasons no test of this project can be trusted from the cache. */
  problems: string[];
}

/**
 * Everything outside a test file's own import graph that shapes its run, computed once
 * per project per run and shared by all its test files.
 */
export function projectInputs(
  keys: KeyContext,
  globalConfig: Config.GlobalConfig,
  options: RunnerOptions,
  runContext: TestRunnerContext,
): ProjectInputs {
  const config = keys.context.config;
  const mode = consoleMode(config, globalConfig);
  const parts: Record<string, unknown> = {
    format: CACHE_FORMAT,
    jest: jestPackageVersion('jest-runner'),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    color: colorLevel(),
    config: normalizeConfig(config),
    flags: resultRelevantFlags(globalConfig, mode),
    coverage: coverageInputs(globalConfig, config.rootDir, runContext),
  };

  const env: Record<string, string | null> = {};
  for (const name of [...DEFAULT_ENV, ...options.inputs.env]) env[name] = process.env[name] ?? null;
  parts.env = env;

  // Modules Jest loads around every test: setup files, environment, runner, transforms...
  const moduleRoots = [
    ...config.setupFiles,
    ...config.setupFilesAfterEnv,
    config.testEnvironment,
    config.testRunner,
    config.resolver,
    config.snapshotResolver,
    ...config.snapshotSerializers,
    config.globalSetup,
    config.globalTeardown,
    config.dependencyExtractor,
    ...config.transform.map(([, transformer]) => transformer),
  ].filter((file): file is string => typeof file === 'string' && path.isAbsolute(file));
  const modules = keys.fingerprintModules(moduleRoots);
  parts.modules = modules.lines;

  const configFiles = new Set<string>();
  for (const dir of new Set([config.rootDir, ...config.roots, process.cwd()])) {
    for (const name of CONFIG_FILE_NAMES) {
      const file = path.join(dir, name);
      if (fs.existsSync(file)) configFiles.add(file);
    }
  }
  // Declaration files are global to a type-checking transform: any of them can fail a test.
  const declarations = typeChecks(config);
  for (const file of keys.context.hasteFS.getAbsoluteFileIterator()) {
    if (file.includes(`${path.sep}node_modules${path.sep}`)) continue;
    if (CONFIG_FILE_PATTERN.test(file) || (declarations && file.endsWith('.d.ts'))) {
      configFiles.add(file);
    }
  }
  parts.configFiles = [...configFiles].map(file => keys.fileLine(file)).sort();
  const declared = declaredFiles(config.rootDir, options.inputs.files);
  parts.declaredFiles = declared.map(file => keys.fileLine(file));

  return {
    digest: sha256(JSON.stringify(parts)),
    bufferedDigest:
      mode === 'live'
        ? sha256(JSON.stringify({...parts, flags: resultRelevantFlags(globalConfig, 'buffered')}))
        : undefined,
    parts,
    files: [...modules.files, ...configFiles, ...declared],
    problems: modules.problems.map(p => `setup: ${p}`),
  };
}
