import {FixtureProject} from './helpers/fixtureProject';

/** Where a line starting with `prefix` first appears in Jest's output (-1: nowhere). */
function lineAt(output: string, prefix: string): number {
  return output.split('\n').findIndex(line => line.startsWith(prefix));
}

// a.test.ts and b1-b4.test.ts import shared.ts; the fixture's sequencer hands them to the
// runner in path order. An edit of `a` misses every action and module key; stage 2 bundles
// a.test.ts first (a chunk of one), then b1-b4, whose bundles leave `a` out and hit.
describe('stage 2 of an in-band run', () => {
  let project: FixtureProject;
  let revision = 0;
  const editA = () => project.write('shared.ts', `export const a = (): number => ${++revision} * 0 + 1;\nexport const b = (): number => 2;\n`);

  beforeAll(async () => {
    project = new FixtureProject('pipeline');
    const first = await project.run(['--runInBand']);
    expect(first.code).toBe(0);
    expect(first.executed).toEqual(['a', 'b1', 'b2', 'b3', 'b4']);
  });

  test('in band, a suite whose content key missed runs before later chunks are replayed', async () => {
    editA();
    const run = await project.run(['--runInBand']);
    expect(run.code).toBe(0);
    expect(run.outcomes).toEqual({
      'a.test.ts': 'ran',
      'b1.test.ts': 'hit-content',
      'b2.test.ts': 'hit-content',
      'b3.test.ts': 'hit-content',
      'b4.test.ts': 'hit-content',
    });
    expect(run.executed).toEqual(['a']);
    // a.test.ts ran while b1-b4 were still being bundled: its result comes first.
    const ranA = lineAt(run.stderr, 'PASS ./a.test.ts');
    expect(ranA).toBeGreaterThanOrEqual(0);
    for (const b of ['b1', 'b2', 'b3', 'b4']) expect(lineAt(run.stderr, `(cached) ${b}.test.ts`)).toBeGreaterThan(ranA);
    expect(run.stderr).toMatch(/Tests:\s+5 passed, 5 total/);
  });

  test('with workers, Jest runs one list: every suite is keyed first and the hits replayed before it', async () => {
    editA();
    // A memory limit makes Jest use workers for a handful of fast tests.
    const run = await project.run(['--maxWorkers=2', '--workerIdleMemoryLimit=1GB']);
    expect(run.code).toBe(0);
    expect(run.outcomes['a.test.ts']).toBe('ran');
    expect(run.executed).toEqual(['a']);
    const ranA = lineAt(run.stderr, 'PASS ./a.test.ts');
    expect(ranA).toBeGreaterThanOrEqual(0);
    for (const b of ['b1', 'b2', 'b3', 'b4']) {
      expect(run.outcomes[`${b}.test.ts`]).toBe('hit-content');
      expect(lineAt(run.stderr, `(cached) ${b}.test.ts`)).toBeLessThan(ranA);
    }
  });

  test('a suite that fails in band is reported failed, and the others still replay', async () => {
    project.write('shared.ts', 'export const a = (): number => 0;\nexport const b = (): number => 2;\n');
    const run = await project.run(['--runInBand']);
    expect(run.code).toBe(1);
    expect(run.outcomes['a.test.ts']).toBe('ran');
    expect(run.executed).toEqual(['a']);
    expect(run.stderr).toMatch(/Tests:\s+1 failed, 4 passed, 5 total/);
    expect(lineAt(run.stderr, 'FAIL ./a.test.ts')).toBeGreaterThanOrEqual(0);
  });
});
