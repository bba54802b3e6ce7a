import {FixtureProject, type RunResult} from './helpers/fixtureProject';

// DESIGN.md section 7: places where a content key (stage 2, the tree-shaken esbuild bundle)
// could miss code a test runs. After a first passing run, each edit must make the suite run
// again, and fail where the edit breaks it: never a stale replayed pass.

/** Replaces `from` (which must occur) in a fixture file; returns the undo. */
function edit(project: FixtureProject, file: string, from: string | RegExp, to: string): () => void {
  const original = project.read(file);
  const changed = original.replace(from, to);
  if (changed === original) throw new Error(`edit of ${file} changed nothing`);
  project.write(file, changed);
  return () => project.write(file, original);
}

function failed(run: RunResult, testFile: string): boolean {
  return new RegExp(`FAIL ${testFile.replace(/[.]/g, '\\.')}`).test(run.stderr);
}

function passed(run: RunResult, testFile: string): boolean {
  return new RegExp(`PASS ${testFile.replace(/[.]/g, '\\.')}`).test(run.stderr);
}

function reasonOf(run: RunResult, testFile: string): string | undefined {
  return run.suites.find(s => s.path === testFile)?.reason;
}

describe('content key traps (an @swc/jest project)', () => {
  let project: FixtureProject;

  /** The suites expected to execute, sorted as the harness reports them. */
  const withAlwaysRun = (...names: string[]) => [...names].sort();

  beforeAll(async () => {
    project = new FixtureProject('content-traps');
    const first = await project.run();
    expect(first.code).toBe(0);
    expect(first.executed).toEqual(
      withAlwaysRun('banner', 'checkout', 'logLine', 'pluginHost', 'profile', 'settings', 'slug'),
    );
    const again = await project.run();
    expect(again.code).toBe(0);
    expect(again.executed).toEqual(withAlwaysRun());
  });

  test('1. an edited manual mock (__mocks__) reruns the suite that uses it, and fails it', async () => {
    const restore = edit(project, 'src/__mocks__/userApi.ts', "name: 'Ada'", "name: 'Grace'");
    try {
      const run = await project.run();
      expect(run.outcomes['src/profile.test.ts']).toBe('ran');
      expect(run.executed).toEqual(withAlwaysRun('profile'));
      expect(failed(run, 'src/profile.test.ts')).toBe(true);
      expect(run.stderr).toContain('Hello, Grace');
      expect(run.code).toBe(1);
    } finally {
      restore();
    }
  });

  test('2. an edited jest.requireActual target reruns the suite, and fails it', async () => {
    const restore = edit(project, 'src/fixedClock.ts', 'return EPOCH;', 'return EPOCH + 1000;');
    try {
      const run = await project.run();
      expect(run.outcomes['src/logLine.test.ts']).toBe('ran');
      expect(run.executed).toEqual(withAlwaysRun('logLine'));
      expect(failed(run, 'src/logLine.test.ts')).toBe(true);
      expect(run.stderr).toContain('2024-01-01T00:00:01.000Z started');
    } finally {
      restore();
    }
  });

  test('2. an edited module that only the requireActual target imports reruns the suite', async () => {
    const restore = edit(project, 'src/epoch.ts', 'Date.UTC(2024, 0, 1)', 'Date.UTC(2025, 0, 1)');
    try {
      const run = await project.run();
      expect(run.outcomes['src/logLine.test.ts']).toBe('ran');
      expect(run.executed).toEqual(withAlwaysRun('logLine'));
      expect(failed(run, 'src/logLine.test.ts')).toBe(true);
      expect(run.stderr).toContain('2025-01-01T00:00:00.000Z started');
    } finally {
      restore();
    }
  });

  test('4. a /* @__PURE__ */ call whose result is unused still runs: editing its callee reruns', async () => {
    // The annotated validateEnv() result is unused; with annotations honoured, esbuild would
    // drop the call and validateEnv's body from the bundle.
    const restoreRecord = edit(
      project,
      'src/validateEnv.ts',
      'export function validateEnv(): boolean {\n',
      "import {recordExecution} from '../execLog';\n\nexport function validateEnv(): boolean {\n  recordExecution('validateEnv');\n",
    );
    try {
      const recorded = await project.run();
      expect(recorded.outcomes['src/settings.test.ts']).toBe('ran');
      expect(recorded.executed).toEqual(withAlwaysRun('settings', 'validateEnv'));
      expect(recorded.code).toBe(0);
    } finally {
      restoreRecord();
    }

    const restoreThrow = edit(project, 'src/validateEnv.ts', 'return true;', "throw new Error('APP_ENV is not set');");
    try {
      const run = await project.run();
      expect(run.outcomes['src/settings.test.ts']).toBe('ran');
      expect(failed(run, 'src/settings.test.ts')).toBe(true);
      expect(run.stderr).toContain('APP_ENV is not set');
      expect(run.code).toBe(1);
    } finally {
      restoreThrow();
    }
  });

  test('5. a computed require is covered by the runtime recording: editing the loaded plugin reruns and fails it', async () => {
    // The plugin is reachable only through `require('./plugins/' + name)`: no import graph
    // sees it, the recording of the modules the test loaded does.
    const unchanged = await project.run();
    expect(unchanged.outcomes['src/pluginHost.test.ts']).toMatch(/^hit-/);
    expect(unchanged.executed).toEqual(withAlwaysRun());

    const restore = edit(project, 'src/plugins/upper.ts', 'toUpperCase', 'toLowerCase');
    try {
      const run = await project.run();
      expect(run.outcomes['src/pluginHost.test.ts']).toBe('ran');
      expect(run.executed).toEqual(withAlwaysRun('pluginHost'));
      expect(failed(run, 'src/pluginHost.test.ts')).toBe(true);
      expect(run.code).toBe(1);
    } finally {
      restore();
    }
  });

  test('6. a same-line comment replays from the content key; a line inserted above executed code reruns', async () => {
    const original = project.read('src/slug.ts');
    try {
      edit(project, 'src/slug.ts', /}\n$/, '} // spaces become dashes\n');
      const comment = await project.run();
      expect(comment.outcomes['src/slug.test.ts']).toBe('hit-content');
      expect(comment.executed).toEqual(withAlwaysRun());
      expect(comment.code).toBe(0);

      project.write('src/slug.ts', `// Turns a title into a URL path segment.\n${original}`);
      const shifted = await project.run();
      expect(shifted.outcomes['src/slug.test.ts']).toBe('ran');
      expect(shifted.executed).toEqual(withAlwaysRun('slug'));
      expect(shifted.code).toBe(0);
    } finally {
      project.write('src/slug.ts', original);
    }
  });

  test('7. an import only a virtual jest.mock provides cannot be bundled: the suite runs, with the reason', async () => {
    const restore = edit(project, 'src/checkout.ts', '? 2 : 1;', '? 2 : 1; // the old flow stays the default');
    try {
      const run = await project.run();
      expect(run.code).toBe(0);
      expect(run.outcomes['src/checkout.test.ts']).toBe('ran');
      expect(reasonOf(run, 'src/checkout.test.ts')).toMatch(/cannot be bundled|cannot bundle/);
      expect(reasonOf(run, 'src/checkout.test.ts')).toContain('@corp/feature-flags');
      expect(run.executed).toEqual(withAlwaysRun('checkout'));
      expect(passed(run, 'src/checkout.test.ts')).toBe(true);
    } finally {
      restore();
    }
    const broken = edit(project, 'src/checkout.ts', '? 2 : 1;', '? 1 : 2;');
    try {
      const run = await project.run();
      expect(run.outcomes['src/checkout.test.ts']).toBe('ran');
      expect(failed(run, 'src/checkout.test.ts')).toBe(true);
    } finally {
      broken();
    }
  });

  test('7. code esbuild rejects (a `with` statement) makes only its suite run; the other misses still get content keys', async () => {
    const restoreBanner = edit(project, 'src/banner.ts', '{name});', '{name}); // shown on login');
    const restoreSlug = edit(project, 'src/slug.ts', /}\n$/, '} // one dash per run of spaces\n');
    try {
      const run = await project.run();
      expect(run.code).toBe(0);
      expect(run.outcomes['src/banner.test.ts']).toBe('ran');
      expect(reasonOf(run, 'src/banner.test.ts')).toMatch(/cannot be bundled|cannot bundle/);
      expect(reasonOf(run, 'src/banner.test.ts')).toContain('vendor/template.js');
      expect(run.outcomes['src/slug.test.ts']).toBe('hit-content');
      expect(run.executed).toEqual(withAlwaysRun('banner'));
      expect(run.stderr).toMatch(/Test Suites: 7 passed, 7 total/);
    } finally {
      restoreBanner();
      restoreSlug();
    }
  });
});

