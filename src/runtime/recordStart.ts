/**
 * Starts the recording of one test file, when Jest creates its module runtime (see
 * runtimeHook): until the runtime's teardown it notes every file the test reads, stats
 * or lists, every env variable it reads, and whether it spawns a process or a worker
 * thread. `fs` and `child_process` are Node's real modules (Jest does not sandbox core
 * modules): the patches are on the process's own modules, undone by flushRecording.
 */
// `import x = require()`: the real module objects, not namespace copies, must be patched.
import childProcess = require('child_process');
import fs = require('fs');
import * as path from 'path';
import {fileURLToPath} from 'url';
import workerThreads = require('worker_threads');
import {signatureOf} from '../key/signature';
import {
  ACCESS_RANK,
  ACTIVE,
  RECORDING_ENV,
  type ActiveRecording,
  isIgnoredEnv,
  type AccessKind,
  type Recording,
  type RecordingSetup,
} from './recording';

type Host = Record<PropertyKey, unknown>;

// Not open/openSync: Node's own readFileSync calls fs.openSync, so Jest's module loading
// (through graceful-fs copies of the functions) would be recorded as reads of every module.
const READS = ['readFile', 'readFileSync', 'createReadStream'];
const STATS = ['stat', 'statSync', 'lstat', 'lstatSync', 'exists', 'existsSync', 'access', 'accessSync'];
const LISTS = ['readdir', 'readdirSync', 'opendir', 'opendirSync'];
const PROMISE_READS = ['readFile', 'open'];
const PROMISE_STATS = ['stat', 'lstat', 'access'];
const PROMISE_LISTS = ['readdir', 'opendir'];
const SPAWNS = ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'];

/**
 * Callers that are Jest itself, not the test: Node's module loader (a lazy require in
 * Jest's own code reads through the public fs), Jest's packages and its transformers.
 */
const JEST_CALLER = new RegExp(
  String.raw`node:internal[\/]modules[\/]|[\/]node_modules[\/](?:@jest[\/]|` +
    String.raw`(?:jest-(?:runtime|resolve|haste-map|runner|circus|snapshot|util|config|message-util|worker|environment-node|environment-jsdom)|` +
    String.raw`babel-jest|ts-jest|@swc[\/]jest|@babel[\/]core|source-map-support|write-file-atomic)[\/])`,
);
const RECORDER_FILE = /recordStart\.[jt]s$/;
/** Files that only pass a call through: the recorder, Node's fs and util internals, graceful-fs. */
const PASS_THROUGH = new RegExp(
  String.raw`${RECORDER_FILE.source}|node:(?:fs|internal[\/](?:fs|util)[\/]?)|[\/]node_modules[\/]graceful-fs[\/]`,
);

/**
 * The file of each frame of the recorder's caller's stack, at most `depth` deep. Call
 * sites, not the stack text: Jest's source-map support would map every frame (hundreds
 * of microseconds a stack).
 */
function callers(depth: number): string[] {
  const {stackTraceLimit, prepareStackTrace} = Error;
  Error.stackTraceLimit = depth;
  Error.prepareStackTrace = (_error, sites) => sites;
  const holder: {stack?: NodeJS.CallSite[]} = {};
  Error.captureStackTrace(holder);
  const sites = holder.stack ?? [];
  Error.prepareStackTrace = prepareStackTrace;
  Error.stackTraceLimit = stackTraceLimit;
  return sites.map(site => site.getFileName() ?? '');
}

/** True when the fs call being recorded comes from Jest's machinery, not from test code. */
function calledByJest(): boolean {
  const caller = callers(16).find(file => !PASS_THROUGH.test(file));
  return caller !== undefined && JEST_CALLER.test(caller);
}

/**
 * True when an env variable is read by Jest, not by the test: by Jest's own packages, or
 * by a module Jest loads for itself into the sandbox (ci-info through jest-util,
 * picocolors, react-is, ...), which loads through Runtime.requireInternalModule, as a
 * test's imports never do. Their values must not key a result: CI detection alone reads
 * every vendor's build id and commit. `loadingForJest` tells that such a load is under way
 * (runtimeHook counts them) without walking the stack: Jest reads the same names in every
 * test file, and a deep stack walk for each read is most of the recorder's cost.
 */
function readByJest(loadingForJest: () => boolean): boolean {
  if (loadingForJest()) return true;
  const caller = callers(8).find(file => !RECORDER_FILE.test(file));
  return caller !== undefined && JEST_CALLER.test(caller);
}

function isInside(file: string, dir: string): boolean {
  return file === dir || file.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep);
}

function toPath(value: unknown): string | undefined {
  if (typeof value === 'string') return path.resolve(value);
  if (Buffer.isBuffer(value)) return path.resolve(value.toString());
  if (value instanceof URL && value.protocol === 'file:') return fileURLToPath(value);
  return undefined;
}

/**
 * `sandbox` is the test environment's `process` object: its env is the test's own copy.
 * `loadingForJest`: true while Runtime.requireInternalModule runs (see readByJest).
 */
