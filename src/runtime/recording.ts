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
  /**
   * Stat signature when the test first used the path (null: absent), taken before that use:
   * for a module, before Jest read its source (see ActiveRecording.loading). The stored
   * pass is keyed by the content the file had with this signature (see contentAsUsed).
   */
  signature: string | null;
}

/** The env variables a test read. */
export interface EnvReads {
  /** Variables whose value (or presence) was read: each is an input by value. */
  names: string[];
  /** True when the environment was enumerated (`Object.keys`, `for..in`): the set of names is an input. */
  listed: boolean;
}

export interface Recording {
  testPath: string;
  /** By path: a Map, as thousands of path-keyed properties would each add an object shape. */
  files: Map<string, RecordedFile>;
  env: EnvReads;
  /** Set when the test started a process or a worker thread: its reads are unknown. */
  spawned: string | null;
  /** Set when the modules the test loaded could not be listed (an unknown Jest version). */
  incomplete?: string;
}

/**
 * Variables that are never inputs: the worker id differs between runs by design, and the
 * runner's own variables (JEST_RUNNER_CACHE*) are already in the keys or in its behaviour.
 */
export function isIgnoredEnv(name: string): boolean {
  return name === 'JEST_WORKER_ID' || name.startsWith('JEST_RUNNER_CACHE');
}

/** Where the active recording lives: on the real fs module, shared by sandbox and host. */
export const ACTIVE = Symbol.for('jest-runner-cache.activeRecording');

export interface ActiveRecording {
  recording: Recording;
  /** Notes a use of a path, if it is an input (inside the roots or node_modules). */
  note(target: unknown, kind: AccessKind): void;
  /**
   * Jest is about to read a module's source for the test (it reads each file once per
   * test file): the signature taken now is the one the module is noted with later.
   */
  loading(file: string): void;
  restore: Array<() => void>;
}