describe('content key traps: ts-jest', () => {
  describe('type-checking (default, isolatedModules off)', () => {
    let project: FixtureProject;

    beforeAll(async () => {
      project = new FixtureProject('ts-jest-typecheck');
      const first = await project.run();
      expect(first.code).toBe(0);
      expect(first.executed).toEqual(['formatMoney', 'retry', 'total']);
    });

    test('3. stage 2 is skipped only for suites that reach a type-checked file: a plain .js suite still hits by content key', async () => {
      const restore = edit(project, 'src/total.js', /}\;\n$/, '}; // sums in order\n');
      try {
        const run = await project.run();
        expect(run.code).toBe(0);
        expect(run.outcomes['src/total.test.js']).toBe('hit-content');
        expect(run.executed).toEqual([]);
      } finally {
        restore();
      }
    });

    test('3. a type-only change in an imported module fails type-checking: the suite runs and fails, stage 2 skipped', async () => {
      // Same line: the erased types aside, the bundle and its line table stay the same, so
      // only skipping stage 2 keeps this from replaying a stale pass.
      const restore = edit(project, 'src/retry.ts', 'attempts: number;', 'attempts: number; backoffMs: number;');
      try {
        const run = await project.run();
        expect(run.outcomes['src/retry.test.ts']).toBe('ran');
        expect(reasonOf(run, 'src/retry.test.ts')).toMatch(/ts-jest/);
        expect(failed(run, 'src/retry.test.ts')).toBe(true);
        expect(run.stderr).toContain('backoffMs');
        expect(run.executed).toEqual([]);
        expect(run.outcomes['src/formatMoney.test.ts']).toBe('hit-action');
        expect(run.code).toBe(1);
      } finally {
        restore();
      }
    });

    test('3. a change to a file imported with `import type` only fails type-checking: the suite runs and fails', async () => {
      // money.ts holds types only; both importers use `import type`, which Jest's dependency
      // extractor skips, so only a key that still sees the file can notice the edit.
      const restore = edit(project, 'src/money.ts', '  currency: string;\n', '  currency: string;\n  locale: string;\n');
      try {
        const run = await project.run();
        expect(run.outcomes['src/formatMoney.test.ts']).toBe('ran');
        expect(failed(run, 'src/formatMoney.test.ts')).toBe(true);
        expect(run.stderr).toContain('locale');
        expect(run.code).toBe(1);
      } finally {
        restore();
      }
    });
  });

  test('3. with isolatedModules: true (no type-check), a comment edit replays from the content key', async () => {
    const project = new FixtureProject('ts-jest-isolated');
    const first = await project.run();
    expect(first.code).toBe(0);
    expect(first.executed).toEqual(['retry']);

    edit(project, 'src/retry.ts', /}\n$/, '} // the last failure wins\n');
    const comment = await project.run();
    expect(comment.code).toBe(0);
    expect(comment.outcomes['src/retry.test.ts']).toBe('hit-content');
    expect(comment.executed).toEqual([]);
  });
});
