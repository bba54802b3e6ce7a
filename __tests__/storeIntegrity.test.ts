import * as path from 'path';
import {createHash} from 'crypto';
import * as fs from 'fs';
import {decodeEntryFile, listEntries, listPacks, storeDir} from './helpers/cacheStore';
import {FixtureProject, makeTempDir, type RunResult} from './helpers/fixtureProject';

// The local store (DESIGN.md section 6): every entry checks itself, a corrupt one is a miss
// and is removed, and writes are atomic across concurrent jest processes. Each project's
// pack (src/store/entryPack.ts) copies the stage entries its last runs used, and is
// checked the same way.

const SUITES = ['s1', 's2', 's3', 's4', 's5', 's6'];
const fileOf = (suite: string) => `${suite}.test.ts`;

function expectPassed(run: RunResult): void {
  if (run.code !== 0) throw new Error(`jest exited with ${run.code}; its output:\n${run.stderr}`);
  expect(run.stderr).toMatch(new RegExp(`Tests:\\s+${SUITES.length} passed, ${SUITES.length} total`));
}

/** Asserts a passing run in which exactly `ran` ran (and executed) and the rest replayed. */
function expectOnly(run: RunResult, ran: string[]): void {
  expectPassed(run);
  const expected: Record<string, string> = {};
  for (const suite of SUITES) expected[fileOf(suite)] = ran.includes(suite) ? 'ran' : 'hit-action';
  expect(run.outcomes).toEqual(expected);
  expect(run.executed).toEqual([...ran].sort());
}

/** The project's one pack, checked like an entry (the same sealed format). */
function packOf(cacheDir: string): string {
  const packs = listPacks(cacheDir);
  expect(packs).toHaveLength(1);
  return packs[0];
}

/**
 * Entries holding a suite's pass (result entries, and the input lists that carry the
 * result along), by suite; throws on any entry that is not intact. Explain manifests are
 * checked but not returned.
 */
function entriesBySuite(cacheDir: string): Map<string, string[]> {
  const bySuite = new Map<string, string[]>();
  for (const file of listEntries(cacheDir)) {
    const entry = decodeEntryFile(file);
    if (!entry.valid) {
      throw new Error(`store entry ${file} is not intact: ${entry.header.slice(0, 80)}`);
    }
    if ((entry.kind !== 'result' && entry.kind !== 'inputs') || !entry.testPath) continue;
    bySuite.set(entry.testPath, [...(bySuite.get(entry.testPath) ?? []), file]);
  }
  return bySuite;
}

describe('corrupt store entries', () => {
  test('a truncated, a garbage and a wrong-hash entry are misses: those suites run, pass and are stored again', async () => {
    const project = new FixtureProject('store');
    const first = await project.run();
    expectOnly(first, SUITES);

    const stored = entriesBySuite(project.cacheDir);
    expect([...stored.keys()].sort()).toEqual(SUITES.map(fileOf));
    // The pack holds an intact copy of each suite's stage entry: without it, the
    // corrupted entries below are what the lookups read.
    fs.rmSync(packOf(project.cacheDir));

    // Every entry of a suite is corrupted (a suite may be stored under more than one key).
    for (const file of stored.get('s1.test.ts')!) {
      const data = fs.readFileSync(file);
      fs.writeFileSync(file, data.subarray(0, Math.floor(data.length / 2)));
    }
    for (const file of stored.get('s2.test.ts')!) {
      fs.writeFileSync(file, Buffer.from([0, 159, 146, 150, 10, 255, 1, 2, 3, 10, 123, 125]));
    }
    for (const file of stored.get('s3.test.ts')!) {
      const {body} = decodeEntryFile(file);
      const wrongHash = createHash('sha256').update(`${body} `).digest('hex');
      fs.writeFileSync(file, `JRC1 ${wrongHash}\n${body}`);
      expect(decodeEntryFile(file).valid).toBe(false);
    }

    const afterCorruption = await project.run();
    expectOnly(afterCorruption, ['s1', 's2', 's3']);

    // Only intact entries are left, one set per suite, and they serve the next run.
    const repaired = entriesBySuite(project.cacheDir);
    expect([...repaired.keys()].sort()).toEqual(SUITES.map(fileOf));
    expectOnly(await project.run(), []);
  });

  test('an entry file replaced by an empty file or a folder is a miss, not a crash', async () => {
    const project = new FixtureProject('store');
    expectOnly(await project.run(), SUITES);
    const stored = entriesBySuite(project.cacheDir);
    fs.rmSync(packOf(project.cacheDir));
    for (const file of stored.get('s4.test.ts')!) fs.writeFileSync(file, '');
    for (const file of stored.get('s5.test.ts')!) {
      fs.rmSync(file);
      fs.mkdirSync(file);
    }
    const next = await project.run();
    expectPassed(next);
    expect(next.outcomes['s4.test.ts']).toBe('ran');
    expect(next.outcomes['s5.test.ts']).toBe('ran');
    expect(next.executed).toEqual(['s4', 's5']);
    // s4 is stored again; the folder in s5's place may stay (it cannot be written over),
    // but it must keep being a miss that runs, never a failure.
    const again = await project.run();
    expectPassed(again);
    expect(again.outcomes['s4.test.ts']).toBe('hit-action');
    expect(['ran', 'hit-action']).toContain(again.outcomes['s5.test.ts']);
    expect(again.executed).toEqual(again.outcomes['s5.test.ts'] === 'ran' ? ['s5'] : []);
  });
});

