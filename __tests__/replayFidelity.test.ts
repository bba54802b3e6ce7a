import * as fs from 'fs';
import * as path from 'path';
import {FixtureProject, makeTempDir, type RunResult} from './helpers/fixtureProject';

// A replayed run must print what the fresh run printed (DESIGN.md section 4): the same
// per-suite blocks (console output, snapshot notes, verbose test lists with skipped and
// todo tests) and the same summary counts. Differences allowed: the runner's own lines,
// times, and the order of the suites (hits are replayed first).
//
// The fixture commits its .snap files, so the first run only matches snapshots.

interface Output {
  /** Per-suite blocks (a PASS/FAIL line and what follows), sorted. */
  blocks: string[];
  /** From "Snapshot Summary" or "Test Suites:" to the end. */
  summary: string;
}

const RUNNER_LINE = /^(\(cached\) |jest-runner-cache: )/;
const SUMMARY_START = /^(Snapshot Summary|Test Suites:)/;

/** Timings differ from run to run; a verbose test line shows none when it took 0 ms. */
function normalizeTimes(text: string): string {
  return text
    .replace(/ \(\d+(?:\.\d+)? m?s\)/g, '')
    .replace(/^Time:.*$/gm, 'Time: <time>');
}

function parseOutput(text: string): Output {
  const lines = normalizeTimes(text)
    .split('\n')
    .filter(line => !RUNNER_LINE.test(line));
  const blocks: string[][] = [];
  let preamble: string[] = [];
  let current: string[] | undefined;
  let summaryAt = lines.length;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (SUMMARY_START.test(line)) {
      summaryAt = i;
      break;
    }
    if (/^(PASS|FAIL) /.test(line)) blocks.push((current = []));
    (current ?? preamble).push(line);
  }
  preamble = preamble.filter(line => line.trim() !== '');
  if (preamble.length > 0) blocks.push(preamble);
  return {
    blocks: blocks.map(block => block.join('\n').trimEnd()).sort(),
    summary: lines.slice(summaryAt).join('\n').trimEnd(),
  };
}

function expectSameOutput(replayed: string, fresh: string): void {
  const a = parseOutput(replayed);
  const b = parseOutput(fresh);
  expect(a.blocks).toEqual(b.blocks);
  expect(a.summary).toEqual(b.summary);
}

const ALL = ['console.test.js', 'quiet.test.js', 'skipped.test.js', 'snapshots.test.js'];
const outcomesOf = (run: RunResult) => ALL.map(file => `${file}:${run.outcomes[file]}`);

