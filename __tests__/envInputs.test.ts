import {spawnSync} from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import {FixtureProject, REPO, type RunResult} from './helpers/fixtureProject';

// Env variables as runtime inputs (stage 3): a value keys a suite only where test code (or
// a package it imports) reads it; an enumeration of the environment keys it by the set of
// names; what Jest itself reads in the sandbox (CI detection) and the runner's own
// variables key nothing. Each suite of fixtures/env-inputs appends its name to
// JRC_EXEC_LOG when it runs.

const SUITES = ['build', 'debug', 'names', 'plain', 'spread'];

/** What a run must report: exactly `ran` rerun, the rest replayed. */
function expectOnlyRan(run: RunResult, ran: string[]): void {
  expect(run.code).toBe(0);
  const expected: Record<string, string> = {};
  for (const name of SUITES) expected[`${name}.test.ts`] = ran.includes(name) ? 'ran' : 'hit-action';
  expect(run.outcomes).toEqual(expected);
  expect(run.executed).toEqual([...ran].sort());
}

/** One CI build: every vendor's per-build values (Jest's CI detection reads several). */
function ciBuild(n: number): Record<string, string> {
  return {
    CI: 'true',
    BUILD_ID: `build-${n}`,
    BUILD_NUMBER: String(100 + n),
    GITHUB_RUN_ID: String(9_000_000 + n),
    GITHUB_SHA: `${n}`.repeat(40),
    CI_PIPELINE_ID: String(500 + n),
    CIRCLE_BUILD_NUM: String(700 + n),
    BITBUCKET_COMMIT: `${n}abc`.repeat(10),
    CODEBUILD_BUILD_ARN: `arn:aws:codebuild:eu-west-1:123:build/app:${n}`,
    BUILDKITE_BUILD_ID: `bk-${n}`,
    BUILD_BUILDID: String(300 + n),
  };
}

describe('env variables as runtime inputs', () => {
  let project: FixtureProject;
  let env: Record<string, string | undefined>;
  const run = (extra: Record<string, string | undefined> = {}) => project.run([], {env: {...env, ...extra}});

  beforeAll(async () => {
    project = new FixtureProject('env-inputs');
    // The variables the fixture's suites could read, set or unset the same way on every run.
    env = {...ciBuild(1), DEBUG_DEPTH: '2', FIXTURE_NEW: undefined, FIXTURE_FORBIDDEN: undefined};
    const first = await run();
    expect(first.stderr).toMatch(/Tests:\s+5 passed, 5 total/);
    expectOnlyRan(first, SUITES);
    expectOnlyRan(await run(), []);
  });

  test("a new CI build replays the suites that did not read its values; Jest's own CI detection keys nothing", async () => {
    env = {...env, ...ciBuild(2)};
    const next = await run();
    // build reads BUILD_NUMBER itself; spread copies every value.
    expectOnlyRan(next, ['build', 'spread']);
    expectOnlyRan(await run(), []);

    // The test's own read of BUILD_NUMBER counts, although Jest's CI detection read it too.
    env = {...env, BUILD_NUMBER: '999'};
    expectOnlyRan(await run(), ['build', 'spread']);
  });

  test('a DEBUG_* value the debug package reads reruns it; a failing value fails it', async () => {
    const failing = await run({DEBUG_DEPTH: '7'});
    expect(failing.code).toBe(1);
    expect(failing.stderr).toMatch(/FAIL .*debug\.test\.ts/);
    expect(failing.executed).toEqual(['debug', 'spread']);

    // Back to the stored value: both passes replay.
    expectOnlyRan(await run(), []);
  });

  test("the runner's own variables are never inputs: changed, added or removed, nothing reruns", async () => {
    const otherReport = path.join(path.dirname(project.reportFile), 'other-report.json');
    const moved = await run({JEST_RUNNER_CACHE_REPORT: otherReport, JEST_RUNNER_CACHE_MAX_AGE_DAYS: '30'});
    expect(moved.code).toBe(0);
    expect(moved.executed).toEqual([]);
    const suites = JSON.parse(fs.readFileSync(otherReport, 'utf8')).suites as {path: string; outcome: string}[];
    expect(suites.map(s => s.outcome)).toEqual(SUITES.map(() => 'hit-action'));

    const none = await run({JEST_RUNNER_CACHE_REPORT: undefined});
    expect(none.code).toBe(0);
    expect(none.executed).toEqual([]);
  });

  test('a new variable name reruns the suites that listed the names; its removal replays them', async () => {
    const added = await run({FIXTURE_NEW: '1'});
    expectOnlyRan(added, ['debug', 'names', 'spread']);
    // Removed again: the earlier passes of debug and names replay. spread runs: the values it
    // read now include FIXTURE_NEW's, and a stage entry holds the input list of the last
    // pass stored (as in Go), so its earlier pass is not looked up.
    expectOnlyRan(await run(), ['spread']);
    expectOnlyRan(await run(), []);

    // names checks the names it lists: it fails when it sees FIXTURE_FORBIDDEN.
    const failing = await run({FIXTURE_FORBIDDEN: '1'});
    expect(failing.code).toBe(1);
    expect(failing.stderr).toMatch(/FAIL .*names\.test\.ts/);
    expect(failing.executed).toEqual(['debug', 'names', 'spread']);
    expectOnlyRan(await run(), ['spread']);
  });

  test("explain shows an enumeration as listing the environment's names, with the names added or removed", async () => {
    const explain = (extra: Record<string, string | undefined>) => {
      const processEnv: Record<string, string | undefined> = {
        ...process.env,
        ...env,
        JRC_EXEC_LOG: project.execLog,
        FORCE_COLOR: '0',
        JEST_WORKER_ID: undefined,
        ...extra,
      };
      for (const key of Object.keys(processEnv)) if (processEnv[key] === undefined) delete processEnv[key];
      const result = spawnSync(
        process.execPath,
        [path.join(REPO, 'dist/cli.js'), 'explain', project.file('debug.test.ts'), '--cacheDirectory', project.cacheDir],
        {cwd: project.dir, env: processEnv as NodeJS.ProcessEnv, encoding: 'utf8'},
      );
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      return result.stdout;
    };
    expect(explain({})).toContain('No file, env variable or runtime input differs');
    expect(explain({...ciBuild(3)})).toContain('No file, env variable or runtime input differs');

    const added = explain({FIXTURE_NEW: '1'});
    expect(added).toContain("read at run time: listed the environment's names, added: FIXTURE_NEW");
    expect(added).toMatch(/1 input\(s\) differ/);

    const changed = explain({DEBUG_DEPTH: '3', GITHUB_SHA: undefined});
    expect(changed).toContain('read at run time: env DEBUG_DEPTH differs');
    expect(changed).toContain("read at run time: listed the environment's names, removed: GITHUB_SHA");
    expect(changed).toMatch(/2 input\(s\) differ/);
  });
});

test("on Jest 29 too, Jest's own CI detection keys nothing", async () => {
  const project = new FixtureProject('env-inputs');
  const run = (build: number) => project.run([], {jest: 'jest29', env: {...ciBuild(build), DEBUG_DEPTH: '2'}});
  const first = await run(1);
  expect(first.stderr).toMatch(/Tests:\s+5 passed, 5 total/);
  expectOnlyRan(first, SUITES);
  expectOnlyRan(await run(2), ['build', 'spread']);
});
