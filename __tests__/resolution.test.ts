import * as path from 'path';
import {decodeEntryFile, storeDir} from './helpers/cacheStore';
import {FixtureProject, type RunResult} from './helpers/fixtureProject';

// Resolved imports are kept across runs (the store's `dependencies` table) where an
// install state or lockfile exists, as in this fixture. They must never outlive a change
// to what an import resolves to: a new file that takes over an import, a package.json
// that points elsewhere.

const SUITES = ['pkg', 'plain', 'shadow'];

function expectRan(run: RunResult, ran: string[]): void {
  if (run.code !== 0) throw new Error(`jest exited with ${run.code}; its output:\n${run.stderr}`);
  const expected: Record<string, string> = {};
  for (const suite of SUITES) expected[`src/${suite}.test.ts`] = ran.includes(suite) ? 'ran' : 'hit-action';
  expect(run.outcomes).toEqual(expected);
  expect(run.executed).toEqual([...ran].sort());
}

describe('resolved imports kept across runs', () => {
  let project: FixtureProject;

  beforeAll(async () => {
    project = new FixtureProject('resolution');
    expectRan(await project.run(), SUITES);
  });

  test('are kept in the store, and an unchanged project replays every suite', async () => {
    const table = decodeEntryFile(path.join(storeDir(project.cacheDir), 'dependencies'));
    expect(table.valid).toBe(true);
    const files = (JSON.parse(table.body) as [string, unknown][]).map(([file]) => path.relative(project.dir, file));
    expect(files).toEqual(expect.arrayContaining(SUITES.map(suite => `src/${suite}.test.ts`)));
    expectRan(await project.run(), []);
  });

  test('a new file that takes over an import reruns the suite importing it', async () => {
    // './widget' resolved to widget/index.ts; a widget.ts beside the folder comes first.
    project.write('src/widget.ts', "export const widget = () => 'file widget';\n");
    expectRan(await project.run(), ['shadow']);
    expectRan(await project.run(), []);
  });

  test('a package.json that names another main file reruns the suite importing its folder', async () => {
    // pkg.test.ts expects 'one': run against two.ts it fails, where a stale replay would pass.
    project.write('src/pkgdir/package.json', '{\n  "main": "two.ts"\n}\n');
    const run = await project.run();
    expect(run.code).toBe(1);
    expect(run.outcomes['src/pkg.test.ts']).toBe('ran');
    expect(run.stderr).toMatch(/FAIL src\/pkg\.test\.ts/);
    // Back to one.ts: the pass stored for that state replays.
    project.write('src/pkgdir/package.json', '{\n  "main": "one.ts"\n}\n');
    expectRan(await project.run(), []);
  });
});