describe('the pack of stage entries', () => {
  test('serves a replay in one read, and a corrupt pack is ignored: the entries serve, and it is written again', async () => {
    const project = new FixtureProject('store');
    expectOnly(await project.run(), SUITES);
    const pack = packOf(project.cacheDir);
    const intact = fs.readFileSync(pack, 'utf8');
    expect(decodeEntryFile(pack).sealed).toBe(true);
    expect(intact.trimEnd().split('\n')).toHaveLength(1 + SUITES.length);

    // With the stage entries' files gone, the pack alone serves the replay; a replay of
    // the same entries leaves it as it was.
    // One stage entry per key a pass is stored under: action, module and content key.
    const entries = listEntries(project.cacheDir).filter(file => decodeEntryFile(file).kind === 'inputs');
    expect(entries).toHaveLength(SUITES.length * 3);
    const saved = new Map(entries.map(file => [file, fs.readFileSync(file)]));
    for (const file of entries) fs.rmSync(file);
    expectOnly(await project.run(), []);
    expect(fs.readFileSync(pack, 'utf8')).toBe(intact);
    for (const [file, data] of saved) fs.writeFileSync(file, data);

    // A truncated pack: the entries serve every suite, and the pack is whole again.
    fs.writeFileSync(pack, intact.slice(0, Math.floor(intact.length / 2)));
    expectOnly(await project.run(), []);
    expect(fs.readFileSync(pack, 'utf8')).toBe(intact);

    // A sealed pack with a line whose test path does not decode (not a line this runner
    // writes): that line is ignored, the entries serve, and the pack is whole again.
    const lines = decodeEntryFile(pack).body.split('\n');
    lines[1] = lines[1].replace(/^(\S+) \S+ /, '$1 %E0%A4%A ');
    const foreign = lines.join('\n');
    fs.writeFileSync(pack, `JRC1 ${createHash('sha256').update(foreign).digest('hex')}\n${foreign}`);
    expect(decodeEntryFile(pack).sealed).toBe(true);
    expectOnly(await project.run(), []);
    expect(fs.readFileSync(pack, 'utf8')).toBe(intact);

    // A pack with a line changed (its hash no longer matches), and s1's entries gone:
    // s1 runs, the rest replay from their entries.
    fs.writeFileSync(pack, intact.replace('"numPassingTests":1', '"numPassingTests":2'));
    expect(decodeEntryFile(pack).sealed).toBe(false);
    for (const file of entriesBySuite(project.cacheDir).get('s1.test.ts')!) fs.rmSync(file);
    expectOnly(await project.run(), ['s1']);
    expectOnly(await project.run(), []);
  });

  test('an edit reruns its suites although the pack holds their old entries; a deleted test file leaves the pack', async () => {
    const project = new FixtureProject('store');
    expectOnly(await project.run(), SUITES);
    const pack = packOf(project.cacheDir);
    const before = fs.readFileSync(pack, 'utf8');
    project.write('values.ts', 'export const values = [1, 2, 3, 4, 5, 6, 7];\n');
    const edited = await project.run();
    expectPassed(edited);
    const ran = SUITES.filter(s => edited.outcomes[fileOf(s)] === 'ran');
    expect(ran.length).toBeGreaterThan(0);
    expect(edited.executed).toEqual(ran);
    expect(fs.readFileSync(pack, 'utf8')).not.toBe(before);
    expectOnly(await project.run(), []);

    fs.rmSync(path.join(project.dir, fileOf('s6')));
    const lines = () => fs.readFileSync(pack, 'utf8').trimEnd().split('\n').slice(1);
    expect(lines().some(line => line.includes('s6.test.ts'))).toBe(true);
    const fewer = await project.run();
    expect(fewer.code).toBe(0);
    expect(Object.values(fewer.outcomes)).toEqual(Array(SUITES.length - 1).fill('hit-action'));
    expect(lines()).toHaveLength(SUITES.length - 1);
    expect(lines().some(line => line.includes('s6.test.ts'))).toBe(false);
  });
});

