import * as fs from 'fs';
import * as path from 'path';
import {FixtureProject, REPO, type RunResult} from './helpers/fixtureProject';

// Drop-in means identical outcomes (issue 10) and a shared transform cache (issue 14):
// the runner records runtime inputs without adding anything to the project config, so
// nothing of its own passes through a transform that matches every file and refuses
// files outside the project, and Jest's transform cache (keyed by the config) is shared
// between runs with and without the cache. One suite runs in jsdom.

const ALL = ['dom', 'env', 'fsMock', 'math', 'timers'];

/** The runner as npm installs it: a real folder under node_modules, which Jest does not transform. */
function strictProject(): FixtureProject {
  const project = new FixtureProject('strict-transform');
  const installed = project.file('node_modules/jest-runner-cache');
  fs.rmSync(installed);
  fs.mkdirSync(installed);
  fs.cpSync(path.join(REPO, 'package.json'), path.join(installed, 'package.json'));
  fs.cpSync(path.join(REPO, 'dist'), path.join(installed, 'dist'), {recursive: true});
  return project;
}

function transformed(project: FixtureProject): string[] {
  const log = path.join(path.dirname(project.cacheDir), 'transformed.log');
  const lines = fs.existsSync(log) ? fs.readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
  fs.rmSync(log, {force: true});
  return lines.sort();
}

async function run(project: FixtureProject, mode: string, args: string[] = []): Promise<RunResult> {
  const log = path.join(path.dirname(project.cacheDir), 'transformed.log');
  return project.run(args, {env: {JEST_RUNNER_CACHE: mode, JRC_TRANSFORM_LOG: log}});
}

function passedAll(result: RunResult): void {
  expect(result.stderr).not.toContain('FAIL');
  expect(result.stderr).toMatch(/Test Suites: 5 passed, 5 total/);
  expect(result.code).toBe(0);
}

describe('a strict transform for every file, mocks reset, fs mocked, fake timers', () => {
  test('a cache-off run, then a recorded run: same outcomes, no transform call; then every suite replays', async () => {
    const project = strictProject();
    const plain = await run(project, 'off');
    passedAll(plain);
    expect(plain.executed).toEqual(ALL);
    expect(transformed(project)).toContain('src/math.js');

    const cold = await run(project, 'readwrite');
    passedAll(cold);
    expect(cold.executed).toEqual(ALL);
    // Jest's transform cache answered for every file: the config is the project's own.
    expect(transformed(project)).toEqual([]);

    const cached = await run(project, 'readwrite');
    passedAll(cached);
    expect(cached.executed).toEqual([]);
    expect(Object.values(cached.outcomes)).toEqual(ALL.map(() => 'hit-action'));
  });

  test('a recorded run, then a cache-off run: no transform call', async () => {
    const project = strictProject();
    passedAll(await run(project, 'readwrite'));
    expect(transformed(project)).toContain('src/math.js');
    const plain = await run(project, 'off');
    passedAll(plain);
    expect(plain.executed).toEqual(ALL);
    expect(transformed(project)).toEqual([]);
  });

  test('with workers (--maxWorkers=2), runtime inputs are recorded in them and passes replay', async () => {
    const project = strictProject();
    const cold = await run(project, 'readwrite', ['--maxWorkers=2']);
    passedAll(cold);
    expect(cold.executed).toEqual(ALL);
    expect(cold.suites.filter(s => s.outcome !== 'ran')).toEqual([]);
    const cached = await run(project, 'readwrite', ['--maxWorkers=2']);
    passedAll(cached);
    expect(cached.executed).toEqual([]);
    // A recorded input still reruns its suite when it changes.
    project.write('src/math.js', 'exports.add = (a, b) => a + b + 0;\n');
    const edited = await run(project, 'readwrite', ['--maxWorkers=2']);
    expect(edited.executed).toEqual(['math']);
  });
});
