import type {Test} from '@jest/test-result';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {sha256} from '../key/fileHasher';
import {readRecording, recordingFile} from './recordFlush';
import {RECORDING_ENV, type Recording, type RecordingSetup} from './recording';
import {hookRuntime} from './runtimeHook';

const WORKER_PRELOAD = require.resolve('./workerPreload');
/** This package: the recorder's own modules load into every test, and are not its inputs. */
const RUNNER_ROOT = path.resolve(__dirname, '..', '..');

/**
 * One run's recordings, in the main process: the recorder installed where tests run (see
 * runtimeHook): in this process for in-band runs, which hand their recordings over in
 * memory, and through NODE_OPTIONS in the workers the inner runner forks (they inherit the
 * environment, which also carries the setup), which write them to a temp folder. `end`
 * undoes all of it.
 */
export class RecordingSession {
  private readonly dir: string;
  private readonly previous: {setup: string | undefined; nodeOptions: string | undefined};
  private readonly unhook: () => void;
  /** Recordings of the tests run in this process, by their file name (see recordingFile). */
  private readonly inProcess = new Map<string, Recording>();

  /** `runtime`: the jest-runtime module the inner jest-runner loads. */
  constructor(setup: Omit<RecordingSetup, 'dir' | 'nodeOptions' | 'runtime'>, runtime: string) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jest-runner-cache-recording-'));
    this.previous = {setup: process.env[RECORDING_ENV], nodeOptions: process.env.NODE_OPTIONS};
    const full: RecordingSetup = {
      dir: this.dir,
      runtime,
      nodeOptions: process.env.NODE_OPTIONS ?? null,
      include: setup.include,
      exclude: [...setup.exclude, this.dir, RUNNER_ROOT],
    };
    process.env[RECORDING_ENV] = JSON.stringify(full);
    process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --require ${JSON.stringify(WORKER_PRELOAD)}`.trim();
    this.unhook = hookRuntime(full, (file, recording) => this.inProcess.set(file, recording));
  }

  /** What the test recorded, or undefined when its runtime never reached teardown. */
  read(test: Test): Recording | undefined {
    try {
      const tag = sha256(test.context.config.id).slice(0, 16);
      const file = recordingFile(path.join(this.dir, tag), test.path);
      const recording = this.inProcess.get(file);
      this.inProcess.delete(file);
      return recording ?? readRecording(file);
    } catch {
      return undefined;
    }
  }

  end(): void {
    this.unhook();
    restoreEnv(RECORDING_ENV, this.previous.setup);
    restoreEnv('NODE_OPTIONS', this.previous.nodeOptions);
    fs.rmSync(this.dir, {recursive: true, force: true});
  }
}

function restoreEnv(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
