import {sha256} from '../key/fileHasher';
import {flushRecording, recordingFile} from './recordFlush';
import {startRecording} from './recordStart';
import type {ActiveRecording, RecordingSetup} from './recording';
import * as path from 'path';

type RuntimeCtor = new (config: {id: string}, environment: {global?: {process?: {env: NodeJS.ProcessEnv}}}, ...rest: unknown[]) => {
  teardown(): void;
};

const RECORDING = Symbol('jest-runner-cache.recording');
const ORIGINAL = Symbol.for('jest-runner-cache.originalRuntime');

/**
 * Records every test file Jest runs in this process without touching the project config:
 * jest-runner reads the `default` export of jest-runtime for each test file, so that
 * export becomes a subclass of Jest's Runtime whose constructor (before any setup file
 * runs) starts the recording and whose teardown (after the test file, its hooks and
 * reporters' data) writes it. The config, and with it Jest's transform cache, stays the
 * project's own, and nothing passes through the project's transforms.
 * Returns the undo.
 */
export function hookRuntime(setup: RecordingSetup): () => void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const exports = require(setup.runtime) as {default: RuntimeCtor; [ORIGINAL]?: RuntimeCtor};
  const Runtime = exports[ORIGINAL] ?? exports.default;
  class RecordingRuntime extends Runtime {
    private readonly [RECORDING]: {active: ActiveRecording; file: string} | undefined;

    constructor(...args: ConstructorParameters<RuntimeCtor>) {
      super(...args);
      const [config, environment, , , , , testPath] = args;
      const sandbox = environment.global?.process;
      if (sandbox && typeof testPath === 'string') {
        // A project's own folder: a test file can be in two projects.
        const file = recordingFile(path.join(setup.dir, sha256(config.id).slice(0, 16)), testPath);
        const active = startRecording(setup, sandbox);
        active.recording.testPath = testPath;
        this[RECORDING] = {active, file};
      }
    }

    teardown(): void {
      const recording = this[RECORDING];
      if (recording) flushRecording(recording.active, loadedModules(this), recording.file);
      super.teardown();
    }
  }
  exports[ORIGINAL] = Runtime;
  exports.default = RecordingRuntime;
  return () => {
    exports.default = Runtime;
    delete exports[ORIGINAL];
  };
}

/**
 * The paths of the modules in the runtime's registry, as the sandbox's `require.cache`
 * lists them: CommonJS and ES modules from Jest 30, CommonJS only in Jest 29.
 */
function loadedModules(runtime: object): string[] {
  const r = runtime as {
    registries?: {getRequireCacheProxy(): object};
    _moduleRegistry?: Map<string, unknown>;
  };
  if (r.registries) return Object.keys(r.registries.getRequireCacheProxy());
  return r._moduleRegistry ? [...r._moduleRegistry.keys()] : [];
}
