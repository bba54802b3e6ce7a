import * as fs from 'fs';
import * as path from 'path';
import {FixtureProject, REPO} from './helpers/fixtureProject';

// Go's scenario (DESIGN.md section 1) on older Jest releases: 29.7 (the npm alias
// `jest29`), 29.4 and 30.4 (jest-versions/*, every Jest package pinned, installed by `npm
// test`'s pretest; 30.4's jest-runtime keeps its module registries where 30.5's does not).
// The fixture is CommonJS, transformed by the default babel-jest of the running Jest.
const VERSIONS = [
  {jest: 'jest29', version: '29.7.0', modules: path.join(REPO, 'node_modules/jest29/node_modules')},
  {jest: 'jest294', version: '29.4.3', modules: path.join(REPO, 'jest-versions/29.4/node_modules')},
  // @jest/core 30.4.2 prints 30.4.1 for --version.
  {jest: 'jest304', version: '30.4.1', modules: path.join(REPO, 'jest-versions/30.4/node_modules')},
] as const;

describe.each(VERSIONS)('go scenario on Jest $version', ({jest, version, modules}) => {
  let project: FixtureProject;
  let moduleLog: string;

  const run = (env: Record<string, string> = {}) => {
    fs.rmSync(moduleLog, {force: true});
    return project.run([], {jest, env: {JRC_MODULE_LOG: moduleLog, ...env}});
  };
  const loadedModules = () =>
    fs.existsSync(moduleLog) ? fs.readFileSync(moduleLog, 'utf8').split('\n').filter(Boolean) : [];

  beforeAll(async () => {
    project = new FixtureProject('go-scenario-jest29');
    moduleLog = path.join(path.dirname(project.execLog), 'modules.log');
  });

  test(`the ${jest} binary is Jest ${version}`, async () => {
    const printed = await project.run(['--version'], {jest});
    expect(printed.code).toBe(0);
    expect(printed.stdout.trim()).toBe(version);
  });

  test('first run: every suite runs, through that Jest\'s own jest-runner', async () => {
    const first = await run();
    expect(first.stderr).not.toMatch(/error|cannot find/i);
    expect(first.code).toBe(0);
    expect(first.executed).toEqual(['t1', 't2', 't3', 't4']);
    expect(first.outcomes).toEqual({
      't1.test.js': 'ran',
      't2.test.js': 'ran',
      't3.test.js': 'ran',
      't4.test.js': 'ran',
    });
    expect(first.stderr).toMatch(/Tests:\s+4 passed, 4 total/);
    // The runner delegated to the jest-runner next to that Jest's jest-config, and never
    // loaded Jest 30's copy (hoisted at the repo's node_modules/jest-runner).
    const loaded = loadedModules();
    expect(loaded).toContain(path.join(modules, 'jest-runner/build/index.js'));
    expect(loaded).toContain(path.join(modules, 'jest-config/build/index.js'));
    expect(loaded.filter(file => !file.startsWith(`${modules}${path.sep}`))).toEqual([]);
  });

  test('REPEAT: every suite is replayed and no test code runs', async () => {
    const repeat = await run();
    expect(repeat.code).toBe(0);
    expect(repeat.stderr).not.toMatch(/error|cannot find/i);
    expect(repeat.executed).toEqual([]);
    expect(repeat.outcomes).toEqual({
      't1.test.js': 'hit-action',
      't2.test.js': 'hit-action',
      't3.test.js': 'hit-action',
      't4.test.js': 'hit-action',
    });
    expect(repeat.stderr).toMatch(/Test Suites:\s+4 passed, 4 total/);
    expect(repeat.stderr).toMatch(/Tests:\s+4 passed, 4 total/);
    expect(repeat.stderr).toContain('jest-runner-cache: 4 suites replayed, 0 run');
    // Nothing ran, so no jest-runner was needed at all.
    expect(loadedModules().filter(file => file.includes('jest-runner'))).toEqual([]);
  });

  test('CHANGE: t1 replays; suites reaching p1 run again, then replay', async () => {
    project.write('p1.js', 'exports.X = 2;\n');
    const change = await run();
    expect(change.code).toBe(0);
    expect(change.outcomes).toEqual({
      't1.test.js': 'hit-action',
      't2.test.js': 'ran',
      't3.test.js': 'ran',
      't4.test.js': 'ran',
    });
    expect(change.executed).toEqual(['t2', 't3', 't4']);

    const again = await run();
    expect(again.code).toBe(0);
    expect(again.executed).toEqual([]);
    expect(new Set(Object.values(again.outcomes))).toEqual(new Set(['hit-action']));
  });

  test('a failing suite runs and fails on every run; it is never replayed', async () => {
    project.write('p1.js', 'exports.X = -1;\n');
    for (let i = 0; i < 2; i++) {
      const run_ = await run();
      expect(run_.code).toBe(1);
      expect(run_.outcomes['t3.test.js']).toBe('ran');
      expect(run_.executed).toContain('t3');
      expect(run_.stderr).toMatch(/FAIL .*t3\.test\.js/);
      expect(run_.stderr).toMatch(/Tests:\s+1 failed, 3 passed, 4 total/);
    }
    project.write('p1.js', 'exports.X = 2;\n');
  });

  test('JEST_RUNNER_CACHE=off runs every suite', async () => {
    const off = await run({JEST_RUNNER_CACHE: 'off'});
    expect(off.code).toBe(0);
    expect(off.executed).toEqual(['t1', 't2', 't3', 't4']);
    expect(Object.keys(off.outcomes).sort()).toEqual(['t1.test.js', 't2.test.js', 't3.test.js', 't4.test.js']);
    expect(new Set(Object.values(off.outcomes))).toEqual(new Set(['bypass']));
  });
});
