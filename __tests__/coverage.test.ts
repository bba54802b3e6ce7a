import * as fs from 'fs';
import * as path from 'path';
import {decodeEntryFile, listEntries, storeDir} from './helpers/cacheStore';
import {coverageReport, type CoverageReport} from './helpers/coverageReport';
import {FixtureProject, makeTempDir, type RunResult} from './helpers/fixtureProject';

// `jest --coverage` replays (DESIGN.md section 8): a replayed suite hands the coverage
// reporter what the fresh run did, for both providers. The fixture's TypeScript compiles
// to code of other lines and columns, so a v8 report that lost its source maps maps the
// counts to the wrong lines; src/untested.ts is loaded by no test.

const SUITES = ['src/math.test.ts', 'src/mixed.test.ts', 'src/strings.test.ts'];
const outcomesOf = (run: RunResult) => SUITES.map(file => `${file}:${run.outcomes[file]}`);
const all = (outcome: string) => SUITES.map(file => `${file}:${outcome}`);
const thresholdLines = (run: RunResult) => run.stderr.split('\n').filter(line => line.includes('threshold'));

describe.each(['babel', 'v8'] as const)('--coverage with coverageProvider %s', provider => {
  const other = provider === 'babel' ? 'v8' : 'babel';
  const coverage = ['--coverage', `--coverageProvider=${provider}`];
  let project: FixtureProject;
  let fresh: CoverageReport;

  beforeAll(() => {
    project = new FixtureProject('coverage');
  });

  test('a fresh run stores its passes; the cached run replays all with the same report', async () => {
    const first = await project.run(coverage);
    expect(first.code).toBe(0);
    expect(outcomesOf(first)).toEqual(all('ran'));
    fresh = coverageReport(project, first);
    expect(fresh.table.find(line => line.includes('math.ts'))).toMatch(/\|\s+[1-9]\d/);
    // The untested file is listed, with nothing covered.
    expect(fresh.summary['<dir>/src/untested.ts']).toMatchObject({lines: {covered: 0}});

    const cached = await project.run(coverage);
    expect(cached.code).toBe(0);
    expect(outcomesOf(cached)).toEqual(all('hit-action'));
    expect(coverageReport(project, cached)).toEqual(fresh);
  });

  test("replays the same report once Jest's transform cache is gone", async () => {
    const transformCaches = fs.readdirSync(project.cacheDir).filter(name => name.startsWith('jest-transform-cache-'));
    expect(transformCaches.length).toBeGreaterThan(0);
    for (const name of transformCaches) fs.rmSync(path.join(project.cacheDir, name), {recursive: true});
    const cached = await project.run(coverage);
    expect(outcomesOf(cached)).toEqual(all('hit-action'));
    expect(coverageReport(project, cached)).toEqual(fresh);
  });

  test('replays the same report in another checkout folder with its own Jest cache', async () => {
    // At the same depth (the harness links node_modules from this repo, so Jest's own
    // modules lie outside rootDir and enter the key relative to it), by a longer path.
    const checkout = new FixtureProject('coverage', {dir: path.join(makeTempDir('jrc-another-checkout-'), 'coverage')});
    const cached = await checkout.run(coverage, {env: {JEST_RUNNER_CACHE_DIR: storeDir(project.cacheDir)}});
    expect(cached.code).toBe(0);
    expect(outcomesOf(cached)).toEqual(all('hit-action'));
    expect(coverageReport(checkout, cached)).toEqual(fresh);
  });

  test('entries hold per-suite counts; shared parts lost or corrupt make misses, with the same report', async () => {
    // Each stored pass (its stage entry and its result entry) refers to the parts it
    // shares with other suites (a file's statement map, a script's code and map).
    const refsOf = () => {
      const refs = new Map<string, Set<string>>();
      for (const file of listEntries(project.cacheDir)) {
        const entry = decodeEntryFile(file);
        if (entry.kind !== 'inputs' && entry.kind !== 'result') continue;
        const body = JSON.parse(entry.body);
        const stored = entry.kind === 'inputs' ? body.result : body;
        // Only the counts stay in the entry.
        expect(entry.body).not.toContain('"statementMap"');
        for (const item of stored.result.v8Coverage ?? []) expect(item.codeTransformResult.code).toBeNull();
        const parts = stored.parts as {coverage?: Record<string, string>; v8?: (string | null)[]};
        const list = [...Object.values(parts.coverage ?? {}), ...(parts.v8 ?? [])].filter((ref): ref is string => !!ref);
        expect(list.length).toBeGreaterThan(0);
        refs.set(stored.testPath, new Set([...(refs.get(stored.testPath) ?? []), ...list]));
      }
      return refs;
    };
    const partFile = (ref: string) => path.join(storeDir(project.cacheDir), ref.slice(0, 2), ref);
    const refs = refsOf();
    expect([...refs.keys()].sort()).toEqual(SUITES);
    const allRefs = new Set([...refs.values()].flatMap(set => [...set]));
    for (const ref of allRefs) expect(decodeEntryFile(partFile(ref)).kind).toBe('part');
    // src/math.ts is loaded by two suites: its part is stored once.
    expect(allRefs.size).toBeLessThan([...refs.values()].reduce((sum, set) => sum + set.size, 0));

    const runsWithout = async (lost: Set<string>) => {
      const run = await project.run(coverage);
      expect(run.code).toBe(0);
      const expected = SUITES.map(file => `${file}:${[...refs.get(file)!].some(ref => lost.has(ref)) ? 'ran' : 'hit-action'}`);
      expect(outcomesOf(run)).toEqual(expected);
      expect(coverageReport(project, run)).toEqual(fresh);
    };
    // The parts of one suite's entry deleted: it runs, as does each suite sharing one of them.
    const deleted = refs.get('src/math.test.ts')!;
    for (const ref of deleted) fs.rmSync(partFile(ref));
    await runsWithout(deleted);
    // A part garbled: a miss as well.
    const [garbled] = [...refs.get('src/strings.test.ts')!];
    fs.writeFileSync(partFile(garbled), 'JRC1 0123\n{"kind":"pa');
    await runsWithout(new Set([garbled]));
    // The runs stored the parts again.
    const again = await project.run(coverage);
    expect(outcomesOf(again)).toEqual(all('hit-action'));
    expect(coverageReport(project, again)).toEqual(fresh);
  });

  test('a partly cached run reports what a fresh run of the same files reports', async () => {
    project.write(
      'src/math.test.ts',
      `${project.read('src/math.test.ts')}\ntest('mul', () => {\n  expect(mul({a: 2, b: 3})).toBe(6);\n});\n`.replace(
        '{add, sub}',
        '{add, mul, sub}',
      ),
    );
    const partly = await project.run(coverage);
    expect(partly.code).toBe(0);
    expect(outcomesOf(partly)).toEqual(['src/math.test.ts:ran', 'src/mixed.test.ts:hit-action', 'src/strings.test.ts:hit-action']);
    const report = coverageReport(project, partly);
    const freshRun = await project.run(coverage, {env: {JEST_RUNNER_CACHE: 'off'}});
    expect(outcomesOf(freshRun)).toEqual(all('bypass'));
    expect(report).toEqual(coverageReport(project, freshRun));
    // The edit covered more of math.ts: the merged report did change.
    expect(report.summary).not.toEqual(fresh.summary);
    fresh = report;
  });

  test('a coverage threshold the fresh run misses fails the replayed run too', async () => {
    const threshold = (lines: number) => [...coverage, `--coverageThreshold={"global":{"lines":${lines}}}`];
    const missed = await project.run(threshold(95), {env: {JEST_RUNNER_CACHE: 'off'}});
    expect(missed.code).toBe(1);
    expect(thresholdLines(missed)).toEqual([expect.stringMatching(/lines .* does not meet "global" threshold \(95%\)/)]);
    const replayed = await project.run(threshold(95));
    expect(outcomesOf(replayed)).toEqual(all('hit-action'));
    expect(replayed.code).toBe(1);
    expect(thresholdLines(replayed)).toEqual(thresholdLines(missed));
    // One the fresh run meets passes: the replayed suites carried their coverage.
    const met = await project.run(threshold(70));
    expect(outcomesOf(met)).toEqual(all('hit-action'));
    expect(met.code).toBe(0);
  });

  test(`a plain run and a ${other} coverage run never replay a ${provider} coverage pass`, async () => {
    const plain = await project.run();
    expect(plain.code).toBe(0);
    expect(outcomesOf(plain)).toEqual(all('ran'));
    const otherProvider = await project.run(['--coverage', `--coverageProvider=${other}`]);
    expect(otherProvider.code).toBe(0);
    expect(outcomesOf(otherProvider)).toEqual(all('ran'));
    // Nor a plain pass into a coverage run: each run above stored its own passes.
    fs.rmSync(storeDir(project.cacheDir), {recursive: true});
    await project.run();
    const afterPlain = await project.run(coverage);
    expect(outcomesOf(afterPlain)).toEqual(all('ran'));
    expect(coverageReport(project, afterPlain)).toEqual(fresh);
  });
});