describe('replay fidelity', () => {
  let project: FixtureProject;

  beforeAll(() => {
    project = new FixtureProject('replay-fidelity');
  });

  describe('default reporter', () => {
    let fresh: RunResult;
    let replayed: RunResult;

    beforeAll(async () => {
      fresh = await project.run();
      replayed = await project.run();
    });

    test('the fresh run matches the committed snapshots and runs everything', () => {
      expect(fresh.code).toBe(0);
      expect(fresh.executed).toEqual(['console', 'quiet', 'skipped', 'snapshots']);
      expect(outcomesOf(fresh)).toEqual(ALL.map(file => `${file}:ran`));
      expect(fresh.stderr).toMatch(/^Snapshots:\s+5 passed, 5 total$/m);
      expect(fresh.stderr).not.toMatch(/written|obsolete/);
      expect(fresh.stderr).toMatch(/^Tests:\s+2 skipped, 1 todo, 7 passed, 10 total$/m);
      expect(fresh.stderr).toContain('hello from console.log { answer: 42 }');
    });

    test('the replay runs nothing and prints the same suites and summary', () => {
      expect(replayed.code).toBe(0);
      expect(replayed.executed).toEqual([]);
      expect(outcomesOf(replayed)).toEqual(ALL.map(file => `${file}:hit-action`));
      expectSameOutput(replayed.stderr, fresh.stderr);
      expect(replayed.stdout).toBe(fresh.stdout);
      // The parts that matter most, spelled out.
      expect(replayed.stderr).toMatch(/^Test Suites:\s+4 passed, 4 total$/m);
      expect(replayed.stderr).toMatch(/^Tests:\s+2 skipped, 1 todo, 7 passed, 10 total$/m);
      expect(replayed.stderr).toMatch(/^Snapshots:\s+5 passed, 5 total$/m);
      expect(replayed.stderr).toContain('careful: this is console.warn');
      expect(replayed.stderr).toMatch(/console\.log\n\s+second log line\n\s+with two lines/);
      for (const file of ALL) expect(replayed.stderr).toContain(`(cached) ${file}`);
    });
  });

  describe('a custom reporter', () => {
    // Jest's own reporters only redraw a status line from test case results, so those are
    // replayed only when a reporter of the user's own may want them.
    const casesOf = (log: string) => fs.readFileSync(log, 'utf8').trim().split('\n').sort();

    test('is given every test case start and result of a replayed suite, as in the fresh run', async () => {
      const logs = makeTempDir();
      const run = (name: string, env: Record<string, string> = {}) =>
        project.run(['--reporters', 'default', '--reporters', './caseReporter.js'], {
          env: {...env, CASE_REPORTER_LOG: path.join(logs, name)},
        });
      // Mode write runs every suite (and stores it): the fresh run's events.
      const fresh = await run('fresh', {JEST_RUNNER_CACHE: 'write'});
      const replayed = await run('replayed');
      expect(fresh.code).toBe(0);
      expect(outcomesOf(fresh)).toEqual(ALL.map(file => `${file}:ran`));
      expect(outcomesOf(replayed)).toEqual(ALL.map(file => `${file}:hit-action`));
      expect(replayed.executed).toEqual([]);
      const freshCases = casesOf(path.join(logs, 'fresh'));
      // 7 passed tests start and end, a todo test only ends, skipped tests report nothing.
      expect(freshCases).toHaveLength(15);
      expect(casesOf(path.join(logs, 'replayed'))).toEqual(freshCases);
    });
  });

  describe('--verbose', () => {
    let fromBuffered: RunResult;
    let fresh: RunResult;
    let replayed: RunResult;

    beforeAll(async () => {
      // The passes stored so far hold their console output (buffered): a verbose run
      // replays them too (read mode: it stores nothing under the verbose key).
      fromBuffered = await project.run(['--verbose'], {env: {JEST_RUNNER_CACHE: 'read'}});
      // Mode write runs every suite: the fresh verbose run, stored without console output.
      fresh = await project.run(['--verbose'], {env: {JEST_RUNNER_CACHE: 'write'}});
      replayed = await project.run(['--verbose']);
    });

    test('the fresh verbose run lists every test, skipped and todo ones included', () => {
      expect(fresh.code).toBe(0);
      expect(outcomesOf(fresh)).toEqual(ALL.map(file => `${file}:ran`));
      expect(fresh.stderr).toMatch(/○ skipped is skipped/);
      expect(fresh.stderr).toMatch(/✎ todo is still to do/);
      expect(fresh.stderr).toMatch(/○ skipped inside the group/);
      expect(fresh.stderr).toMatch(/✓ passes quietly/);
    });

    test('the replayed test lists and summary equal the fresh run\'s', () => {
      expect(replayed.code).toBe(0);
      expect(replayed.executed).toEqual([]);
      expect(outcomesOf(replayed)).toEqual(ALL.map(file => `${file}:hit-action`));
      expectSameOutput(replayed.stderr, fresh.stderr);
      expect(replayed.stderr).toMatch(/^Tests:\s+2 skipped, 1 todo, 7 passed, 10 total$/m);
      expect(replayed.stderr).toMatch(/^Snapshots:\s+5 passed, 5 total$/m);
    });

    test('the replay prints the console output the fresh run printed', () => {
      // In verbose mode Jest writes console calls straight to stdout while the test runs
      // (CustomConsole), instead of buffering them into the result.
      expect(fresh.stdout).toContain('hello from console.log { answer: 42 }');
      expect(normalizeTimes(replayed.stdout)).toBe(normalizeTimes(fresh.stdout));
    });

    test('a pass stored without --verbose replays as a fresh verbose run prints it', () => {
      expect(fromBuffered.code).toBe(0);
      expect(fromBuffered.executed).toEqual([]);
      expect(outcomesOf(fromBuffered)).toEqual(ALL.map(file => `${file}:hit-action`));
      expectSameOutput(fromBuffered.stderr, fresh.stderr);
      expect(normalizeTimes(fromBuffered.stdout)).toBe(normalizeTimes(fresh.stdout));
    });
  });

  describe('an obsolete snapshot', () => {
    let rewritten: RunResult;
    let fresh: RunResult;
    let replayed: RunResult;

    beforeAll(async () => {
      const snap = '__snapshots__/snapshots.test.js.snap';
      project.write(snap, `${project.read(snap)}\nexports[\`gone 1\`] = \`"no test writes me"\`;\n`);
      rewritten = await project.run();
      fresh = await project.run();
      replayed = await project.run();
    });

    test('is not stored while Jest rewrites the .snap file in its own format', () => {
      // The hand-written entry is re-serialized by Jest: an input changed during the run.
      expect(rewritten.code).toBe(1);
      expect(rewritten.suites.find(s => s.path === 'snapshots.test.js')).toMatchObject({
        outcome: 'bypass',
        reason: expect.stringMatching(/snapshots\.test\.js\.snap changed while the suite ran/),
      });
    });

    test('is reported (and fails the run) on the fresh run', () => {
      expect(fresh.code).toBe(1);
      expect(fresh.executed).toEqual(['snapshots']);
      expect(fresh.stderr).toMatch(/^Snapshots:\s+1 obsolete, 5 passed, 5 total$/m);
      expect(fresh.stderr).toContain('• gone 1');
    });

    test('is stored, then replayed with the same counts and the same exit code', () => {
      // DESIGN.md section 4: replays keep `unchecked` and `uncheckedKeys`. (Jest rewrites
      // the .snap file, now with the same content, on every run that has obsolete entries.)
      expect(fresh.suites.find(s => s.path === 'snapshots.test.js')?.reason).toBeUndefined();
      expect(replayed.code).toBe(fresh.code);
      expectSameOutput(replayed.stderr, fresh.stderr);
      expect(replayed.outcomes['snapshots.test.js']).toBe('hit-action');
      expect(replayed.executed).toEqual([]);
    });
  });
});
