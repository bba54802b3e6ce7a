import {spawnSync} from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import {FixtureProject, REPO, type RunOptions, type RunResult} from './helpers/fixtureProject';

// Stage 3 (DESIGN.md section 2): the inputs a test reads at run time (files read, folders
// listed, env variables, modules loaded by a computed specifier, patched node_modules
// files) key its stored pass, while tests that start processes or workers are never stored.
// Each suite of fixtures/runtime-inputs appends its name to JRC_EXEC_LOG when it runs.

/** Every suite of the fixture, by the name it records when it runs. */
const SUITES = [
  'callback',
  'env',
  'feature',
  'gracefulfs',
  'helper',
  'listing',
  'patched',
  'plain',
  'promises',
  'promisified',
  'spawn',
  'sync',
  'worker',
];
/** Suites that start a process or a worker: never stored, so they run every time. */
const ALWAYS = ['spawn', 'worker'];

/** What every run of the fixture must report: exactly `ran` rerun, the rest replayed. */
function expectOnlyRan(run: RunResult, ran: string[]): void {
  const expected: Record<string, string> = {};
  for (const name of SUITES) {
    expected[`${name}.test.ts`] = ALWAYS.includes(name) ? 'bypass' : ran.includes(name) ? 'ran' : 'hit-action';
  }
  expect(run.outcomes).toEqual(expected);
  expect(run.executed).toEqual([...new Set([...ALWAYS, ...ran])].sort());
  const reason = (name: string) => run.suites.find(s => s.path === `${name}.test.ts`)?.reason;
  expect(reason('spawn')).toMatch(/^not stored: .*child_process/);
  expect(reason('worker')).toMatch(/^not stored: .*worker_threads/);
}

