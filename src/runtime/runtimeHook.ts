import {sha256} from '../key/fileHasher';
import {flushRecording, recordingFile, type RecordingSink} from './recordFlush';
import {startRecording} from './recordStart';
import type {ActiveRecording, RecordingSetup} from './recording';
import * as path from 'path';
import {fileURLToPath} from 'url';

type RuntimeCtor = new (config: {id: string}, environment: {global?: {process?: {env: NodeJS.ProcessEnv}}}, ...rest: unknown[]) => {
  resetModules(): void;
  teardown(): void;
  requireInternalModule(...args: unknown[]): unknown;
};

const RECORDING = Symbol('jest-runner-cache.recording');
const LOADS = Symbol('jest-runner-cache.loads');
const ORIGINAL = Symbol.for('jest-runner-cache.originalRuntime');

/**
 * Records every test file Jest runs in this process without touching the project config:
 * jest-runner reads the `default` export of jest-runtime for each test file, so that
 * export becomes a subclass of Jest's Runtime whose constructor (before any setup file
 * runs) starts the recording and whose teardown (after the test file, its hooks and
 * reporters' data) hands it to `sink`. The config, and with it Jest's transform cache,
 * stays the project's own, and nothing passes through the project's transforms.
 * Returns the undo.
 */
export function hookRuntime(setup: RecordingSetup, sink: RecordingSink): () => void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const exports = require(setup.runtime) as {default: RuntimeCtor; [ORIGINAL]?: RuntimeCtor};
  const Runtime = exports[ORIGINAL] ?? exports.default;
  class RecordingRuntime extends Runtime {
    private [RECORDING]: {active: ActiveRecording; file: string} | undefined;
    private readonly [LOADS]: Loads = {internal: 0, recording: undefined};

    constructor(...args: ConstructorParameters<RuntimeCtor>) {
      super(...args);
      const [config, environment, , , cacheFS, , testPath] = args;
      const sandbox = environment.global?.process;
      if (sandbox && typeof testPath === 'string') {
        // A project's own folder: a test file can be in two projects.
        const file = recordingFile(path.join(setup.dir, sha256(config.id).slice(0, 16)), testPath);
        const loads = this[LOADS];
        const active = startRecording(setup, sandbox, () => loads.internal > 0);
        active.recording.testPath = testPath;
        this[RECORDING] = {active, file};
        // Without the source cache (an unknown Jest), modules get their signature at teardown.
        if (cacheFS instanceof Map) {
          loads.recording = active;
          watchSourceReads(cacheFS, loads);
        }
      }
    }

    requireInternalModule(...args: unknown[]): unknown {
      this[LOADS].internal++;
      try {
        return super.requireInternalModule(...args);
      } finally {
        this[LOADS].internal--;
      }
    }

    /** `jest.resetModules()` (or `resetModules: true`) empties the registry: list it first. */
    resetModules(): void {
      this.noteLoaded();
      super.resetModules();
    }

    teardown(): void {
      try {
        this.noteLoaded();
        const recording = this[RECORDING];
        this[RECORDING] = undefined;
        this[LOADS].recording = undefined;
        if (recording) flushRecording(recording.active, recording.file, sink);
      } catch {
        // The recorder must never fail a test: a recording that is not delivered is not stored.
      } finally {
        super.teardown();
      }
    }

    private noteLoaded(): void {
      const recording = this[RECORDING];
      if (!recording) return;
      const loaded = loadedModules(this);
      if (loaded) for (const module of loaded) recording.active.note(module, 'module');
      else recording.active.recording.incomplete ??= "its loaded modules could not be listed (Jest's module registry is not known)";
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
 * What a runtime shares with its source-cache hook (see watchSourceReads): nothing else of
 * the runtime, since a transformer may keep the cache for the whole run (ts-jest keeps the
 * first test file's), and it must not keep that test's sandbox alive.
 */
interface Loads {
  /** Runtime.requireInternalModule calls under way: Jest loading a module for itself. */
  internal: number;
  /** The recording the test's module loads go to; undefined once it has ended. */
  recording: ActiveRecording | undefined;
}

/**
 * Hooks a test file's source cache: jest-runner's `cacheFS`, which its runtime and
 * transformer share (Jest 29 and 30). The runtime reads a module's source from disk only
 * when its lookup there finds nothing, once per test file, so each lookup is noted as a
 * load before the only read of the module the test runs. A module Jest loaded for itself
 * first and the test loads too is noted at the test's first lookup, after Jest's read.
 */
function watchSourceReads(cacheFS: Map<string, unknown>, loads: Loads): void {
  const get = cacheFS.get;
  cacheFS.get = function (this: Map<string, unknown>, file: string) {
    if (loads.internal === 0) loads.recording?.loading(file);
    return get.call(this, file);
  };
}

/**
 * The paths of the modules in the runtime's registries, CommonJS and ES modules, or
 * undefined when none is found. The registries moved between Jest versions: fields of
 * the runtime in 29 and 30.0-30.3 (`_moduleRegistry`, `_esmoduleRegistry`, keyed by path
 * plus query), of its `registries` from 30.4 (ES modules keyed by file URL in 30.5).
 */
function loadedModules(runtime: object): string[] | undefined {
  const r = runtime as Record<string, unknown> & {registries?: Record<string, unknown>};
  const maps = [
    r.registries?.moduleRegistry,
    r.registries?.esModuleRegistry,
    r._moduleRegistry,
    r._esmoduleRegistry,
  ].filter((map): map is Map<unknown, unknown> => map instanceof Map);
  if (maps.length === 0) return undefined;
  const paths = new Set<string>();
  for (const map of maps) {
    for (const key of map.keys()) {
      if (typeof key !== 'string') continue;
      const file = key.startsWith('file:') ? fileURLToPath(key.split(/[?#]/)[0]) : key.split('?')[0];
      if (path.isAbsolute(file)) paths.add(file);
    }
  }
  return [...paths];
}
