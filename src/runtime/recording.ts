/**
 * The contract between the runner (main process) and the recorder that runs inside each
 * test (Go's test log): which inputs a test read while it ran.
 */

/** Environment variable carrying the RecordingSetup to the test processes. */
export const RECORDING_ENV = 'JEST_RUNNER_CACHE_RECORDING';

export interface RecordingSetup {
  /** The run's folder the recordings are written to: a folder per project, a file per test file. */
  dir: string;
  /** The jest-runtime module jest-runner loads, whose Runtime class the recorder extends. */
  runtime: string;
  /** The user's NODE_OPTIONS (null: unset), restored in each test's environment. */
  nodeOptions: string | null;
  /** Folders whose files are inputs (project roots); node_modules files always are. */
  include: string[];
  /** Folders never recorded: Jest's cacheDirectory, the store, the recordings. */
  exclude: string[];
}

/**
 * How a path was used: `read` (content, through fs), `module` (loaded by Jest's module
 * registry), `stat` (existence, type, size), `list` (the names in a folder), `tree` (a
 * recursive listing).
 */
export type AccessKind = 'read' | 'module' | 'stat' | 'list' | 'tree';

/** Which use of a path says the most: a path keeps the strongest use recorded. */
export const ACCESS_RANK: Record<AccessKind, number> = {stat: 0, module: 1, list: 2, tree: 2, read: 3};

export interface RecordedFile {
  kind: AccessKind;
  /** Stat signature when first accessed (null: absent), to spot edits during the run. */
  signature: string | null;
}

export interface Recording {
  testPath: string;
  files: Record<string, RecordedFile>;
  /** Names of the env variables read; '*' when the whole environment was enumerated. */
  env: string[] | '*';
  /** Set when the test started a process or a worker thread: its reads are unknown. */
  spawned: string | null;
}

/** Variables that differ between runs by design and never decide a result. */
export const VOLATILE_ENV = new Set(['JEST_WORKER_ID', RECORDING_ENV]);

/** Where the active recording lives: on the real fs module, shared by sandbox and host. */
export const ACTIVE = Symbol.for('jest-runner-cache.activeRecording');

export interface ActiveRecording {
  recording: Recording;
  /** Notes a use of a path, if it is an input (inside the roots or node_modules). */
  note(target: unknown, kind: AccessKind): void;
  restore: Array<() => void>;
}
