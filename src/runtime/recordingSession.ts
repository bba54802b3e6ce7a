import type {Test} from '@jest/test-result';
import type {Config} from '@jest/types';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {sha256} from '../key/fileHasher';
import {recordingFile} from './recordFlush';
import {RECORDING_ENV, type Recording, type RecordingSetup} from './recording';

const RECORD_START = require.resolve('./recordStart');
const RECORD_FLUSH = require.resolve('./recordFlush');
/** This package: the recorder's own modules load into every test, and are not its inputs. */
const RUNNER_ROOT = path.resolve(__dirname, '..', '..');

/**
 * One run's recordings, in the main process: a temp folder the test processes write
 * to, the setup handed to them through the environment (workers inherit it when the
 * inner runner forks them), and test objects whose config adds the recorder's setup
 * files. Everything is removed by `end`.
 */
export class RecordingSession {
  private readonly dir: string;
  private readonly configs = new Map<Config.ProjectConfig, Config.ProjectConfig>();
  private readonly previousEnv: string | undefined;

  /** `endFilesDir` holds the generated per-project end files; it must outlive the run. */
  constructor(
    setup: Omit<RecordingSetup, 'dir'>,
    private readonly endFilesDir: string,
  ) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jest-runner-cache-recording-'));
    this.previousEnv = process.env[RECORDING_ENV];
    process.env[RECORDING_ENV] = JSON.stringify({
      dir: this.dir,
      include: setup.include,
      exclude: [...setup.exclude, this.dir, RUNNER_ROOT],
    } satisfies RecordingSetup);
  }

  /**
   * The same test, with the recorder first in setupFiles and its end last in
   * setupFilesAfterEnv. All tests of a project share one config object.
   */
  instrument(test: Test): Test {
    const config = test.context.config;
    let instrumented = this.configs.get(config);
    if (!instrumented) {
      instrumented = {
        ...config,
        setupFiles: [RECORD_START, ...config.setupFiles],
        setupFilesAfterEnv: [...config.setupFilesAfterEnv, this.endFile(config)],
      };
      this.configs.set(config, instrumented);
    }
    return {...test, context: {...test.context, config: instrumented}};
  }

  /**
   * A project's end file: a one-line setup file naming the project's own recordings
   * folder (a test file can be in two projects). Its path and content are the same on
   * every run, so Jest's transform cache, keyed by the config, stays warm.
   */
  private endFile(config: Config.ProjectConfig): string {
    const tag = sha256(config.id).slice(0, 16);
    const file = path.join(this.endFilesDir, `end-${tag}.js`);
    const content = `require(${JSON.stringify(RECORD_FLUSH)}).endRecording(${JSON.stringify(tag)}, require);\n`;
    let current: string | undefined;
    try {
      current = fs.readFileSync(file, 'utf8');
    } catch {
      // not written yet
    }
    if (current !== content) {
      fs.mkdirSync(this.endFilesDir, {recursive: true});
      fs.writeFileSync(file, content);
    }
    fs.mkdirSync(path.join(this.dir, tag), {recursive: true});
    return file;
  }

  /** What the test recorded, or undefined when it never reached its end. */
  read(test: Test): Recording | undefined {
    try {
      const tag = sha256(test.context.config.id).slice(0, 16);
      const file = recordingFile(path.join(this.dir, tag), test.path);
      return JSON.parse(fs.readFileSync(file, 'utf8')) as Recording;
    } catch {
      return undefined;
    }
  }

  end(): void {
    if (this.previousEnv === undefined) delete process.env[RECORDING_ENV];
    else process.env[RECORDING_ENV] = this.previousEnv;
    fs.rmSync(this.dir, {recursive: true, force: true});
  }
}