describe('flags whose payloads are measured live or keyed', () => {
  test('--testLocationInResults is keyed and replays each location; heap usage and open handles bypass', async () => {
    const project = new FixtureProject('coverage');
    expect(outcomesOf(await project.run())).toEqual(all('ran'));
    const locations = async () => {
      const json = path.join(makeTempDir(), 'results.json');
      const run = await project.run(['--testLocationInResults', '--json', `--outputFile=${json}`]);
      const results = JSON.parse(fs.readFileSync(json, 'utf8')) as {
        testResults: {name: string; assertionResults: {title: string; location: unknown}[]}[];
      };
      const byTest = results.testResults.flatMap(file =>
        file.assertionResults.map(t => [`${path.relative(project.dir, file.name)} ${t.title}`, t.location]),
      );
      return {outcomes: outcomesOf(run), locations: Object.fromEntries(byTest)};
    };
    const fresh = await locations();
    expect(fresh.outcomes).toEqual(all('ran'));
    expect(fresh.locations['src/math.test.ts sub']).toEqual({line: 7, column: 1});
    const replayed = await locations();
    expect(replayed.outcomes).toEqual(all('hit-action'));
    expect(replayed.locations).toEqual(fresh.locations);

    for (const flag of ['--logHeapUsage', '--detectOpenHandles']) {
      const run = await project.run([flag]);
      expect(run.code).toBe(0);
      expect(outcomesOf(run)).toEqual(all('bypass'));
      expect(run.suites[0].reason).toMatch(/measured live/);
    }
  });
});
