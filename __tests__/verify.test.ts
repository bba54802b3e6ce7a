import {spawnSync} from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import {FixtureProject, makeTempDir, REPO, type RunResult} from './helpers/fixtureProject';

// Verification (issue 13, Go's GODEBUG=gocacheverify): `verify` mode runs every suite and
// checks each would-be hit against its fresh run; `verifySample` does so for a share of
// the hits of a normal run. fixtures/verify has 12 suites: outside.test.js reads a file
// outside the project named by JRC_OUTSIDE_FILE (its value never changes, so its content
// is a blind spot of the keys), s01..s11 read nothing.

const OTHERS = ['s01', 's02', 's03', 's04', 's05', 's06', 's07', 's08', 's09', 's10', 's11'];
const ALL = ['outside', ...OTHERS];

/** Every suite's outcome: `outside` gets `forOutside`, the others `forOthers`. */
function outcomes(forOutside: string, forOthers: string): Record<string, string> {
  return Object.fromEntries(ALL.map(name => [`${name}.test.js`, name === 'outside' ? forOutside : forOthers]));
}

function closingLine(run: RunResult): string {
  return run.stderr.split('\n').find(line => line.startsWith('jest-runner-cache: ') && line.includes('replayed')) ?? '';
}

function counts(project: FixtureProject): Record<string, number> {
  return JSON.parse(fs.readFileSync(project.reportFile, 'utf8')).counts;
}

function explain(project: FixtureProject, file: string): string {
  const result = spawnSync(
    process.execPath,
    [path.join(REPO, 'dist/cli.js'), 'explain', project.file(file), '--cacheDirectory', project.cacheDir],
    {encoding: 'utf8'},
  );
  expect(result.status).toBe(0);
  return result.stdout;
}