export function startRecording(
  setup: RecordingSetup,
  sandbox: {env: NodeJS.ProcessEnv},
  loadingForJest: () => boolean,
): ActiveRecording {
  const host = fs as unknown as Host;
  // A test file that crashed before its flush left its patches: undo them first.
  (host[ACTIVE] as ActiveRecording | undefined)?.restore.forEach(undo => undo());

  const recording: Recording = {testPath: '', files: new Map(), env: {names: [], listed: false}, spawned: null};
  const statSync = fs.statSync;

  const isInput = (file: string) =>
    (file.includes(`${path.sep}node_modules${path.sep}`) || setup.include.some(dir => isInside(file, dir))) &&
    !setup.exclude.some(dir => isInside(file, dir));
  const signatureNow = (file: string) => {
    try {
      return signatureOf(statSync(file));
    } catch {
      return null;
    }
  };
  /** Signatures of the modules Jest read for the test, taken before each read (see loading). */
  const beforeLoad = new Map<string, string | null>();

  const note = (target: unknown, kind: AccessKind) => {
    const file = toPath(target);
    if (!file || !isInput(file)) return;
    const seen = recording.files.get(file);
    if (seen && ACCESS_RANK[seen.kind] >= ACCESS_RANK[kind]) return;
    if (kind !== 'module' && calledByJest()) return;
    // The first use's signature: a module loaded before the test read it as a file counts.
    const signature = seen ? seen.signature : beforeLoad.has(file) ? beforeLoad.get(file)! : signatureNow(file);
    recording.files.set(file, {kind, signature});
  };
  const loading = (file: string) => {
    if (!beforeLoad.has(file) && !recording.files.has(file) && isInput(file)) beforeLoad.set(file, signatureNow(file));
  };
  const active: ActiveRecording = {recording, note, loading, restore: []};
  host[ACTIVE] = active;

  const patch = (target: Host, name: string, before: (args: unknown[]) => void) => {
    const original = target[name];
    if (typeof original !== 'function') return;
    const wrapped = function (this: unknown, ...args: unknown[]) {
      before(args);
      return (original as (...a: unknown[]) => unknown).apply(this, args);
    };
    // Keep extras such as fs.realpath.native and util.promisify.custom.
    for (const key of Reflect.ownKeys(original)) {
      if (key === 'length' || key === 'name' || key === 'prototype') continue;
      Object.defineProperty(wrapped, key, Object.getOwnPropertyDescriptor(original, key)!);
    }
    target[name] = wrapped;
    active.restore.push(() => {
      target[name] = original;
    });
  };
  const listKind = (args: unknown[]): AccessKind =>
    (args[1] as {recursive?: boolean} | undefined)?.recursive ? 'tree' : 'list';

  for (const name of READS) patch(host, name, args => note(args[0], 'read'));
  for (const name of STATS) patch(host, name, args => note(args[0], 'stat'));
  for (const name of LISTS) patch(host, name, args => note(args[0], listKind(args)));
  const promises = fs.promises as unknown as Host;
  for (const name of PROMISE_READS) patch(promises, name, args => note(args[0], 'read'));
  for (const name of PROMISE_STATS) patch(promises, name, args => note(args[0], 'stat'));
  for (const name of PROMISE_LISTS) patch(promises, name, args => note(args[0], listKind(args)));

  const spawned = (what: string) => () => {
    recording.spawned ??= what;
  };
  for (const name of SPAWNS) {
    patch(childProcess as unknown as Host, name, spawned(`child_process.${name}`));
  }
  const threads = workerThreads as unknown as Host;
  const OriginalWorker = workerThreads.Worker;
  threads.Worker = class extends OriginalWorker {
    constructor(...args: ConstructorParameters<typeof OriginalWorker>) {
      recording.spawned ??= 'worker_threads.Worker';
      super(...args);
    }
  };
  active.restore.push(() => {
    threads.Worker = OriginalWorker;
  });

  // The sandbox's own process.env (Jest gives each test file a copy). The runner's own
  // variables are not the test's: they leave its copy as it would be without the runner.
  delete sandbox.env[RECORDING_ENV];
  if (setup.nodeOptions === null) delete sandbox.env.NODE_OPTIONS;
  else sandbox.env.NODE_OPTIONS = setup.nodeOptions;
  // A value is an input where it is read (get, `in`); an enumeration makes only the set
  // of names one (the `debug` package lists every name and reads the DEBUG_* values).
  // Spreading, Object.entries or JSON.stringify get every value, so each is noted. The
  // stack is looked at until a name is noted: a read by Jest may be followed by the test's own.
  const env = recording.env;
  const noted = new Set<string>();
  const noteName = (key: string | symbol) => {
    if (typeof key !== 'string' || noted.has(key) || isIgnoredEnv(key) || readByJest(loadingForJest)) return;
    noted.add(key);
    env.names.push(key);
  };
  sandbox.env = new Proxy(sandbox.env, {
    get(target, key) {
      noteName(key);
      return Reflect.get(target, key);
    },
    has(target, key) {
      noteName(key);
      return Reflect.has(target, key);
    },
    ownKeys(target) {
      if (!env.listed && !readByJest(loadingForJest)) env.listed = true;
      return Reflect.ownKeys(target);
    },
  });
  return active;
}
