import type {Test} from '@jest/test-result';
import type {Config} from '@jest/types';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {recordingFile} from './recordFlush';
import {RECORDING_ENV, type Recording, type RecordingSetup} from './recording';

const RECORD_START = require.resolve('./recordStart');
const RECORD_FLUSH = require.resolve('./recordFlush');

/**
 * One run's recordings, in the main process: a temp folder the test processes write
 * to, the setup handed to them through the environment (workers inherit it when the
 * inner runner forks them), and test objects whose config adds the recorder's setup
 * files. Everything is removed by `end`.
 */
export class RecordingSession {
  private readonly dir: string;
  private readonly projects = new Map<Config.ProjectConfig, {flushFile: string; outDir: string}>();
  private readonly previousEnv: string | undefined;

  constructor(setup: RecordingSetup) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jest-runner-cache-recording-'));
    this.previousEnv = process.env[RECORDING_ENV];
    process.env[RECORDING_ENV] = JSON.stringify({
      include: setup.include,
      exclude: [...setup.exclude, this.dir],
    } satisfies RecordingSetup);
  }

  /** The same test, with the recorder first in setupFiles and its flush last in setupFilesAfterEnv. */
  instrument(test: Test): Test {
    const config = test.context.config;
    const project = this.project(config);
    return {
      ...test,
      context: {
        ...test.context,
        config: {
          ...config,
          setupFiles: [RECORD_START, ...config.setupFiles],
          setupFilesAfterEnv: [...config.setupFilesAfterEnv, project.flushFile],
        },
      },
    };
  }

  /** What the test recorded, or undefined when it never reached its flush. */
  read(test: Test): Recording | undefined {
    const project = this.projects.get(test.context.config);
    if (!project) return undefined;
    try {
      return JSON.parse(fs.readFileSync(recordingFile(project.outDir, test.path), 'utf8')) as Recording;
    } catch {
      return undefined;
    }
  }

  end(): void {
    if (this.previousEnv === undefined) delete process.env[RECORDING_ENV];
    else process.env[RECORDING_ENV] = this.previousEnv;
    fs.rmSync(this.dir, {recursive: true, force: true});
  }

  /** Each project gets its own flush file and folder: a test file can be in two projects. */
  private project(config: Config.ProjectConfig) {
    let project = this.projects.get(config);
    if (!project) {
      const index = this.projects.size;
      const outDir = path.join(this.dir, String(index));
      const flushFile = path.join(this.dir, `flush-${index}.js`);
      fs.mkdirSync(outDir);
      fs.writeFileSync(
        flushFile,
        `require(${JSON.stringify(RECORD_FLUSH)}).flushInto(${JSON.stringify(outDir)}, require);\n`,
      );
      project = {flushFile, outDir};
      this.projects.set(config, project);
    }
    return project;
  }
}
