import * as fs from 'fs';
import * as path from 'path';
import {decodeEntryFile, expectedOutcomes, listEntries} from './helpers/cacheStore';
import {FixtureProject, makeTempDir, REPO, type RunOptions, type RunResult} from './helpers/fixtureProject';

// Every input of the stage-1 action key (DESIGN.md section 2): editing it reruns exactly
// the suites that depend on it, and the others are replayed without running test code.
// fixtures/inputs is built so each input is reached by its own set of suites:
//
//   src/shared.ts            <- a.ts <- a.test, b.ts <- b.test
//   src/__mocks__/dep.ts     <- mocked.test (jest.mock('./dep'))
//   src/actualTarget.ts      <- actual.test (jest.requireActual only)
//   env/docblockEnv.js       <- docblockEnv.test (@jest-environment docblock)
//   env/projectEnv.js        <- config testEnvironment: every suite without a docblock
//   setup/setupHelper.ts     <- setup/afterEnv.ts (setupFilesAfterEnv): every suite
//   .swcrc                   <- @swc/jest: every suite
//   src/__snapshots__/snap.test.ts.snap <- snap.test
//   node_modules/fake-lib    <- lib.test (copied from local-packages/ as a real folder)
//   src/plugins/one.ts       <- computed.test by require('./plugins/' + name): runtime input
//   optout.test has a `@jest-runner-cache off` docblock: bypass

/** Each suite and the names its tests record when they run. */
const SUITES: Record<string, string[]> = {
  'src/a.test.ts': ['a', 'a:alpha'],
  'src/b.test.ts': ['b'],
  'src/c.test.ts': ['c'],
  'src/mocked.test.ts': ['mocked'],
  'src/actual.test.ts': ['actual'],
  'src/docblockEnv.test.ts': ['docblockEnv'],
  'src/setup.test.ts': ['setup'],
  'src/lib.test.ts': ['lib'],
  'src/snap.test.ts': ['snap'],
  'src/computed.test.ts': ['computed'],
  'src/optout.test.ts': ['optout'],
};
const ALL = Object.keys(SUITES);
/** Suites that must never be replayed: they run on every run. */
const ALWAYS_BYPASS = ['src/optout.test.ts'];
const CACHEABLE = ALL.filter(s => !ALWAYS_BYPASS.includes(s));

const namesOf = (suites: readonly string[]) => suites.flatMap(s => SUITES[s]).sort();

/** A fresh copy of fixtures/inputs with fake-lib installed as a real node_modules folder. */
function makeProject(options: {cacheDir?: string} = {}): FixtureProject {
  const project = new FixtureProject('inputs', options);
  fs.cpSync(
    path.join(REPO, 'fixtures/inputs/local-packages/fake-lib'),
    project.file('node_modules/fake-lib'),
    {recursive: true},
  );
  return project;
}

/** Asserts that exactly `rerun` ran (their test code executed), the bypassed suites ran
 * uncached, and every other suite was replayed without running. */
function expectRan(run: RunResult, rerun: readonly string[], bypass: readonly string[] = ALWAYS_BYPASS) {
  expect(run.outcomes).toEqual(expectedOutcomes(ALL, rerun, bypass));
  expect(run.executed).toEqual(namesOf([...rerun, ...bypass]));
}

/** As expectRan, for a run that passed. */
function expectOnly(run: RunResult, rerun: readonly string[], bypass: readonly string[] = ALWAYS_BYPASS) {
  if (run.code !== 0) throw new Error(`jest exited with ${run.code}; its output:\n${run.stderr}`);
  expectRan(run, rerun, bypass);
  expect(run.stderr).toMatch(new RegExp(`Tests:\\s+${namesOf(ALL).length} passed`));
}

