import {spawnSync} from 'child_process';
import * as path from 'path';
import {FixtureProject, REPO} from './helpers/fixtureProject';

// `jest-runner-cache explain` is run from a shell, where NODE_ENV is usually unset; jest
// sets it to `test` before a run (jest-cli's bin). Explain must compare against that.
// (This file's own jest process has NODE_ENV=test: each spawn below removes it.)

const SHELL_ENV = {NODE_ENV: undefined};

function explain(project: FixtureProject, suite: string): string {
  // What FixtureProject.run gives jest besides: the exec log the suites read, no color.
  const env: NodeJS.ProcessEnv = {...process.env, JRC_EXEC_LOG: project.execLog, FORCE_COLOR: '0'};
  delete env.NODE_ENV;
  delete env.JEST_WORKER_ID;
  const result = spawnSync(
    process.execPath,
    [path.join(REPO, 'dist/cli.js'), 'explain', suite, '--cacheDirectory', project.cacheDir],
    {cwd: project.dir, env, encoding: 'utf8'},
  );
  expect(result.status).toBe(0);
  return result.stdout;
}

test('explain from a shell without NODE_ENV says an unchanged stored suite replays, as the next run does', async () => {
  const project = new FixtureProject('go-scenario');
  expect((await project.run([], {env: SHELL_ENV})).outcomes['t1.test.ts']).toBe('ran');

  const output = explain(project, 't1.test.ts');
  expect(output).toContain('the next run replays it');
  expect(output).not.toContain('NODE_ENV');

  const next = await project.run([], {env: SHELL_ENV});
  expect(next.outcomes['t1.test.ts']).toBe('hit-action');
  expect(next.executed).toEqual([]);
});
