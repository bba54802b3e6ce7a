/**
 * The runner's switches. Each can be given as a runner option
 * (`runner: ['jest-runner-cache', {...}]`, Jest >= 30.4.1) or as an environment
 * variable; the environment variable wins, so one CI job can flip a switch
 * without editing the config.
 */
export type CacheMode = 'off' | 'read' | 'write' | 'readwrite' | 'verify';

export const CACHE_MODES: readonly CacheMode[] = ['off', 'read', 'write', 'readwrite', 'verify'];

export type RemoteMode = 'read' | 'readwrite';

const REMOTE_MODES: readonly RemoteMode[] = ['read', 'readwrite'];

/** A Turborepo-compatible remote cache server (see store/remoteStore). */
export interface RemoteOptions {
  /** Base URL of the server; the artifacts API is under `<url>/v8/artifacts`. */
  url: URL;
  /** Sent as `Authorization: Bearer <token>`; never printed. */
  token: string | undefined;
  /** The team (`teamId` query when it starts with `team_`, else `slug`), as Turborepo sends it. */
  team: string | undefined;
  /** read: look up only (untrusted jobs); readwrite: also upload new passes. */
  mode: RemoteMode;
  /** When set, artifacts are signed, and unsigned or wrongly signed ones are never replayed. */
  signatureKey: string | undefined;
  /** The longest the run waits for remote lookups, and again for uploads. */
  timeoutMs: number;
}

export interface RunnerOptions {
  /**
   * off: run all, store nothing; read: replay, never store; write: run all, store passes;
   * verify: run all, check each would-be hit against its fresh run, store passes.
   */
  mode: CacheMode;
  /** Where entries live; default `<cacheDirectory>/jest-runner-cache` of each project. */
  cacheDir: string | undefined;
  /** File to write the JSON report of this run to. */
  report: string | undefined;
  /** Globs (relative to rootDir) of test files never cached. */
  uncacheable: string[];
  /** Extra inputs that every key covers. */
  inputs: {env: string[]; files: string[]};
  /** Entries unused for this many days are trimmed. */
  maxAgeDays: number;
  /** The store is trimmed to at most this many megabytes. */
  maxSizeMb: number;
  /** Share (0 to 1) of would-be hits run anyway and checked, in read and readwrite modes. */
  verifySample: number;
  /** Only when a URL is given. */
  remote: RemoteOptions | undefined;
}

export class OptionError extends Error {
  constructor(message: string) {
    super(`jest-runner-cache: ${message}`);
    this.name = 'OptionError';
    // A configuration mistake, not a crash: Jest prints the stack, so keep it to the message.
    this.stack = `${this.name}: ${this.message}`;
  }
}

const OPTION_ENV: Record<string, string> = {
  mode: 'JEST_RUNNER_CACHE',
  cacheDir: 'JEST_RUNNER_CACHE_DIR',
  report: 'JEST_RUNNER_CACHE_REPORT',
  uncacheable: 'JEST_RUNNER_CACHE_UNCACHEABLE',
  'inputs.env': 'JEST_RUNNER_CACHE_INPUT_ENV',
  'inputs.files': 'JEST_RUNNER_CACHE_INPUT_FILES',
  maxAgeDays: 'JEST_RUNNER_CACHE_MAX_AGE_DAYS',
  maxSizeMb: 'JEST_RUNNER_CACHE_MAX_SIZE_MB',
  verifySample: 'JEST_RUNNER_CACHE_VERIFY_SAMPLE',
  'remote.url': 'JEST_RUNNER_CACHE_REMOTE_URL',
  'remote.token': 'JEST_RUNNER_CACHE_REMOTE_TOKEN',
  'remote.team': 'JEST_RUNNER_CACHE_REMOTE_TEAM',
  'remote.mode': 'JEST_RUNNER_CACHE_REMOTE_MODE',
  'remote.signatureKey': 'JEST_RUNNER_CACHE_REMOTE_SIGNATURE_KEY',
  'remote.timeoutMs': 'JEST_RUNNER_CACHE_REMOTE_TIMEOUT_MS',
};

const KNOWN_KEYS = [
  'mode',
  'cacheDir',
  'report',
  'uncacheable',
  'inputs',
  'maxAgeDays',
  'maxSizeMb',
  'verifySample',
  'remote',
];
const REMOTE_KEYS = ['url', 'token', 'team', 'mode', 'signatureKey', 'timeoutMs'];

function describe(name: string): string {
  return `option "${name}" (env ${OPTION_ENV[name]})`;
}

function asMode(value: unknown, name: string): CacheMode {
  if (typeof value === 'string' && (CACHE_MODES as readonly string[]).includes(value)) {
    return value as CacheMode;
  }
  throw new OptionError(
    `${describe(name)} is ${JSON.stringify(value)}; use one of ${CACHE_MODES.join(', ')}.`,
  );
}

function asString(value: unknown, name: string, what = 'a path'): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value === 'string') return value;
  throw new OptionError(`${describe(name)} is ${JSON.stringify(value)}; give ${what} as a string.`);
}

/** A secret: checked like a string, but its value is never shown. */
function asSecret(value: unknown, name: string): string | undefined {
  if (value === undefined || value === '' || typeof value === 'string') return value || undefined;
  throw new OptionError(`${describe(name)} is not a string (a ${typeof value}); give it as a string.`);
}

