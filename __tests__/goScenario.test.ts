import {FixtureProject} from './helpers/fixtureProject';

// Go's own acceptance scenario for its test cache (DESIGN.md section 1), stage-1 parts.
describe('go scenario', () => {
  let project: FixtureProject;

  beforeAll(async () => {
    project = new FixtureProject('go-scenario');
    const first = await project.run();
    expect(first.code).toBe(0);
    expect(first.executed).toEqual(['t1', 't2', 't3', 't4']);
    expect(Object.values(first.outcomes)).toEqual(['ran', 'ran', 'ran', 'ran']);
  });

  test('REPEAT: every suite is replayed and no test code runs', async () => {
    const repeat = await project.run();
    expect(repeat.code).toBe(0);
    expect(repeat.executed).toEqual([]);
    expect(repeat.outcomes).toEqual({
      't1.test.ts': 'hit-action',
      't2.test.ts': 'hit-action',
      't3.test.ts': 'hit-action',
      't4.test.ts': 'hit-action',
    });
    expect(repeat.stderr).toMatch(/Tests:\s+4 passed, 4 total/);
    expect(repeat.stderr).toContain('jest-runner-cache: 4 suites replayed, 0 run');
  });

  test('CHANGE: t1 replays; suites reaching p1 run again, then replay', async () => {
    project.write('p1.ts', 'export const X = 2;\n');
    const change = await project.run();
    expect(change.code).toBe(0);
    expect(change.outcomes['t1.test.ts']).toBe('hit-action');
    expect(change.outcomes['t3.test.ts']).toBe('ran');
    expect(change.executed).toContain('t3');
    expect(change.executed).not.toContain('t1');

    const again = await project.run();
    expect(again.executed).toEqual([]);
  });

  test('a failing suite runs and fails on every run; it is never replayed', async () => {
    project.write('p1.ts', 'export const X = -1;\n');
    for (let i = 0; i < 2; i++) {
      const run = await project.run();
      expect(run.code).toBe(1);
      expect(run.outcomes['t3.test.ts']).toBe('ran');
      expect(run.executed).toContain('t3');
      expect(run.stderr).toMatch(/FAIL .*t3\.test\.ts/);
    }
    project.write('p1.ts', 'export const X = 2;\n');
  });

  test('JEST_RUNNER_CACHE=off runs every suite', async () => {
    const off = await project.run([], {env: {JEST_RUNNER_CACHE: 'off'}});
    expect(off.code).toBe(0);
    expect(off.executed).toEqual(['t1', 't2', 't3', 't4']);
    expect(new Set(Object.values(off.outcomes))).toEqual(new Set(['bypass']));
  });
});
