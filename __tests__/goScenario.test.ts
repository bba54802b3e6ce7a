import {FixtureProject} from './helpers/fixtureProject';

// Go's own acceptance scenario for its test cache (DESIGN.md section 1), run step by step.
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

  test('COMMENT: a same-line comment replays all four; t2-t4 by content key', async () => {
    project.write('p1.ts', 'export const X = 1; // one\n');
    const comment = await project.run();
    expect(comment.code).toBe(0);
    expect(comment.executed).toEqual([]);
    expect(comment.outcomes).toEqual({
      't1.test.ts': 'hit-action',
      't2.test.ts': 'hit-content',
      't3.test.ts': 'hit-content',
      't4.test.ts': 'hit-content',
    });
    // A content hit is stored under its new action key too: no bundling next time.
    const again = await project.run();
    expect(new Set(Object.values(again.outcomes))).toEqual(new Set(['hit-action']));
  });

  test('CHANGE: t1 by action key, t2 and t4 by content key, t3 runs', async () => {
    project.write('p1.ts', 'export const X = 2;\n');
    const change = await project.run();
    expect(change.code).toBe(0);
    expect(change.outcomes).toEqual({
      't1.test.ts': 'hit-action',
      't2.test.ts': 'hit-content',
      't3.test.ts': 'ran',
      't4.test.ts': 'hit-content',
    });
    expect(change.executed).toEqual(['t3']);

    const again = await project.run();
    expect(again.executed).toEqual([]);
  });

  test('a line inserted above executed code makes the suite run', async () => {
    project.write('p1.ts', '\nexport const X = 2;\n');
    const shifted = await project.run();
    expect(shifted.outcomes['t3.test.ts']).toBe('ran');
    expect(shifted.outcomes['t2.test.ts']).toBe('hit-content');
    expect(shifted.executed).toEqual(['t3']);
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