function asUrl(value: unknown): URL | undefined {
  const text = asString(value, 'remote.url', 'a URL');
  if (text === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    // reported below
  }
  if (url?.protocol !== 'http:' && url?.protocol !== 'https:') {
    throw new OptionError(
      `${describe('remote.url')} is not an http(s) URL; give the server's base URL, such as http://cache.example.com:3000.`,
    );
  }
  if (url.username || url.password) {
    throw new OptionError(
      `${describe('remote.url')} holds credentials; give the token in option "remote.token" (env JEST_RUNNER_CACHE_REMOTE_TOKEN) instead.`,
    );
  }
  return url;
}

function asRemoteMode(value: unknown): RemoteMode {
  if (typeof value === 'string' && (REMOTE_MODES as readonly string[]).includes(value)) return value as RemoteMode;
  throw new OptionError(
    `${describe('remote.mode')} is ${JSON.stringify(value)}; use one of ${REMOTE_MODES.join(', ')}.`,
  );
}

/** An object option (`inputs`, `remote`) whose keys must be among `known`. */
function asGroup(value: unknown, name: string, known: string[]): Record<string, unknown> {
  const group = (value ?? {}) as Record<string, unknown>;
  if (typeof group !== 'object' || Array.isArray(group)) {
    throw new OptionError(`option "${name}" must be an object with keys ${known.join(', ')}.`);
  }
  for (const key of Object.keys(group)) {
    if (!known.includes(key)) {
      throw new OptionError(`unknown option "${name}.${key}"; known are ${known.map(k => `${name}.${k}`).join(', ')}.`);
    }
  }
  return group;
}

/** A list option: an array of strings, or (from env) a comma-separated string. */
function asList(value: unknown, name: string): string[] {
  if (value === undefined || value === '') return [];
  if (typeof value === 'string') {
    return value.split(',').map(s => s.trim()).filter(Boolean);
  }
  if (Array.isArray(value) && value.every(v => typeof v === 'string')) return value;
  throw new OptionError(
    `${describe(name)} is ${JSON.stringify(value)}; give an array of strings (env: comma-separated).`,
  );
}

function asPositive(value: unknown, name: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n === 'number' && Number.isFinite(n) && n > 0) return n;
  throw new OptionError(`${describe(name)} is ${JSON.stringify(value)}; give a positive number.`);
}

function asShare(value: unknown, name: string): number {
  if (value === undefined || value === '') return 0;
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n === 'number' && n >= 0 && n <= 1) return n;
  throw new OptionError(
    `${describe(name)} is ${JSON.stringify(value)}; give a share between 0 and 1 (0.05 checks 5% of the hits).`,
  );
}

/** Reads the options object and the environment; throws OptionError naming the bad option. */
export function resolveOptions(raw: unknown, env: NodeJS.ProcessEnv = process.env): RunnerOptions {
  const given = (raw ?? {}) as Record<string, unknown>;
  if (typeof given !== 'object' || Array.isArray(given)) {
    throw new OptionError(`runner options must be an object, got ${JSON.stringify(raw)}.`);
  }
  for (const key of Object.keys(given)) {
    if (!KNOWN_KEYS.includes(key)) {
      throw new OptionError(`unknown option "${key}"; known options are ${KNOWN_KEYS.join(', ')}.`);
    }
  }
  const inputs = asGroup(given.inputs, 'inputs', ['env', 'files']);
  const remote = asGroup(given.remote, 'remote', REMOTE_KEYS);
  const pick = (name: string, value: unknown) => env[OPTION_ENV[name]] ?? value;
  // Checked even without a URL: a mistyped variable is reported, not silently unused.
  const url = asUrl(pick('remote.url', remote.url));
  const remoteOptions = {
    token: asSecret(pick('remote.token', remote.token), 'remote.token'),
    team: asString(pick('remote.team', remote.team), 'remote.team', 'the team id or slug'),
    mode: asRemoteMode(pick('remote.mode', remote.mode ?? 'readwrite')),
    signatureKey: asSecret(pick('remote.signatureKey', remote.signatureKey), 'remote.signatureKey'),
    timeoutMs: asPositive(pick('remote.timeoutMs', remote.timeoutMs), 'remote.timeoutMs', 5000),
  };
  return {
    mode: asMode(pick('mode', given.mode ?? 'readwrite'), 'mode'),
    cacheDir: asString(pick('cacheDir', given.cacheDir), 'cacheDir'),
    report: asString(pick('report', given.report), 'report'),
    uncacheable: asList(pick('uncacheable', given.uncacheable), 'uncacheable'),
    inputs: {
      env: asList(pick('inputs.env', inputs.env), 'inputs.env'),
      files: asList(pick('inputs.files', inputs.files), 'inputs.files'),
    },
    maxAgeDays: asPositive(pick('maxAgeDays', given.maxAgeDays), 'maxAgeDays', 7),
    maxSizeMb: asPositive(pick('maxSizeMb', given.maxSizeMb), 'maxSizeMb', 1024),
    verifySample: asShare(pick('verifySample', given.verifySample), 'verifySample'),
    remote: url && {url, ...remoteOptions},
  };
}

/** Whether stored passes are looked up (verify looks them up to check them, never replays). */
export const canRead = (mode: CacheMode) => mode === 'read' || mode === 'readwrite' || mode === 'verify';
export const canWrite = (mode: CacheMode) => mode === 'write' || mode === 'readwrite' || mode === 'verify';