describe('runtime inputs (stage 3)', () => {
  let project: FixtureProject;
  const ENV: Record<string, string> = {GREETING: 'hello', UNRELATED_VAR: 'one'};
  const run = (env: Record<string, string> = {}, options: RunOptions = {}) =>
    project.run([], {...options, env: {...ENV, ...env}});

  beforeAll(async () => {
    project = new FixtureProject('runtime-inputs');
    // Packages installed as real folders: patched-lib is patched in place (patch-package
    // style, same version); jest-fixture-loader is a third-party jest-* test helper.
    for (const name of fs.readdirSync(project.file('local-packages'))) {
      const target = project.file(`node_modules/${name}`);
      fs.rmSync(target, {recursive: true, force: true});
      fs.cpSync(project.file(`local-packages/${name}`), target, {recursive: true});
    }
    project.remove('local-packages');

    const first = await run();
    expect(first.stderr).toMatch(/Tests:\s+13 passed, 13 total/);
    expect(first.code).toBe(0);
    expectOnlyRan(first, SUITES);

    const repeat = await run();
    expect(repeat.code).toBe(0);
    expectOnlyRan(repeat, []);
  });

  test('a suite that spawns a child process or starts a worker thread is never stored: it runs every time', async () => {
    // expectOnlyRan checks this on every run of this file; here it is on its own.
    for (let i = 0; i < 2; i++) {
      const again = await run();
      expect(again.code).toBe(0);
      expect(again.outcomes['spawn.test.ts']).toBe('bypass');
      expect(again.outcomes['worker.test.ts']).toBe('bypass');
      expect(again.executed).toEqual(['spawn', 'worker']);
      const reasons = Object.fromEntries(again.suites.map(s => [s.path, s.reason]));
      expect(reasons['spawn.test.ts']).toBe(
        'not stored: it started child_process.spawnSync, whose reads are unknown',
      );
      expect(reasons['worker.test.ts']).toBe(
        'not stored: it started worker_threads.Worker, whose reads are unknown',
      );
    }
  });

  test('a file read with fs.readFileSync: edited -> its suite reruns; restored -> the old pass replays', async () => {
    const original = project.read('data/sync.txt');
    project.write('data/sync.txt', 'broken\n');
    const broken = await run();
    expect(broken.code).toBe(1);
    expectOnlyRan(broken, ['sync']);
    expect(broken.stderr).toMatch(/FAIL .*sync\.test\.ts/);

    // A new pass is stored for the edited data. Jest runs the suite that failed first, so it
    // is the first in its process: reads Jest makes for itself then (Node's loader reading a
    // module Jest requires lazily) must not join its input list, or the first pass below is
    // looked up under a different list and never found...
    project.write('data/sync.txt', 'hello, edited\n');
    const edited = await run();
    expect(edited.code).toBe(0);
    expectOnlyRan(edited, ['sync']);

    // ...and the first pass must still be found once the data is as it was: the inputs
    // fingerprint as they did then.
    project.write('data/sync.txt', original);
    const restored = await run();
    expect(restored.code).toBe(0);
    expectOnlyRan(restored, []);
  });

  test('files read with the callback fs.readFile and fs.promises.readFile: edits rerun their suites', async () => {
    const callback = project.read('data/callback.txt');
    const promise = project.read('data/promise.txt');
    project.write('data/callback.txt', 'broken\n');
    project.write('data/promise.txt', 'broken\n');
    const broken = await run();
    expect(broken.code).toBe(1);
    expectOnlyRan(broken, ['callback', 'promises']);
    expect(broken.stderr).toMatch(/FAIL .*callback\.test\.ts/);
    expect(broken.stderr).toMatch(/FAIL .*promises\.test\.ts/);

    project.write('data/callback.txt', callback);
    project.write('data/promise.txt', promise);
    const restored = await run();
    expect(restored.code).toBe(0);
    expectOnlyRan(restored, []);
  });

  test('files read through util.promisify, graceful-fs (fs-extra) or a jest-* helper package: edits rerun', async () => {
    const files = ['data/promisified.txt', 'data/graceful.txt', 'data/helper.txt'];
    const originals = files.map(file => project.read(file));
    for (const file of files) project.write(file, 'broken\n');
    const broken = await run();
    expectOnlyRan(broken, ['gracefulfs', 'helper', 'promisified']);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/FAIL .*promisified\.test\.ts/);
    expect(broken.stderr).toMatch(/FAIL .*gracefulfs\.test\.ts/);
    expect(broken.stderr).toMatch(/FAIL .*helper\.test\.ts/);

    files.forEach((file, i) => project.write(file, originals[i]));
    const restored = await run();
    expect(restored.code).toBe(0);
    expectOnlyRan(restored, []);
  });

  test('an env variable the test reads reruns its suite; an unrelated one reruns nothing', async () => {
    const failing = await run({GREETING: 'goodbye'});
    expect(failing.code).toBe(1);
    expectOnlyRan(failing, ['env']);
    expect(failing.stderr).toMatch(/FAIL .*env\.test\.ts/);

    const changed = await run({GREETING: 'howdy'});
    expect(changed.code).toBe(0);
    expectOnlyRan(changed, ['env']);
    // Both passes are kept, as in Go: going back to the first value replays its pass,
    // and so does coming back to the second.
    const back = await run({GREETING: ENV.GREETING});
    expect(back.code).toBe(0);
    expectOnlyRan(back, []);
    expect(back.stderr).toContain('(cached) env.test.ts');
    expectOnlyRan(await run({GREETING: 'howdy'}), []);
    // The later runs keep the new value.
    ENV.GREETING = 'howdy';

    const unrelated = await run({UNRELATED_VAR: 'two'});
    expect(unrelated.code).toBe(0);
    expectOnlyRan(unrelated, []);
  });

  test('a folder listed with fs.readdirSync: a new file reruns the lister, file contents do not', async () => {
    project.write('listing/c.txt', 'c\n');
    const added = await run();
    expect(added.code).toBe(0);
    expectOnlyRan(added, ['listing']);

    // The names are the input, not the contents.
    project.write('listing/a.txt', 'a, edited\n');
    const contents = await run();
    expect(contents.code).toBe(0);
    expectOnlyRan(contents, []);
  });

  test('a module a setup file loads by a computed specifier: editing it reruns the suite using it', async () => {
    const original = project.read('plugins/feature.ts');
    project.write('plugins/feature.ts', "export function feature(): string {\n  return 'feature off';\n}\n");
    const broken = await run();
    expect(broken.code).toBe(1);
    expectOnlyRan(broken, ['feature']);
    expect(broken.stderr).toMatch(/FAIL .*feature\.test\.ts/);

    project.write('plugins/feature.ts', original);
    const restored = await run();
    expect(restored.code).toBe(0);
    expectOnlyRan(restored, []);
  });

  test('a node_modules package patched without a version change reruns the suite using it', async () => {
    const index = 'node_modules/patched-lib/index.js';
    project.write(index, "exports.value = 'v1-patched';\n");
    const patched = await run();
    expect(patched.code).toBe(0);
    expectOnlyRan(patched, ['patched']);

    project.write(index, "exports.value = 'broken';\n");
    const broken = await run();
    expect(broken.code).toBe(1);
    expectOnlyRan(broken, ['patched']);
    expect(broken.stderr).toMatch(/FAIL .*patched\.test\.ts/);

    project.write(index, "exports.value = 'v1-patched';\n");
    const again = await run();
    expect(again.code).toBe(0);
    expectOnlyRan(again, []);
  });

  describe('jest-runner-cache explain', () => {
    const explain = (file: string) => {
      // The same environment as the jest runs: the recorded env variables are inputs too.
      const env: NodeJS.ProcessEnv = {...process.env, ...ENV, JRC_EXEC_LOG: project.execLog, FORCE_COLOR: '0'};
      delete env.JEST_WORKER_ID;
      const result = spawnSync(
        process.execPath,
        [path.join(REPO, 'dist/cli.js'), 'explain', file, '--cacheDirectory', project.cacheDir],
        {cwd: project.dir, env, encoding: 'utf8'},
      );
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      return result.stdout;
    };

    test('names the data file that changed since the stored pass, and nothing when none did', async () => {
      const original = project.read('data/sync.txt');
      // A pass stored just now, whatever the tests above left in the store.
      project.write('data/sync.txt', 'hello, explain\n');
      const stored = await run();
      expect(stored.code).toBe(0);
      expectOnlyRan(stored, ['sync']);

      const testFile = project.file('sync.test.ts');
      const unchanged = explain(testFile);
      expect(unchanged).toContain('No file, env variable or runtime input differs');
      expect(unchanged).not.toContain('data/sync.txt');

      project.write('data/sync.txt', 'hello, changed\n');
      try {
        const changed = explain(testFile);
        expect(changed).toMatch(/The next run runs it: 1 input\(s\) differ/);
        expect(changed).toMatch(/data\/sync\.txt/);
      } finally {
        project.write('data/sync.txt', 'hello, explain\n');
      }
      expect(explain(testFile)).toContain('No file, env variable or runtime input differs');
      project.write('data/sync.txt', original);
    });

    test('after a replay by content key, it does not claim the next run runs the suite', async () => {
      const original = project.read('plain.test.ts');
      // A same-line comment after the code: a new action key, the same content key.
      project.write('plain.test.ts', original.replace('toBe(2);\n});', 'toBe(2);\n}); // a comment'));
      const comment = await run();
      expect(comment.code).toBe(0);
      expect(comment.outcomes['plain.test.ts']).toBe('hit-content');

      const said = explain(project.file('plain.test.ts'));
      const next = await run();
      // What the next run does...
      expect(next.outcomes['plain.test.ts']).toBe('hit-action');
      expect(next.executed).not.toContain('plain');
      // ...is what explain must have said.
      expect(said).not.toContain('The next run runs it');
      expect(said).toContain('No file, env variable or runtime input differs');
      project.write('plain.test.ts', original);
    });

    test('says there is no stored pass for a test file that never ran', () => {
      project.write('never.test.ts', "test('never run', () => {});\n");
      try {
        expect(explain(project.file('never.test.ts'))).toContain('no stored pass');
      } finally {
        project.remove('never.test.ts');
      }
    });
  });
});