describe('concurrent jest processes on one store', () => {
  test('two runs started at once both pass, and a later run replays every suite', async () => {
    const project = new FixtureProject('store');
    // A second handle on the same folder and cacheDir, with its own report and exec log.
    // Its own exec log, so each process's executions can be told apart (the log path is
    // an env variable the test code reads: the twin's passes are stored for its value).
    const twin = new FixtureProject('store', {
      dir: project.dir,
      cacheDir: project.cacheDir,
      execLog: path.join(makeTempDir(), 'twin-executed.log'),
      link: false,
    });

    for (let round = 0; round < 2; round++) {
      if (round === 1) {
        // Round two: every suite's key changes, so both processes write all entries again.
        project.write('values.ts', 'export const values = [1, 2, 3, 4, 5, 6, 7];\n');
      }
      const [one, two] = await Promise.all([project.run(), twin.run()]);
      for (const run of [one, two]) {
        expectPassed(run);
        expect(Object.keys(run.outcomes).sort()).toEqual(SUITES.map(fileOf));
        // Each suite either ran (its code executed in that process) or replayed what the
        // other process had just stored.
        const ran = SUITES.filter(s => run.outcomes[fileOf(s)] === 'ran');
        for (const suite of SUITES) expect(['ran', 'hit-action']).toContain(run.outcomes[fileOf(suite)]);
        expect(run.executed).toEqual(ran);
      }
      // Only intact entries are left, covering every suite.
      expect([...entriesBySuite(project.cacheDir).keys()].sort()).toEqual(SUITES.map(fileOf));
      expectOnly(await project.run(), []);
    }
    // No temp files are left behind by the atomic writes.
    const leftovers = fs
      .readdirSync(`${project.cacheDir}/jest-runner-cache`, {recursive: true})
      .map(String)
      .filter(name => name.endsWith('.tmp'));
    expect(leftovers).toEqual([]);
  });
});

describe('a run that dies midway', () => {
  test('keeps the passes of the suites that finished before it died', async () => {
    const project = new FixtureProject('store');
    // The smallest file runs last (Jest orders unknown suites by size); in band, it kills
    // the jest process itself, as a crash or a kill from outside would.
    project.write('zz.test.ts', "test('dies', () => process.kill(process.pid, 'SIGKILL'));\n");
    const killed = await project.run(['--runInBand']);
    expect(killed.code).toBeNull();
    expect(killed.executed).toEqual(SUITES);

    project.remove('zz.test.ts');
    expectOnly(await project.run(), []);
  });
});

describe('a store that cannot be written', () => {
  // Entries are written by the run's writer thread (see BackgroundWriter): a write that
  // fails there cannot fail the suite's run; it is reported when the run waits for them.
  test('every entry folder is a file: the runs pass, say that writes failed, and nothing is replayed', async () => {
    const project = new FixtureProject('store');
    const store = storeDir(project.cacheDir);
    fs.mkdirSync(store, {recursive: true});
    for (let byte = 0; byte < 256; byte++) fs.writeFileSync(path.join(store, byte.toString(16).padStart(2, '0')), '');
    for (let run = 0; run < 2; run++) {
      const result = await project.run();
      expectOnly(result, SUITES);
      expect(result.stderr).toMatch(/jest-runner-cache: \d+ store write\(s\) failed \(.+\); those entries are not in the cache/);
    }
  });
});
