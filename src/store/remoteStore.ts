import {setMaxListeners} from 'events';
import pLimit from 'p-limit';
import type {RemoteOptions} from '../options';
import {artifactTag, isValidTag} from './artifactTag';
import {entryBody, parseBody, seal, unseal, type TextTransform} from './entryCodec';

/** Requests in flight at once: enough to hide a server's latency, few enough for any server. */
const CONCURRENCY = 16;

/** What a failed request says, without the request itself (its headers hold the token). */
function reasonOf(error: unknown): string {
  const cause = (error as {cause?: {code?: string; message?: string}}).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message ?? String(error);
}

/**
 * A Turborepo remote cache server (`GET/PUT /v8/artifacts/:hash`, Bearer token) as a store
 * of the local store's entries: an artifact is the text of a local entry file (sealed by
 * the hash of its body), signed in `x-artifact-tag` when a key is set. Requests go out at
 * most CONCURRENCY at a time over the keep-alive connections of Node's fetch.
 *
 * Nothing the server does fails the run: every fault is a miss. The first fault of the
 * server itself (no connection, an error status, no answer in time) aborts every request
 * of the run, so a server that is down or hanging costs one timeout, not one per suite;
 * an artifact that fails its checks is only that artifact's miss. warning() sums it all up
 * in one line.
 */
export class RemoteStore {
  readonly #limit = pLimit(CONCURRENCY);
  readonly #abort = new AbortController();
  readonly #base: URL;
  readonly #uploads = new Set<Promise<void>>();
  /** Parsed entries named by the hash of their content (shared by many suites), by key. */
  readonly #shared = new Map<string, Promise<unknown>>();
  readonly #uploaded = new Set<string>();
  #fault: string | undefined;
  #rejected: {count: number; first: string} | undefined;

  constructor(private readonly options: RemoteOptions) {
    this.#base = new URL(options.url);
    if (!this.#base.pathname.endsWith('/')) this.#base.pathname += '/';
    // Each request in flight listens to the run's abort signal.
    setMaxListeners(CONCURRENCY * 2, this.#abort.signal);
  }

  /** The server as the warning names it: no credentials, no query. */
  private get where(): string {
    return `${this.#base.origin}${this.#base.pathname}`;
  }

  private get team(): string {
    return this.options.team ?? '';
  }

  private urlOf(key: string): URL {
    const url = new URL(`v8/artifacts/${key}`, this.#base);
    // As Turborepo sends it: a team id is `team_...`, anything else is a slug.
    if (this.options.team) url.searchParams.set(this.team.startsWith('team_') ? 'teamId' : 'slug', this.team);
    return url;
  }

  private headers(): Record<string, string> {
    return this.options.token ? {authorization: `Bearer ${this.options.token}`} : {};
  }

  /** The checked body of the artifact under `key`; undefined on a miss or any fault. */
  get(key: string): Promise<string | undefined> {
    return this.#limit(async () => {
      if (this.#abort.signal.aborted) return undefined;
      try {
        const response = await fetch(this.urlOf(key), {headers: this.headers(), signal: this.#abort.signal});
        const body = Buffer.from(await response.arrayBuffer());
        if (response.status === 404) return undefined;
        if (!response.ok) return this.fail(`GET answered ${response.status} ${response.statusText}`);
        return this.check(key, body, response.headers.get('x-artifact-tag'));
      } catch (error) {
        return this.fail(reasonOf(error));
      }
    });
  }

  /** For entries named by the hash of their content: fetched and parsed once per run. */
  getShared(key: string): Promise<unknown> {
    let value = this.#shared.get(key);
    if (!value) this.#shared.set(key, (value = this.get(key).then(body => body && parseBody(body))));
    return value;
  }

  /** The artifact's body, if it is signed with the key (when one is set) and intact. */
  private check(key: string, body: Buffer, tag: string | null): string | undefined {
    const {signatureKey} = this.options;
    if (signatureKey && !isValidTag(signatureKey, key, this.team, body, tag)) {
      return this.reject(tag ? 'an artifact with a wrong signature' : 'an unsigned artifact');
    }
    return unseal(body) ?? this.reject('a corrupt artifact (its hash does not match its body)');
  }

  /** Uploads an entry (in the background; see flush). Nothing in read mode. */
  put(key: string, value: unknown, transform?: TextTransform): void {
    if (this.options.mode !== 'readwrite' || this.#abort.signal.aborted) return;
    this.#uploaded.add(key);
    const body = Buffer.from(seal(entryBody(value, transform)));
    const headers: Record<string, string> = {...this.headers(), 'content-type': 'application/octet-stream'};
    if (this.options.signatureKey) headers['x-artifact-tag'] = artifactTag(this.options.signatureKey, key, this.team, body);
    const upload = this.#limit(async () => {
      if (this.#abort.signal.aborted) return;
      try {
        const response = await fetch(this.urlOf(key), {method: 'PUT', body, headers, signal: this.#abort.signal});
        await response.arrayBuffer();
        if (!response.ok) this.fail(`PUT answered ${response.status} ${response.statusText}`);
      } catch (error) {
        this.fail(reasonOf(error));
      }
    });
    this.#uploads.add(upload);
    void upload.finally(() => this.#uploads.delete(upload));
  }

  /** Stage entries are artifacts like any other. */
  putStage(key: string, value: unknown, transform: TextTransform): void {
    this.put(key, value, transform);
  }

  /** True when this run uploaded the entry under `key` (see twoStep's save). */
  holds(key: string): boolean {
    return this.#uploaded.has(key);
  }

  /**
   * Runs `work`; requests still open after the timeout are aborted (a fault), so `work`
   * ends then at the latest: the longest the run waits for the server.
   */
  async bounded<T>(work: () => Promise<T>): Promise<T> {
    const timer = setTimeout(() => this.fail(`no answer within ${this.options.timeoutMs} ms`), this.options.timeoutMs);
    try {
      return await work();
    } finally {
      clearTimeout(timer);
    }
  }

  /** Waits for the uploads started so far, at most the timeout. */
  flush(): Promise<void> {
    return this.bounded(async () => {
      await Promise.all(this.#uploads);
    });
  }

  /** The one line that tells what went wrong with the server this run, if anything did. */
  warning(): string | undefined {
    const problems = [
      this.#fault && `${this.#fault}; remote lookups and uploads stopped for this run`,
      this.#rejected &&
        `${this.#rejected.count} ${this.#rejected.count === 1 ? 'artifact' : 'artifacts'} ignored (first: ${this.#rejected.first})`,
    ].filter(Boolean);
    if (problems.length === 0) return undefined;
    return `jest-runner-cache: remote cache ${this.where}: ${problems.join('; ')} (treated as cache misses).`;
  }

  /** A fault of the server: every request of the run ends now, as a miss. */
  private fail(reason: string): undefined {
    if (this.#abort.signal.aborted) return undefined;
    this.#fault = reason;
    this.#abort.abort();
    return undefined;
  }

  /** An artifact that fails its checks: a miss, the server stays in use. */
  private reject(what: string): undefined {
    this.#rejected ??= {count: 0, first: what};
    this.#rejected.count++;
    return undefined;
  }
}
