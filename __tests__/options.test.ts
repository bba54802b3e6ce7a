import * as fs from 'fs';
import * as path from 'path';
import {FixtureProject, makeTempDir, type RunResult} from './helpers/fixtureProject';
import {listStoreEntries} from './helpers/cacheStore';

// The runner's switches: runner options (`runner: ['jest-runner-cache', {...}]`, Jest >=
// 30.4.1) and JEST_RUNNER_CACHE* environment variables (which win). A bad value must stop
// the run with a message naming the option and what it accepts.

const outcomeSet = (run: RunResult) => [...new Set(Object.values(run.outcomes))].sort();

/** A run stopped by the runner before any test ran. */
function expectStopped(run: RunResult, message: RegExp): void {
  expect(run.code).not.toBe(0);
  expect(run.stderr).toMatch(message);
  expect(run.executed).toEqual([]);
  expect(run.stderr).not.toMatch(/Tests:\s+\d+ passed/);
}

describe('options', () => {
  let project: FixtureProject;
  let defaultStore: string;

  beforeEach(() => {
    project = new FixtureProject('options');
    defaultStore = path.join(project.cacheDir, 'jest-runner-cache');
  });

  describe('bad values stop the run, naming the option and what it accepts', () => {
    test('JEST_RUNNER_CACHE=sometimes', async () => {
      const run = await project.run([], {env: {JEST_RUNNER_CACHE: 'sometimes'}});
      expectStopped(run, /option "mode" \(env JEST_RUNNER_CACHE\) is "sometimes"; use one of off, read, write, readwrite/);
    });

    test('JEST_RUNNER_CACHE_MAX_AGE_DAYS=-1', async () => {
      const run = await project.run([], {env: {JEST_RUNNER_CACHE_MAX_AGE_DAYS: '-1'}});
      expectStopped(run, /option "maxAgeDays" \(env JEST_RUNNER_CACHE_MAX_AGE_DAYS\) is "-1"; give a positive number/);
    });

    test('JEST_RUNNER_CACHE_REMOTE_MODE=write (the remote is read or readwrite)', async () => {
      const run = await project.run([], {
        env: {JEST_RUNNER_CACHE_REMOTE_URL: 'http://127.0.0.1:9', JEST_RUNNER_CACHE_REMOTE_MODE: 'write'},
      });
      expectStopped(run, /option "remote.mode" \(env JEST_RUNNER_CACHE_REMOTE_MODE\) is "write"; use one of read, readwrite/);
    });

    test('a remote URL holding credentials is refused without showing them', async () => {
      const run = await project.run([], {env: {JEST_RUNNER_CACHE_REMOTE_URL: 'https://user:hunter2@cache.example.com'}});
      expectStopped(run, /option "remote.url" \(env JEST_RUNNER_CACHE_REMOTE_URL\) holds credentials; give the token in option "remote.token"/);
      expect(run.stdout + run.stderr).not.toContain('hunter2');
    });

    test('an unknown runner option key names itself and the known ones', async () => {
      const run = await project.run(['--config', 'jest.unknown.config.js']);
      expectStopped(run, /unknown option "mdoe"; known options are mode, /);
    });
  });

  describe('runner options in the tuple form', () => {
    test("{mode: 'off'} runs every suite and stores nothing", async () => {
      for (let i = 0; i < 2; i++) {
        const off = await project.run(['--config', 'jest.off.config.js']);
        expect(off.code).toBe(0);
        expect(off.executed).toEqual(['one', 'two']);
        expect(outcomeSet(off)).toEqual(['bypass']);
      }
      expect(listStoreEntries(defaultStore)).toEqual([]);
    });

    test('the environment variable wins over the option', async () => {
      await project.run(['--config', 'jest.off.config.js'], {env: {JEST_RUNNER_CACHE: 'readwrite'}});
      const second = await project.run(['--config', 'jest.off.config.js'], {env: {JEST_RUNNER_CACHE: 'readwrite'}});
      expect(second.code).toBe(0);
      expect(second.executed).toEqual([]);
      expect(outcomeSet(second)).toEqual(['hit-action']);
    });

    test("{mode: 'read'} replays what another run stored but stores nothing itself", async () => {
      const readOnly = await project.run(['--config', 'jest.read.config.js']);
      expect(readOnly.code).toBe(0);
      expect(readOnly.executed).toEqual(['one', 'two']);
      expect(listStoreEntries(defaultStore)).toEqual([]);

      // A read-write run (the plain config) stores; the options are not part of the key.
      const readWrite = await project.run();
      expect(readWrite.executed).toEqual(['one', 'two']);
      // (Stored under its action key, and under its content key too.)
      expect(listStoreEntries(defaultStore).length).toBeGreaterThanOrEqual(2);

      const replayed = await project.run(['--config', 'jest.read.config.js']);
      expect(replayed.code).toBe(0);
      expect(replayed.executed).toEqual([]);
      expect(outcomeSet(replayed)).toEqual(['hit-action']);
    });
  });

  describe('JEST_RUNNER_CACHE_DIR', () => {
    test('a folder outside the project holds the entries, and serves the next run', async () => {
      const store = path.join(makeTempDir('jrc-store-'), 'shared-store');
      const first = await project.run([], {env: {JEST_RUNNER_CACHE_DIR: store}});
      expect(first.code).toBe(0);
      expect(listStoreEntries(store).length).toBeGreaterThanOrEqual(2);
      expect(listStoreEntries(defaultStore)).toEqual([]);

      const second = await project.run([], {env: {JEST_RUNNER_CACHE_DIR: store}});
      expect(second.executed).toEqual([]);
      expect(outcomeSet(second)).toEqual(['hit-action']);

      // Another checkout of the project with a fresh Jest cache, same store: replayed.
      // Another checkout; its test code must see the same JRC_EXEC_LOG value (a runtime
      // input), so its exec log sits beside the first project's.
      const other = new FixtureProject('options', {
        cacheDir: path.join(path.dirname(project.cacheDir), 'other-jest-cache'),
      });
      const elsewhere = await other.run([], {env: {JEST_RUNNER_CACHE_DIR: store}});
      expect(elsewhere.executed).toEqual([]);
      expect(outcomeSet(elsewhere)).toEqual(['hit-action']);
    });

    test('a folder inside the project is refused with a clear message', async () => {
      const inside = project.file('.jest-runner-cache');
      const run = await project.run([], {env: {JEST_RUNNER_CACHE_DIR: inside}});
      expectStopped(run, /option "cacheDir" \(env JEST_RUNNER_CACHE_DIR\) is .*inside the project folder/);
      expect(run.stderr).toContain(inside);
      expect(fs.existsSync(inside)).toBe(false);
    });

    test('a relative folder is resolved against the cwd, and refused inside the project', async () => {
      const run = await project.run([], {env: {JEST_RUNNER_CACHE_DIR: 'cache-store'}});
      expectStopped(run, /option "cacheDir" \(env JEST_RUNNER_CACHE_DIR\) is .*inside the project folder/);
      expect(fs.existsSync(project.file('cache-store'))).toBe(false);
    });

    test('a folder inside the project reached through a symlinked path is refused too', async () => {
      // Jest's rootDir is a real path; the option may name the project through a link
      // (as /tmp -> /private/tmp on macOS does).
      const alias = path.join(makeTempDir('jrc-alias-'), 'project-link');
      fs.symlinkSync(project.dir, alias);
      const run = await project.run([], {env: {JEST_RUNNER_CACHE_DIR: path.join(alias, 'store')}});
      expectStopped(run, /option "cacheDir" \(env JEST_RUNNER_CACHE_DIR\) is .*inside the project folder/);
      expect(fs.existsSync(project.file('store'))).toBe(false);
    });
  });
});
