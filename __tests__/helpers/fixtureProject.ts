import {spawn} from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const REPO = path.resolve(__dirname, '../..');
export const JEST_BINS = {
  jest30: path.join(REPO, 'node_modules/jest/bin/jest.js'),
  jest29: path.join(REPO, 'node_modules/jest29/bin/jest.js'),
  jest294: path.join(REPO, 'jest-versions/29.4/node_modules/jest/bin/jest.js'),
  jest304: path.join(REPO, 'jest-versions/30.4/node_modules/jest/bin/jest.js'),
};

export interface SuiteOutcome {
  path: string;
  outcome: 'hit-action' | 'hit-content' | 'ran' | 'bypass' | 'verified' | 'stale';
  reason?: string;
  savedMs?: number;
  bundled?: true;
  remote?: true;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The runner's JSON report (JEST_RUNNER_CACHE_REPORT), by test path. */
  outcomes: Record<string, SuiteOutcome['outcome']>;
  suites: SuiteOutcome[];
  /** Names the fixtures' test code recorded while running (a side effect outside the project). */
  executed: string[];
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  jest?: keyof typeof JEST_BINS;
  /** Extra node flags, e.g. --experimental-vm-modules. */
  nodeArgs?: string[];
  cwd?: string;
}

/** Creates a fresh temporary folder for one test; removed by the OS's tmp cleanup. */
export function makeTempDir(prefix = 'jrc-'): string {
  return fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
}

/**
 * Links every package of this repo's node_modules into `dir/node_modules`, plus
 * jest-runner-cache itself (the repo), so a copied fixture resolves them as a user's
 * project would.
 */
export function linkNodeModules(dir: string): void {
  const target = path.join(dir, 'node_modules');
  fs.mkdirSync(target, {recursive: true});
  for (const name of fs.readdirSync(path.join(REPO, 'node_modules'))) {
    if (name.startsWith('.')) continue;
    fs.symlinkSync(path.join(REPO, 'node_modules', name), path.join(target, name));
  }
  fs.symlinkSync(REPO, path.join(target, 'jest-runner-cache'));
}

/**
 * A copy of a fixture project under fixtures/, in its own temp folder, with its own
 * Jest cacheDirectory, run by real jest processes.
 */
export class FixtureProject {
  readonly dir: string;
  readonly cacheDir: string;
  readonly execLog: string;
  readonly reportFile: string;

  constructor(
    fixture: string,
    options: {dir?: string; cacheDir?: string; execLog?: string; link?: boolean} = {},
  ) {
    const base = makeTempDir();
    this.dir = options.dir ?? path.join(base, fixture);
    this.cacheDir = options.cacheDir ?? path.join(base, 'jest-cache');
    // Beside the cache: two checkouts sharing a cache share the log path too, because
    // the fixtures' test code reads JRC_EXEC_LOG, which makes its value a runtime input.
    this.execLog = options.execLog ?? path.join(path.dirname(this.cacheDir), 'executed.log');
    this.reportFile = path.join(base, 'report.json');
    fs.cpSync(path.join(REPO, 'fixtures', fixture), this.dir, {recursive: true});
    if (options.link !== false) linkNodeModules(this.dir);
  }

  file(relative: string): string {
    return path.join(this.dir, relative);
  }

  read(relative: string): string {
    return fs.readFileSync(this.file(relative), 'utf8');
  }

  write(relative: string, content: string): void {
    fs.mkdirSync(path.dirname(this.file(relative)), {recursive: true});
    fs.writeFileSync(this.file(relative), content);
  }

  remove(relative: string): void {
    fs.rmSync(this.file(relative), {recursive: true, force: true});
  }

  /** Runs jest once; resolves with its output, the runner's report and what executed. */
  async run(args: string[] = [], options: RunOptions = {}): Promise<RunResult> {
    fs.rmSync(this.execLog, {force: true});
    fs.rmSync(this.reportFile, {force: true});
    const env: Record<string, string | undefined> = {
      ...process.env,
      JRC_EXEC_LOG: this.execLog,
      JEST_RUNNER_CACHE_REPORT: this.reportFile,
      FORCE_COLOR: '0',
      JEST_WORKER_ID: undefined,
      ...options.env,
    };
    for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
    const bin = JEST_BINS[options.jest ?? 'jest30'];
    const child = spawn(
      process.execPath,
      [...(options.nodeArgs ?? []), bin, '--ci=false', '--cacheDirectory', this.cacheDir, ...args],
      {cwd: options.cwd ?? this.dir, env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'pipe', 'pipe']},
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', chunk => (stdout += chunk));
    child.stderr.on('data', chunk => (stderr += chunk));
    const code = await new Promise<number | null>(resolve => child.on('close', resolve));
    const suites: SuiteOutcome[] = fs.existsSync(this.reportFile)
      ? JSON.parse(fs.readFileSync(this.reportFile, 'utf8')).suites
      : [];
    const outcomes: Record<string, SuiteOutcome['outcome']> = {};
    for (const suite of suites) outcomes[suite.path] = suite.outcome;
    const executed = fs.existsSync(this.execLog)
      ? fs.readFileSync(this.execLog, 'utf8').split('\n').filter(Boolean).sort()
      : [];
    return {code, stdout, stderr, outcomes, suites, executed};
  }
}
