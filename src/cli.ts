#!/usr/bin/env node
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {explainDifferences} from './explain/explain';
import {readManifest} from './explain/manifest';
import {describeDistrust, distrustCovering} from './store/distrust';
import {LocalStore} from './store/localStore';

const USAGE = `usage: jest-runner-cache explain <test file> [--cacheDirectory <dir>]

Shows, for the last pass of <test file> stored by jest-runner-cache, which of its inputs
differ now: the reason the next run would run it rather than replay it.
  --cacheDirectory <dir>  Jest's cacheDirectory, if the project sets one
                          (default: Jest's default; JEST_RUNNER_CACHE_DIR wins)`;

/** Jest's default cacheDirectory (jest-config's getCacheDirectory). */
function defaultCacheDirectory(): string {
  const base = path.join(fs.realpathSync(os.tmpdir()), 'jest');
  return process.getuid ? `${base}_${process.getuid().toString(36)}` : base;
}

/**
 * What Jest sets up before a run that keys depend on, so that explain compares against
 * what the next `jest` sees: jest-cli's bin sets NODE_ENV=test when it is unset. Nothing
 * else of the kind applies (@jest/core and jest-config set no variable; JEST_WORKER_ID,
 * which jest-runner sets, is never an input).
 */
function applyJestDefaults(): void {
  process.env.NODE_ENV ??= 'test';
}

function main(argv: string[]): number {
  const [command, file, ...rest] = argv;
  if (command !== 'explain' || !file) {
    console.error(USAGE);
    return command === '--help' || command === '-h' ? 0 : 2;
  }
  let cacheDirectory = defaultCacheDirectory();
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--cacheDirectory' && rest[i + 1]) cacheDirectory = path.resolve(rest[++i]);
    else {
      console.error(`jest-runner-cache: unknown argument "${rest[i]}"\n\n${USAGE}`);
      return 2;
    }
  }
  const storeDir = process.env.JEST_RUNNER_CACHE_DIR
    ? path.resolve(process.env.JEST_RUNNER_CACHE_DIR)
    : path.join(cacheDirectory, 'jest-runner-cache');
  let testPath = path.resolve(file);
  try {
    testPath = fs.realpathSync(testPath);
  } catch {
    // a deleted test file: explain its last pass all the same
  }
  const distrust = distrustCovering(storeDir, testPath);
  if (distrust) console.log(`${file}: the next run runs it: ${describeDistrust(distrust)}.`);
  const manifest = readManifest(new LocalStore(storeDir), testPath);
  if (!manifest) {
    console.log(`${file}: no stored pass in ${storeDir}, so the next run runs it.`);
    return 0;
  }
  applyJestDefaults();
  const differences = explainDifferences(manifest);
  const when = manifest.remote ? `fetched from the remote cache ${manifest.storedAt}` : `stored ${manifest.storedAt}`;
  console.log(`${file}: last pass ${when}`);
  if (differences.length === 0) {
    console.log(
      'No file, env variable or runtime input differs: the next run replays it, unless the ' +
        'project config, CLI flags (-t, --ci, -u, ...), package versions or the Jest version differ.',
    );
  } else {
    console.log(`The next run runs it: ${differences.length} input(s) differ:`);
    for (const difference of differences) console.log(`  - ${difference}`);
  }
  return 0;
}

process.exitCode = main(process.argv.slice(2));
