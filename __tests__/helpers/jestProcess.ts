import {spawn, type ChildProcess} from 'child_process';
import {OutputWaiters} from './outputWaiters';
import * as fs from 'fs';
import type {FixtureProject, RunResult, SuiteOutcome} from './fixtureProject';

/**
 * Spawning helpers beside fixtureProject.ts for what FixtureProject.run does not cover:
 * a Jest binary at any path (a pnpm-style install) and a long-lived `--watchAll` process.
 */

export interface SpawnOptions {
  env?: Record<string, string | undefined>;
  nodeArgs?: string[];
  cwd?: string;
  /** Jest's --cacheDirectory; default: the project's own, outside its folder. */
  cacheDirectory?: string;
}

/** The environment FixtureProject.run gives jest: exec log, report file, no color. */
export function jestEnv(project: FixtureProject, extra: SpawnOptions['env']): NodeJS.ProcessEnv {
  const env: Record<string, string | undefined> = {
    ...process.env,
    JRC_EXEC_LOG: project.execLog,
    JEST_RUNNER_CACHE_REPORT: project.reportFile,
    FORCE_COLOR: '0',
    JEST_WORKER_ID: undefined,
    ...extra,
  };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  return env as NodeJS.ProcessEnv;
}

function spawnJest(
  project: FixtureProject,
  bin: string,
  args: string[],
  options: SpawnOptions,
): ChildProcess {
  return spawn(
    process.execPath,
    [
      ...(options.nodeArgs ?? []),
      bin,
      '--ci=false',
      '--cacheDirectory',
      options.cacheDirectory ?? project.cacheDir,
      ...args,
    ],
    {
      cwd: options.cwd ?? project.dir,
      env: jestEnv(project, options.env),
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so kill() also stops the worker processes jest started.
      detached: true,
    },
  );
}

/** The runner's JSON report as the harness reads it (empty when absent). */
export function readReport(project: FixtureProject): Pick<RunResult, 'outcomes' | 'suites'> {
  const suites: SuiteOutcome[] = fs.existsSync(project.reportFile)
    ? JSON.parse(fs.readFileSync(project.reportFile, 'utf8')).suites
    : [];
  const outcomes: Record<string, SuiteOutcome['outcome']> = {};
  for (const suite of suites) outcomes[suite.path] = suite.outcome;
  return {outcomes, suites};
}

/** Names recorded by the fixtures' test code since the log was last cleared. */
export function readExecuted(project: FixtureProject): string[] {
  return fs.existsSync(project.execLog)
    ? fs.readFileSync(project.execLog, 'utf8').split('\n').filter(Boolean).sort()
    : [];
}

/** Like FixtureProject.run, but runs the Jest binary at `bin` (e.g. inside the project). */
export async function runJestBin(
  project: FixtureProject,
  bin: string,
  args: string[] = [],
  options: SpawnOptions = {},
): Promise<RunResult> {
  fs.rmSync(project.execLog, {force: true});
  fs.rmSync(project.reportFile, {force: true});
  const child = spawnJest(project, bin, args, options);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', chunk => (stdout += chunk));
  child.stderr!.on('data', chunk => (stderr += chunk));
  const code = await new Promise<number | null>(resolve => child.on('close', resolve));
  return {code, stdout, stderr, ...readReport(project), executed: readExecuted(project)};
}

/** A running `jest --watchAll` (or any long-lived jest) whose output can be awaited. */
export class JestProcess {
  stdout = '';
  stderr = '';
  exited = false;
  private readonly child: ChildProcess;
  private readonly waiters = new OutputWaiters({exited: () => this.exited, output: () => this.stderr});

  constructor(project: FixtureProject, bin: string, args: string[], options: SpawnOptions = {}) {
    this.child = spawnJest(project, bin, args, options);
    const wake = () => this.waiters.wake();
    this.child.stdout!.on('data', chunk => {
      this.stdout += chunk;
      wake();
    });
    this.child.stderr!.on('data', chunk => {
      this.stderr += chunk;
      wake();
    });
    this.child.on('exit', () => {
      this.exited = true;
      wake();
    });
  }

  /** Resolves once `predicate` holds; rejects after `timeoutMs` or if jest exits first. */
  waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
    return this.waiters.waitFor(predicate, timeoutMs, what);
  }

  /** Stops the process (and waits for it to exit, bounded). */
  async kill(): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>(resolve => this.child.once('exit', () => resolve()));
    const signal = (name: NodeJS.Signals) => {
      try {
        process.kill(-this.child.pid!, name);
      } catch {
        // the group is gone already
      }
    };
    signal('SIGTERM');
    const timer = setTimeout(() => signal('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
    signal('SIGKILL');
  }
}

/** Occurrences of `needle` in `haystack`. */
export function count(haystack: string, needle: string | RegExp): number {
  if (typeof needle === 'string') return haystack.split(needle).length - 1;
  return (haystack.match(new RegExp(needle.source, needle.flags.includes('g') ? needle.flags : `${needle.flags}g`)) ?? []).length;
}
