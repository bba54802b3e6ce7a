import {FixtureProject, type RunResult} from './helpers/fixtureProject';

// Stage 2 (the content key) under the transforms it trusts: babel-jest (Jest's default,
// driven by babel.config.js) and @swc/jest. The same sources in both fixtures:
// src/text.ts exports capitalize (used by capitalize.test.ts) and truncate (used by
// truncate.test.ts); src/legacy/units.js is CommonJS, used by units.test.ts.

/** Replaces `from` (which must occur) in a fixture file. */
function edit(project: FixtureProject, file: string, from: string, to: string): void {
  const original = project.read(file);
  if (!original.includes(from)) throw new Error(`${file} does not contain ${from}`);
  project.write(file, original.replace(from, to));
}

function expectPassed(run: RunResult): void {
  expect(run.code).toBe(0);
  expect(run.stderr).toMatch(/Test Suites: 3 passed, 3 total/);
}

describe.each([
  ['babel-jest', 'transform-babel'],
  ['@swc/jest', 'transform-swc'],
])('content key with %s', (_transform, fixture) => {
  let project: FixtureProject;

  beforeAll(async () => {
    project = new FixtureProject(fixture);
    const first = await project.run();
    expectPassed(first);
    expect(first.executed).toEqual(['capitalize', 'truncate', 'units']);
    expect(first.outcomes).toEqual({
      'src/capitalize.test.ts': 'ran',
      'src/truncate.test.ts': 'ran',
      'src/units.test.ts': 'ran',
    });
    // Stage 2 ran for every miss: no reason (such as "content key skipped") was given.
    expect(first.suites.filter(s => s.reason)).toEqual([]);
  });

  test('a comment-only edit of a shared module replays both suites from the content key', async () => {
    edit(project, 'src/text.ts', 'word.slice(1);\n}', 'word.slice(1);\n} // the rest as it was');
    const run = await project.run();
    expectPassed(run);
    expect(run.outcomes).toEqual({
      'src/capitalize.test.ts': 'hit-content',
      'src/truncate.test.ts': 'hit-content',
      'src/units.test.ts': 'hit-action',
    });
    expect(run.executed).toEqual([]);

    // A content hit is stored under the new action key too: the next run needs no bundling.
    const again = await project.run();
    expect(again.outcomes['src/capitalize.test.ts']).toBe('hit-action');
    expect(again.outcomes['src/truncate.test.ts']).toBe('hit-action');
    expect(again.executed).toEqual([]);
  });

  test('changing an export only one suite uses reruns that suite; the other replays from the content key', async () => {
    edit(project, 'src/text.ts', '`${text.slice(0, max - 1)}…`', '`${text.slice(0, max - 3)}...`');
    const truncateChanged = await project.run();
    expectPassed(truncateChanged);
    expect(truncateChanged.outcomes).toEqual({
      'src/capitalize.test.ts': 'hit-content',
      'src/truncate.test.ts': 'ran',
      'src/units.test.ts': 'hit-action',
    });
    expect(truncateChanged.executed).toEqual(['truncate']);

    edit(project, 'src/text.ts', 'word.charAt(0).toUpperCase()', 'word.slice(0, 1).toUpperCase()');
    const capitalizeChanged = await project.run();
    expectPassed(capitalizeChanged);
    expect(capitalizeChanged.outcomes).toEqual({
      'src/capitalize.test.ts': 'ran',
      'src/truncate.test.ts': 'hit-content',
      'src/units.test.ts': 'hit-action',
    });
    expect(capitalizeChanged.executed).toEqual(['capitalize']);
  });

  test('a used change that breaks a suite runs it and fails it', async () => {
    const original = project.read('src/text.ts');
    try {
      edit(project, 'src/text.ts', '.toUpperCase()', '.toLowerCase()');
      const run = await project.run();
      expect(run.code).toBe(1);
      expect(run.outcomes['src/capitalize.test.ts']).toBe('ran');
      expect(run.outcomes['src/truncate.test.ts']).toBe('hit-content');
      expect(run.executed).toEqual(['capitalize']);
      expect(run.stderr).toMatch(/FAIL src\/capitalize\.test\.ts/);
    } finally {
      project.write('src/text.ts', original);
    }
  });

  test('CommonJS is not tree-shaken: a change to a function the suite never calls still reruns it', async () => {
    edit(project, 'src/legacy/units.js', 'bytes / (1024 * 1024)', 'bytes / 1048576');
    const run = await project.run();
    expectPassed(run);
    expect(run.outcomes['src/units.test.ts']).toBe('ran');
    expect(run.executed).toEqual(['units']);
  });
});