describe('every stage-1 key input reruns exactly the suites that depend on it', () => {
  let project: FixtureProject;
  const restores: (() => void)[] = [];

  /** Rewrites a project file; afterEach puts the original content back. */
  function edit(relative: string, change: (content: string) => string): void {
    const original = project.read(relative);
    const changed = change(original);
    if (changed === original) throw new Error(`edit of ${relative} changed nothing`);
    restores.push(() => project.write(relative, original));
    project.write(relative, changed);
  }

  const run = (args: string[] = [], options: RunOptions = {}) => project.run(args, options);

  beforeAll(async () => {
    project = makeProject();
    const first = await run();
    expectOnly(first, CACHEABLE);
    // The fixture ships its snapshot: the first run matched it and stored the pass.
    expect(first.stderr).toMatch(/Snapshots:\s+1 passed, 1 total/);
    const repeat = await run();
    expectOnly(repeat, []);
  });

  afterEach(() => {
    while (restores.length > 0) restores.pop()!();
  });

  test('1. a transitive dependency: editing shared.ts reruns a and b only', async () => {
    edit('src/shared.ts', () => 'export const SHARED = 22;\n');
    expectOnly(await run(), ['src/a.test.ts', 'src/b.test.ts']);
    expectOnly(await run(), []);
  });

  test('2. a __mocks__ sibling: editing src/__mocks__/dep.ts reruns the suite mocking it', async () => {
    edit('src/__mocks__/dep.ts', s => s.replace("'mocked dep'", "'mocked dep, edited'"));
    expectOnly(await run(), ['src/mocked.test.ts']);
  });

  test('3. a jest.requireActual target: editing it reruns the suite requiring it', async () => {
    edit('src/actualTarget.ts', s => s.replace("'actual'", "'actual, edited'"));
    expectOnly(await run(), ['src/actual.test.ts']);
  });

  test('4. a module imported by a setupFilesAfterEnv file: editing it reruns all', async () => {
    edit('setup/setupHelper.ts', s => s.replace("'setup-ok'", "'setup-ok, edited'"));
    expectOnly(await run(), CACHEABLE);
  });

  test('4b. the setupFilesAfterEnv file itself: editing it reruns all', async () => {
    edit('setup/afterEnv.ts', s => `${s}(globalThis as Record<string, unknown>).EXTRA = 1;\n`);
    expectOnly(await run(), CACHEABLE);
  });

  test('5. the environment a @jest-environment docblock names: editing it reruns that suite', async () => {
    edit('env/docblockEnv.js', s => s.replace("this.global.ENV_NAME = 'docblock';", "this.global.ENV_NAME = 'docblock';\n    this.global.EXTRA = 1;"));
    expectOnly(await run(), ['src/docblockEnv.test.ts']);
  });

  test('5b. the config testEnvironment module: editing it reruns every suite that runs in it', async () => {
    edit('env/projectEnv.js', s => s.replace("this.global.ENV_NAME = 'project';", "this.global.ENV_NAME = 'project';\n    this.global.EXTRA = 1;"));
    const result = await run();
    // docblockEnv.test runs in its own environment, so rerunning it is optional
    // (the config's environment is a project-wide input); everything else must rerun.
    const docblock = result.outcomes['src/docblockEnv.test.ts'];
    expect(['ran', 'hit-action']).toContain(docblock);
    const rerun = CACHEABLE.filter(s => s !== 'src/docblockEnv.test.ts' || docblock === 'ran');
    expectOnly(result, rerun);
  });

  test('5c. switching a suite to another environment by its docblock alone reruns that suite', async () => {
    // Only a comment changes, yet setup.test now runs in the docblock environment, where
    // its check of ENV_NAME fails: a replayed pass would be a wrong result.
    edit('src/setup.test.ts', s => `/**\n * @jest-environment ./env/docblockEnv.js\n */\n${s}`);
    const result = await run();
    expect(result.code).toBe(1);
    expectRan(result, ['src/setup.test.ts']);
    expect(result.stderr).toMatch(/FAIL .*src\/setup\.test\.ts/);
    expect(result.stderr).toContain('Received: "docblock"');
  });

  test('6. transformer config: editing .swcrc reruns all', async () => {
    edit('.swcrc', s => s.replace('"parser"', '"keepClassNames": true,\n    "parser"'));
    expectOnly(await run(), CACHEABLE);
  });

  test('6b. transformer options in jest.config.js: changing them reruns all', async () => {
    edit('jest.config.js', s =>
      s.replace(
        "'@swc/jest'",
        "['@swc/jest', {jsc: {parser: {syntax: 'typescript'}, keepClassNames: true}}]",
      ),
    );
    expectOnly(await run(), CACHEABLE);
  });

  test('7. the snapshot file: an obsolete entry reruns only its suite, which is then stored', async () => {
    // Written as Jest writes snapshot files (sorted, one blank line apart), so Jest's
    // rewrite of the file at the end of the run leaves it byte-identical.
    const obsolete = 'exports[`an obsolete snapshot 1`] = `"gone"`;\n\n';
    edit('src/__snapshots__/snap.test.ts.snap', s => s.replace('exports[`matches', () => `${obsolete}exports[\`matches`));
    const edited = project.read('src/__snapshots__/snap.test.ts.snap');
    // The snapshot still matches; Jest fails the run (exit 1) for the obsolete entry only.
    const result = await run();
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/Tests:\s+12 passed, 12 total/);
    expect(result.stderr).toMatch(/Snapshots:\s+1 obsolete, 1 passed, 1 total/);
    expect(project.read('src/__snapshots__/snap.test.ts.snap')).toBe(edited);
    expectRan(result, ['src/snap.test.ts']);
    // Its suite passed: a clean pass (DESIGN section 3), stored and replayed next time,
    // with the obsolete count kept (so the run still fails the same way).
    const replay = await run();
    expectRan(replay, []);
    expect(replay.code).toBe(1);
    expect(replay.stderr).toMatch(/Snapshots:\s+1 obsolete, 1 passed, 1 total/);
  });

  test('7b. the snapshot file: a content change reruns only its suite, which fails', async () => {
    edit('src/__snapshots__/snap.test.ts.snap', s => s.replace('"hello"', '"goodbye"'));
    const result = await run();
    expect(result.code).toBe(1);
    expectRan(result, ['src/snap.test.ts']);
    expect(result.stderr).toMatch(/FAIL .*src\/snap\.test\.ts/);
    expect(result.stderr).toMatch(/Snapshots:\s+1 failed/);
  });

  test('8. a node_modules package: a version bump reruns only the suite importing it', async () => {
    edit('node_modules/fake-lib/package.json', s => s.replace('"1.0.0"', '"1.0.1"'));
    expectOnly(await run(), ['src/lib.test.ts']);
  });

  test('9. the project config: adding testTimeout reruns all', async () => {
    edit('jest.config.js', s => s.replace('module.exports = {', 'module.exports = {\n  testTimeout: 12345,'));
    expectOnly(await run(), CACHEABLE);
  });

  test('9b. the project config: adding a moduleNameMapper entry reruns all', async () => {
    edit('jest.config.js', s =>
      s.replace('module.exports = {', () => "module.exports = {\n  moduleNameMapper: {'^unused-alias$': '<rootDir>/src/c.ts'},"),
    );
    expectOnly(await run(), CACHEABLE);
  });

  describe('10. environment variables', () => {
    const differentFrom = (name: string, a: string, b: string) => (process.env[name] === a ? b : a);

    test.each([
      ['TZ', differentFrom('TZ', 'Pacific/Auckland', 'America/Lima')],
      ['NODE_ENV', differentFrom('NODE_ENV', 'production', 'development')],
      ['LANG', differentFrom('LANG', 'fr_FR.UTF-8', 'de_DE.UTF-8')],
    ])('changing %s reruns all', async (name: string, value: string) => {
      expectOnly(await run([], {env: {[name]: value}}), CACHEABLE);
    });

    test('an unrelated variable (SOME_OTHER_VAR) replays all', async () => {
      expect(process.env.SOME_OTHER_VAR).toBeUndefined();
      expectOnly(await run([], {env: {SOME_OTHER_VAR: 'something'}}), []);
    });
  });

  describe('11. CLI flags', () => {
    test('-t <pattern> has its own keys: a second identical run replays', async () => {
      const filtered = await run(['-t', 'alpha']);
      expect(filtered.code).toBe(0);
      expect(filtered.outcomes).toEqual(expectedOutcomes(ALL, CACHEABLE, ALWAYS_BYPASS));
      // Only the matching test ran; the others were skipped.
      expect(filtered.executed).toEqual(['a:alpha']);
      expect(filtered.stderr).toMatch(/Tests:\s+\d+ skipped, 1 passed/);

      const again = await run(['-t', 'alpha']);
      expect(again.code).toBe(0);
      expect(again.outcomes).toEqual(expectedOutcomes(ALL, [], ALWAYS_BYPASS));
      expect(again.executed).toEqual([]);
      expect(again.stderr).toMatch(/Tests:\s+\d+ skipped, 1 passed/);
    });

    test('--ci and --ci=false have different keys', async () => {
      // The harness passes --ci=false first; a later --ci wins.
      const ci = await run(['--ci']);
      expectOnly(ci, CACHEABLE);
      expectOnly(await run(['--ci']), []);
    });
  });

  test('12. a module loaded by a computed require is a runtime input: editing it reruns only its suite', async () => {
    // plugins/one.ts is only reachable through the computed specifier: no import graph
    // sees it; the recording of the modules the test loaded does.
    edit('src/plugins/one.ts', s => `${s}export const edited = true;\n`);
    expectOnly(await run(), ['src/computed.test.ts']);
  });

  test('13. a copy of the project in another folder replays from the same cache', async () => {
    const second = makeProject({cacheDir: project.cacheDir});
    expect(second.dir).not.toBe(project.dir);
    const json = path.join(makeTempDir(), 'results.json');
    expectOnly(await second.run(['--json', `--outputFile=${json}`]), []);
    // Each replayed result names the copy's own test file, as a fresh run there would.
    const {testResults} = JSON.parse(fs.readFileSync(json, 'utf8')) as {testResults: {name: string}[]};
    expect(testResults.length).toBeGreaterThan(0);
    for (const {name} of testResults) {
      expect(path.isAbsolute(name) && name.startsWith(second.dir + path.sep)).toBe(true);
      expect(fs.existsSync(name)).toBe(true);
    }
  });

  test('14. the `@jest-runner-cache off` docblock and the uncacheable option bypass every run', async () => {
    const env = {JEST_RUNNER_CACHE_UNCACHEABLE: 'src/c.test.ts,src/**/mock*.test.ts'};
    const bypass = [...ALWAYS_BYPASS, 'src/c.test.ts', 'src/mocked.test.ts'];
    for (let i = 0; i < 2; i++) {
      const result = await run([], {env});
      expectOnly(result, [], bypass);
      const reasons = Object.fromEntries(result.suites.map(s => [s.path, s.reason]));
      expect(reasons['src/optout.test.ts']).toMatch(/@jest-runner-cache off/);
      expect(reasons['src/c.test.ts']).toMatch(/uncacheable/);
      expect(reasons['src/mocked.test.ts']).toMatch(/uncacheable/);
    }
  });

  describe('15. JEST_RUNNER_CACHE modes', () => {
    test('read replays but stores nothing; write runs all and stores', async () => {
      edit('src/shared.ts', () => 'export const SHARED = 23;\n');
      const before = listEntries(project.cacheDir);
      expectOnly(await run([], {env: {JEST_RUNNER_CACHE: 'read'}}), ['src/a.test.ts', 'src/b.test.ts']);
      expect(listEntries(project.cacheDir)).toEqual(before);

      const writeStart = Date.now();
      const write = await run([], {env: {JEST_RUNNER_CACHE: 'write'}});
      expectOnly(write, CACHEABLE);
      // Entries holding a pass: input lists carry their result (the store also holds env
      // name lists and explain manifests).
      const after = listEntries(project.cacheDir).filter(e => decodeEntryFile(e).kind === 'inputs');
      // New entries are those of a and b (their keys changed)...
      const added = after.filter(e => !before.includes(e)).map(e => decodeEntryFile(e).testPath);
      expect([...new Set(added)].sort()).toEqual(['src/a.test.ts', 'src/b.test.ts']);
      // ...and every cacheable suite's entry was (re)written by this run.
      const written = after
        .filter(e => fs.statSync(e).mtimeMs >= writeStart)
        .map(e => decodeEntryFile(e).testPath);
      expect([...new Set(written)].sort()).toEqual([...CACHEABLE].sort());

      expectOnly(await run(), []);
    });

    test('a bad value fails the run with a message naming the option and its values', async () => {
      const bad = await run([], {env: {JEST_RUNNER_CACHE: 'sometimes'}});
      expect(bad.code).not.toBe(0);
      expect(bad.code).not.toBeNull();
      const output = bad.stdout + bad.stderr;
      expect(output).toContain('JEST_RUNNER_CACHE');
      expect(output).toContain('sometimes');
      expect(output).toMatch(/off, read, write, readwrite/);
      expect(bad.executed).toEqual([]);
    });
  });
});
