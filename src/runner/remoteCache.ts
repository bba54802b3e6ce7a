import type {Config} from '@jest/types';
import {updateManifest} from '../explain/manifest';
import type {CurrentInputs} from '../key/runtimeInputs';
import type {RemoteOptions} from '../options';
import type {LocalStore} from '../store/localStore';
import {lookupRemote} from '../store/remoteLookup';
import {RemoteStore} from '../store/remoteStore';
import {save, type Found} from '../store/twoStep';
import type {PlannedTest} from './projectKeys';

/**
 * The runner's side of the remote cache (the server is a RemoteStore): lookups for the
 * suites the local store missed, uploads of new passes, and the run's one warning.
 */
export class RemoteCache {
  private constructor(private readonly remote: RemoteStore) {}

  /** None unless a URL is configured. */
  static create(options: RemoteOptions | undefined): RemoteCache | undefined {
    return options && new RemoteCache(new RemoteStore(options));
  }

  /**
   * Looks up the stage-1 misses on the server, all together and for at most the timeout.
   * A hit is replayed as a local one would be and, where the local store may be written,
   * kept there (with explain's record, which says it came from the remote).
   */
  async lookUp(
    misses: PlannedTest[],
    current: CurrentInputs,
    localFor: ((config: Config.ProjectConfig) => LocalStore) | undefined,
  ): Promise<void> {
    await this.remote.bounded(() =>
      Promise.all(
        misses.map(async p => {
          const {rootDir} = p.test.context.config;
          const found = await lookupRemote(this.remote, p.key!.key, rootDir, current);
          if (!found) return;
          p.hit = found;
          p.outcome = {path: p.outcome.path, outcome: 'hit-action', savedMs: found.entry.runtimeMs, remote: true};
          if (!localFor) return;
          try {
            const local = localFor(p.test.context.config);
            save(local, p.key!.key, found, rootDir);
            updateManifest(local, p.test.path, rootDir, p.key!, found, found.resultKey, {remote: true});
          } catch {
            // the replay stands; the next run looks it up remotely again
          }
        }),
      ),
    );
  }

  /** Uploads a pass stored locally under `keys` (nothing in read mode). */
  upload(keys: string[], found: Found, rootDir: string): void {
    for (const key of keys) save(this.remote, key, found, rootDir);
  }

  /** Waits for the uploads (at most the timeout), then prints the run's warning, if any. */
  async finish(): Promise<void> {
    await this.remote.flush();
    const warning = this.remote.warning();
    if (warning) process.stderr.write(`${warning}\n`);
  }
}
