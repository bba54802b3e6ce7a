import {spawnSync} from 'child_process';
import * as path from 'path';
import {FixtureProject, REPO, type RunResult} from './helpers/fixtureProject';

// Projects whose `roots` hold only part of what Jest loads (DESIGN.md section 9): Jest's
// haste map knows nothing outside the roots, yet sources, setup files and manual mocks
// there are keyed like the rest, so an edit reruns exactly the suites that reach it.

type Outcome = RunResult['outcomes'][string];

/** Checks every suite's outcome (default: replayed by its action key) and what executed. */
function expectRun(
  run: RunResult,
  suites: readonly string[],
  changed: Record<string, Outcome>,
  options: {code?: number} = {},
): void {
  if (run.code !== (options.code ?? 0)) {
    throw new Error(`jest exited with ${run.code}; its output:\n${run.stderr}`);
  }
  const expected: Record<string, Outcome> = {};
  for (const suite of suites) expected[suite] = 'hit-action';
  for (const [suite, outcome] of Object.entries(changed)) {
    if (!suites.includes(suite)) throw new Error(`unknown suite ${suite}`);
    expected[suite] = outcome;
  }
  expect(run.outcomes).toEqual(expected);
  const ran = Object.keys(changed).filter(suite => changed[suite] === 'ran' || changed[suite] === 'bypass');
  expect(run.executed).toEqual(ran.map(suite => suite.replace(/^.*\/(.*)\.test\.ts$/, '$1')).sort());
}

/**
 * What `jest-runner-cache explain` says differs for a suite's stored pass. A file of its
 * key (closure or setup) shows as `<file>: content changed`, one only recorded at run time
 * (stage 3) as `read at run time: ...`: so it tells whether stage 1 saw a file.
 */
function explain(project: FixtureProject, suite: string): string {
  const env: NodeJS.ProcessEnv = {...process.env, JRC_EXEC_LOG: project.execLog, FORCE_COLOR: '0'};
  delete env.JEST_WORKER_ID;
  const result = spawnSync(
    process.execPath,
    [path.join(REPO, 'dist/cli.js'), 'explain', project.file(suite), '--cacheDirectory', project.cacheDir],
    {cwd: project.dir, env, encoding: 'utf8'},
  );
  expect(result.status).toBe(0);
  return result.stdout;
}

const allRan = (suites: readonly string[]) => Object.fromEntries(suites.map(s => [s, 'ran' as const]));

describe("roots: ['<rootDir>/test'], sources in src/ and setup files in scripts/", () => {
  const SUITES = ['test/a.test.ts', 'test/b.test.ts', 'test/loader.test.ts', 'test/mocked.test.ts', 'test/setup.test.ts'];
  let project: FixtureProject;

  beforeAll(async () => {
    project = new FixtureProject('outside-roots');
    expectRun(await project.run(), SUITES, allRan(SUITES));
  });

  test('an unchanged project replays every suite', async () => {
    expectRun(await project.run(), SUITES, {});
  });

  test('an edit to src/b reruns exactly the suites that reach it, through src/a too', async () => {
    const original = project.read('src/b.ts');
    project.write('src/b.ts', 'export const b = () => 2;\n');
    // Stage 1 sees it (not only the modules recorded at run time).
    expect(explain(project, 'test/a.test.ts')).toContain('src/b.ts: content changed');
    const run = await project.run();
    expectRun(run, SUITES, {'test/a.test.ts': 'ran', 'test/b.test.ts': 'ran'}, {code: 1});
    // The behaviour changed: both fail, where a stale replay would pass.
    expect(run.stderr).toMatch(/FAIL test\/a\.test\.ts/);
    expect(run.stderr).toMatch(/FAIL test\/b\.test\.ts/);
    project.write('src/b.ts', original);
    expectRun(await project.run(), SUITES, {});
  });

  test('a new file outside the roots that takes over an import reruns the suites reaching it', async () => {
    // './b' resolves to b.ts; a b.js beside it comes first (moduleFileExtensions order).
    project.write('src/b.js', 'exports.b = () => 5;\n');
    expectRun(await project.run(), SUITES, {'test/a.test.ts': 'ran', 'test/b.test.ts': 'ran'}, {code: 1});
    project.remove('src/b.js');
    expectRun(await project.run(), SUITES, {});
  });

  test('stage 2 bundles the sources outside the roots: a comment edit there still hits', async () => {
    const original = project.read('src/b.ts');
    project.write('src/b.ts', original.replace(/\n$/, ' // a comment\n'));
    expectRun(await project.run(), SUITES, {'test/a.test.ts': 'hit-content', 'test/b.test.ts': 'hit-content'});
    project.write('src/b.ts', original);
    expectRun(await project.run(), SUITES, {});
  });

  test('an edit to a manual mock beside a source outside the roots reruns the suite mocking it', async () => {
    const original = project.read('src/__mocks__/c.ts');
    project.write('src/__mocks__/c.ts', "export const c = () => 'another mock';\n");
    expect(explain(project, 'test/mocked.test.ts')).toContain('src/__mocks__/c.ts: content changed');
    const run = await project.run();
    expectRun(run, SUITES, {'test/mocked.test.ts': 'ran'}, {code: 1});
    expect(run.stderr).toMatch(/FAIL test\/mocked\.test\.ts/);
    project.write('src/__mocks__/c.ts', original);
    expectRun(await project.run(), SUITES, {});
  });

  test('a module loaded by a computed specifier outside the roots is a runtime input', async () => {
    const original = project.read('src/plugins/one.ts');
    project.write('src/plugins/one.ts', 'export const value = 2;\n');
    const run = await project.run();
    expectRun(run, SUITES, {'test/loader.test.ts': 'ran'}, {code: 1});
    expect(run.stderr).toMatch(/FAIL test\/loader\.test\.ts/);
    project.write('src/plugins/one.ts', original);
    expectRun(await project.run(), SUITES, {});
  });

  test('an edit to the setup file\'s helper reruns every suite', async () => {
    const original = project.read('scripts/setupHelper.ts');
    project.write('scripts/setupHelper.ts', `${original}export const unused = 1;\n`);
    expect(explain(project, 'test/b.test.ts')).toContain('scripts/setupHelper.ts: content changed');
    expectRun(await project.run(), SUITES, allRan(SUITES));
    project.write('scripts/setupHelper.ts', original);
    expectRun(await project.run(), SUITES, {});
  });
});