describe('runtime inputs in a native ESM project', () => {
  let project: FixtureProject;
  const run = () => project.run([], {nodeArgs: ['--experimental-vm-modules']});

  beforeAll(async () => {
    project = new FixtureProject('runtime-inputs-esm');
    const first = await run();
    expect(first.stderr).toMatch(/Tests:\s+2 passed, 2 total/);
    expect(first.code).toBe(0);
    expect(first.executed).toEqual(['plain', 'reader']);

    const repeat = await run();
    expect(repeat.code).toBe(0);
    expect(repeat.executed).toEqual([]);
    expect(repeat.outcomes).toEqual({'plain.test.js': 'hit-action', 'reader.test.js': 'hit-action'});
  });

  test("a file read through `import {readFileSync} from 'fs'`: editing it reruns the reader", async () => {
    const original = project.read('data/esm.txt');
    project.write('data/esm.txt', 'broken\n');
    const broken = await run();
    expect(broken.code).toBe(1);
    expect(broken.executed).toEqual(['reader']);
    expect(broken.outcomes).toEqual({'plain.test.js': 'hit-action', 'reader.test.js': 'ran'});

    project.write('data/esm.txt', original);
    const restored = await run();
    expect(restored.code).toBe(0);
    expect(restored.executed).toEqual([]);
    expect(restored.outcomes).toEqual({'plain.test.js': 'hit-action', 'reader.test.js': 'hit-action'});
  });
});

