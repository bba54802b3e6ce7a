import {FixtureProject, type RunResult} from './helpers/fixtureProject';

// A config with `projects`: A and B share rootDir, each has its own setup file, and
// shared/shared.test.js is matched by both, so Jest runs it once per project. The
// fixture's test code logs `<name>@<project>`.
describe('multi-project config', () => {
  let project: FixtureProject;

  /** Outcomes of the report entries of one test path, sorted (one per project). */
  const outcomesOf = (run: RunResult, testPath: string) =>
    run.suites.filter(s => s.path === testPath).map(s => s.outcome).sort();

  beforeAll(async () => {
    project = new FixtureProject('multi-project');
    const first = await project.run();
    expect(first.code).toBe(0);
    expect(first.executed).toEqual(['a@A', 'b@B', 'shared@A', 'shared@B']);
    expect(first.suites).toHaveLength(4);
    expect(outcomesOf(first, 'shared/shared.test.js')).toEqual(['ran', 'ran']);
    expect(first.stderr).toMatch(/Tests:\s+4 passed, 4 total/);
  });

  test('the second run replays every suite of both projects', async () => {
    const repeat = await project.run();
    expect(repeat.code).toBe(0);
    expect(repeat.executed).toEqual([]);
    expect(repeat.suites).toHaveLength(4);
    expect(outcomesOf(repeat, 'a/a.test.js')).toEqual(['hit-action']);
    expect(outcomesOf(repeat, 'b/b.test.js')).toEqual(['hit-action']);
    expect(outcomesOf(repeat, 'shared/shared.test.js')).toEqual(['hit-action', 'hit-action']);
    expect(repeat.stderr).toMatch(/Test Suites:\s+4 passed, 4 total/);
    expect(repeat.stderr).toMatch(/Tests:\s+4 passed, 4 total/);
    // Each replayed suite is shown under its own project's name.
    for (const [name, file] of [['A', 'a/a.test.js'], ['B', 'b/b.test.js'], ['A', 'shared'], ['B', 'shared']]) {
      expect(repeat.stderr).toMatch(new RegExp(`PASS\\s+${name}\\s+${file}`));
    }
    expect(repeat.stderr).toContain('jest-runner-cache: 4 suites replayed, 0 run');
  });

  test("editing project A's setup file reruns the shared file in A and replays it in B", async () => {
    project.write('a/setup.js', "// Setup of project A only (edited).\nglobalThis.PROJECT_NAME = 'A';\n");
    const edited = await project.run();
    expect(edited.code).toBe(0);
    expect(edited.executed).toEqual(['a@A', 'shared@A']);
    expect(outcomesOf(edited, 'a/a.test.js')).toEqual(['ran']);
    expect(outcomesOf(edited, 'b/b.test.js')).toEqual(['hit-action']);
    expect(outcomesOf(edited, 'shared/shared.test.js')).toEqual(['hit-action', 'ran']);
    expect(edited.stderr).toMatch(/Tests:\s+4 passed, 4 total/);

    const again = await project.run();
    expect(again.executed).toEqual([]);
    expect(new Set(again.suites.map(s => s.outcome))).toEqual(new Set(['hit-action']));
  });

  test('editing a module both projects reach reruns the shared file in both', async () => {
    project.write('shared/value.js', '// edited\nexports.value = 21;\n');
    const edited = await project.run();
    expect(edited.code).toBe(0);
    expect(edited.executed).toEqual(['shared@A', 'shared@B']);
    expect(outcomesOf(edited, 'shared/shared.test.js')).toEqual(['ran', 'ran']);
    expect(outcomesOf(edited, 'a/a.test.js')).toEqual(['hit-action']);
    expect(outcomesOf(edited, 'b/b.test.js')).toEqual(['hit-action']);
  });

  test('--selectProjects runs one project, replayed; its new passes serve the full run', async () => {
    const onlyA = await project.run(['--selectProjects', 'A']);
    expect(onlyA.code).toBe(0);
    expect(onlyA.stdout + onlyA.stderr).toContain('Running one project: A');
    expect(onlyA.executed).toEqual([]);
    expect(onlyA.suites.map(s => s.path).sort()).toEqual(['a/a.test.js', 'shared/shared.test.js']);
    expect(new Set(onlyA.suites.map(s => s.outcome))).toEqual(new Set(['hit-action']));
    expect(onlyA.stderr).toMatch(/Tests:\s+2 passed, 2 total/);

    project.write('b/setup.js', "// Setup of project B only (edited).\nglobalThis.PROJECT_NAME = 'B';\n");
    const onlyB = await project.run(['--selectProjects', 'B']);
    expect(onlyB.code).toBe(0);
    expect(onlyB.stdout + onlyB.stderr).toContain('Running one project: B');
    expect(onlyB.executed).toEqual(['b@B', 'shared@B']);
    expect(onlyB.suites.map(s => `${s.path}:${s.outcome}`).sort()).toEqual([
      'b/b.test.js:ran',
      'shared/shared.test.js:ran',
    ]);

    const all = await project.run();
    expect(all.code).toBe(0);
    expect(all.executed).toEqual([]);
    expect(all.suites).toHaveLength(4);
    expect(new Set(all.suites.map(s => s.outcome))).toEqual(new Set(['hit-action']));
  });
});