describe('verification', () => {
  let project: FixtureProject;
  let outsideFile: string;
  const run = (env: Record<string, string> = {}) =>
    project.run([], {env: {JRC_OUTSIDE_FILE: outsideFile, ...env}});

  /** Stores all passes, then breaks the outside file: a normal run still replays its suite. */
  async function storeThenBreakTheBlindSpot(): Promise<void> {
    const first = await run();
    expect(first.code).toBe(0);
    expect(first.outcomes).toEqual(outcomes('ran', 'ran'));
    fs.writeFileSync(outsideFile, 'changed\n');
    const blind = await run();
    expect(blind.code).toBe(0);
    expect(blind.outcomes).toEqual(outcomes('hit-action', 'hit-action'));
    expect(blind.executed).toEqual([]);
  }

  beforeEach(() => {
    project = new FixtureProject('verify');
    outsideFile = path.join(makeTempDir('jrc-outside-'), 'outside.txt');
    fs.writeFileSync(outsideFile, 'ok\n');
  });

  test('verify runs every suite: the replayed blind spot is a stale pass, the others are verified', async () => {
    await storeThenBreakTheBlindSpot();

    const verify = await run({JEST_RUNNER_CACHE: 'verify'});
    expect(verify.code).not.toBe(0);
    expect(verify.executed).toEqual(ALL);
    expect(verify.outcomes).toEqual(outcomes('stale', 'verified'));
    expect(verify.suites.find(s => s.path === 'outside.test.js')?.reason).toBe(
      'its stored pass (action key) fails when run',
    );
    expect(counts(project)).toMatchObject({verified: 11, stale: 1, 'hit-action': 0, ran: 0});
    // One loud block naming the suite, the stage and its recorded inputs.
    expect(verify.stderr.split('STALE PASS: ').length - 1).toBe(1);
    expect(verify.stderr).toContain(`STALE PASS: ${project.file('outside.test.js')}`);
    expect(verify.stderr).toContain('stage 1, action key');
    expect(verify.stderr).toContain('    - env JRC_OUTSIDE_FILE');
    expect(closingLine(verify)).toMatch(/0 suites replayed, 12 run, saved .*; 11 verified, 1 stale: STALE PASS .*the run fails/);

    // The project is distrusted: a normal run replays nothing, and explain says why; the
    // stale pass is gone (explain has no record of it).
    const why = explain(project, 'outside.test.js');
    expect(why).toMatch(/not trusted: outside\.test\.js replayed a stale pass \(stage action/);
    expect(why).toContain('no stored pass');
    const distrusted = await run();
    expect(distrusted.code).not.toBe(0);
    expect(distrusted.outcomes).toEqual(outcomes('ran', 'ran'));
    expect(distrusted.suites.find(s => s.path === 's01.test.js')?.reason).toMatch(
      /^stored passes of this project are not trusted: outside\.test\.js/,
    );

    // The stale pass was removed: the next verify run finds an ordinary failure, not a stale
    // pass, and with no stale pass the project is trusted again.
    const again = await run({JEST_RUNNER_CACHE: 'verify'});
    expect(again.code).not.toBe(0);
    expect(again.outcomes).toEqual(outcomes('ran', 'verified'));
    expect(again.stderr).not.toContain('STALE PASS');
    expect(closingLine(again)).toMatch(/11 verified, 0 stale$/);
    fs.writeFileSync(outsideFile, 'ok\n');
    const trusted = await run();
    expect(trusted.code).toBe(0);
    expect(trusted.outcomes).toEqual(outcomes('ran', 'hit-action'));
    expect(trusted.executed).toEqual(['outside']);
  });

  test('verifySample=1 catches the stale pass in a normal run; the project is distrusted until a clean verify run', async () => {
    await storeThenBreakTheBlindSpot();

    const sampled = await run({JEST_RUNNER_CACHE_VERIFY_SAMPLE: '1'});
    expect(sampled.code).not.toBe(0);
    expect(sampled.outcomes).toEqual(outcomes('stale', 'verified'));
    expect(sampled.stderr).toContain(`STALE PASS: ${project.file('outside.test.js')}`);
    expect(closingLine(sampled)).toMatch(/; 11 verified, 1 stale: STALE PASS/);

    fs.writeFileSync(outsideFile, 'ok\n');
    // Distrusted: everything runs (and passes are stored, as in write mode); explain says why.
    for (let i = 0; i < 2; i++) {
      const distrusted = await run();
      expect(distrusted.code).toBe(0);
      expect(distrusted.outcomes).toEqual(outcomes('ran', 'ran'));
      expect(distrusted.executed).toEqual(ALL);
    }
    expect(explain(project, 's05.test.js')).toMatch(
      /s05\.test\.js: the next run runs it: stored passes of this project are not trusted: outside\.test\.js replayed a stale pass/,
    );

    const verify = await run({JEST_RUNNER_CACHE: 'verify'});
    expect(verify.code).toBe(0);
    expect(verify.outcomes).toEqual(outcomes('verified', 'verified'));
    expect(explain(project, 's05.test.js')).not.toContain('not trusted');
    const trusted = await run();
    expect(trusted.outcomes).toEqual(outcomes('hit-action', 'hit-action'));
    expect(trusted.executed).toEqual([]);
  });

  test('verifySample=0.5 runs about half of the hits, chosen at random, and replays the rest', async () => {
    const first = await run();
    expect(first.code).toBe(0);
    // 12 would-be hits at 0.5: exactly 6 are checked (floor or ceil of share * hits).
    const sampled = await run({JEST_RUNNER_CACHE_VERIFY_SAMPLE: '0.5'});
    expect(sampled.code).toBe(0);
    expect(counts(project)).toMatchObject({verified: 6, 'hit-action': 6, stale: 0, ran: 0});
    expect(sampled.executed).toHaveLength(6);
    const verified = Object.keys(sampled.outcomes).filter(file => sampled.outcomes[file] === 'verified');
    expect(sampled.executed).toEqual(verified.map(file => file.replace('.test.js', '')).sort());
    expect(closingLine(sampled)).toMatch(/6 suites replayed, 6 run, saved .*; 6 verified, 0 stale$/);
  });

  test('a bad verifySample stops the run, naming the option and what it accepts', async () => {
    const bad = await run({JEST_RUNNER_CACHE_VERIFY_SAMPLE: '5%'});
    expect(bad.code).not.toBe(0);
    expect(bad.executed).toEqual([]);
    expect(bad.stderr).toMatch(
      /option "verifySample" \(env JEST_RUNNER_CACHE_VERIFY_SAMPLE\) is "5%"; give a share between 0 and 1/,
    );
  });
});