// The keys treat a file in a folder found absent as absent without a stat of its own; once
// tests run, a folder may appear. a.test.js creates __snapshots__/ (absent when the keys
// were computed) and writes a file there that b.test.js, run after it, reads.
describe('a file read in a folder that appeared during the run', () => {
  test('is stored with its content: deleting it reruns the reader', async () => {
    const project = new FixtureProject('appearing-folder');
    const first = await project.run(['--runInBand']);
    expect(first.code).toBe(0);
    expect(first.outcomes).toEqual({'a.test.js': 'ran', 'b.test.js': 'ran'});

    project.remove('__snapshots__/shared.json');
    // a.test.js is replayed (it writes nothing then), so b.test.js must run and fail.
    const second = await project.run(['--runInBand']);
    expect(second.outcomes).toEqual({'a.test.js': 'hit-action', 'b.test.js': 'ran'});
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/Tests:\s+1 failed, 1 passed, 2 total/);
  });
});

// An editor may save a file while the suites run. A pass is stored for the content each
// file had when the suite used it, by the stat signature taken just before Jest read it;
// where that content is not known for sure, the pass is not stored.
// Jest runs a few fast suites in band once it knows their times: a memory limit makes it
// use workers every time.
describe.each([
  ['in band', ['--runInBand']],
  ['with Jest workers', ['--maxWorkers=2', '--workerIdleMemoryLimit=1GB']],
])('a file saved while the suite runs (%s)', (_mode, flags) => {
  let project: FixtureProject;
  let first: RunResult;
  let second: RunResult;
  let third: RunResult;
  const reason = (run: RunResult, file: string) => run.suites.find(s => s.path === file)?.reason;

  beforeAll(async () => {
    project = new FixtureProject('mid-run-edit');
    first = await project.run(flags);
    second = await project.run(flags);
    third = await project.run(flags);
  });

  test('a module saved after the suite loaded it: the pass is not stored, so the next run runs it and fails', () => {
    // loaded.test.js loads lib/loaded.js (1), passes, then saves it as 2.
    expect(first.outcomes['loaded.test.js']).toBe('bypass');
    expect(reason(first, 'loaded.test.js')).toBe('not stored: lib/loaded.js changed while the suite ran');
    expect(second.outcomes['loaded.test.js']).toBe('ran');
    expect(second.stderr).toMatch(/Expected: 1\s+Received: 2/);
    expect(third.outcomes['loaded.test.js']).toBe('ran');
    expect(third.executed).toContain('loaded');
  });

  test('a module of the key saved before the suite loaded it: stored only once the content it ran is the key\'s', () => {
    // The setup file saves lib/keyed.js before each suite: other content than the key's on
    // the first run, the same content (a new mtime) from then on.
    expect(first.outcomes['keyed.test.js']).toBe('bypass');
    expect(reason(first, 'keyed.test.js')).toBe('not stored: lib/keyed.js changed while the suite ran');
    expect(second.outcomes['keyed.test.js']).toBe('ran');
    expect(reason(second, 'keyed.test.js')).toBeUndefined();
    expect(third.outcomes['keyed.test.js']).toBe('hit-action');
    expect(third.executed).toEqual(['loaded']);
  });
});