describe("roots: ['<rootDir>/src'], setup files in tests/", () => {
  const SUITES = ['src/a.test.ts', 'src/b.test.ts'];
  let project: FixtureProject;

  beforeAll(async () => {
    project = new FixtureProject('outside-roots-src');
    expectRun(await project.run(), SUITES, allRan(SUITES));
  });

  test('an unchanged project replays every suite', async () => {
    expectRun(await project.run(), SUITES, {});
  });

  test("a behaviour-changing edit to the setup file's helper fails every suite; reverted, they replay", async () => {
    const original = project.read('tests/setupHelper.ts');
    project.write('tests/setupHelper.ts', original.replace(".trim()", ".trim() + '!'"));
    const run = await project.run();
    expectRun(run, SUITES, allRan(SUITES), {code: 1});
    expect(run.stderr).toMatch(/Tests: +2 failed/);
    project.write('tests/setupHelper.ts', original);
    expectRun(await project.run(), SUITES, {});
  });

  test("the project's dependencyExtractor finds what the setup helper reads: an edit to it reruns every suite", async () => {
    project.write('tests/mark.txt', 'changed\n');
    expect(explain(project, 'src/a.test.ts')).toContain('tests/mark.txt: content changed');
    const run = await project.run();
    expectRun(run, SUITES, allRan(SUITES), {code: 1});
    expect(run.stderr).toMatch(/Tests: +2 failed/);
    project.write('tests/mark.txt', 'setup-ok\n');
    expectRun(await project.run(), SUITES, {});
  });

  test('an edit to src/b reruns exactly the suites that reach it', async () => {
    const original = project.read('src/b.ts');
    project.write('src/b.ts', 'export const b = () => 2;\n');
    expectRun(await project.run(), SUITES, {'src/a.test.ts': 'ran', 'src/b.test.ts': 'ran'}, {code: 1});
    project.write('src/b.ts', original);
    expectRun(await project.run(), SUITES, {});
  });
});

describe('outside the roots on Jest 29.7', () => {
  const SUITES = ['test/a.test.ts', 'test/b.test.ts', 'test/loader.test.ts', 'test/mocked.test.ts', 'test/setup.test.ts'];
  const run = (project: FixtureProject) => project.run([], {jest: 'jest29'});

  test('suites replay, an edit to src/b reruns its dependents; a computed specifier is not cached', async () => {
    const project = new FixtureProject('outside-roots');
    // Jest 29's module registry lists CommonJS modules only: a runtime load is not seen.
    const loader = {'test/loader.test.ts': 'bypass' as const};
    expectRun(await run(project), SUITES, {...allRan(SUITES), ...loader});
    const repeat = await run(project);
    expectRun(repeat, SUITES, loader);
    expect(repeat.suites.find(s => s.path === 'test/loader.test.ts')?.reason).toBe(
      'src/loader.ts loads a module by a computed specifier',
    );
    project.write('src/b.ts', 'export const b = () => 2;\n');
    expectRun(await run(project), SUITES, {...loader, 'test/a.test.ts': 'ran', 'test/b.test.ts': 'ran'}, {code: 1});
  });
});
