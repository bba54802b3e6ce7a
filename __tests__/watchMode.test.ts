import * as fs from 'fs';
import * as path from 'path';
import {FixtureProject, JEST_BINS} from './helpers/fixtureProject';
import {listStoreEntries} from './helpers/cacheStore';
import {count, JestProcess, readExecuted, readReport} from './helpers/jestProcess';
import {ENTER, TerminalJest} from './helpers/terminalJest';
import {execFileSync} from 'child_process';

// `jest --watchAll` builds a new runner per rerun (DESIGN.md section 5). An edit must rerun
// only what it reaches, and the runner's own writes (entries, hash table) must not
// retrigger the watch: Jest watches everything under rootDir.

const SUMMARY = /^Test Suites: /m;
const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/** Every file under `dir` (node_modules and `skip` excluded) with its mtime. */
function listFiles(dir: string, skip: string[] = []): Record<string, number> {
  const files: Record<string, number> = {};
  const walk = (folder: string) => {
    for (const entry of fs.readdirSync(folder, {withFileTypes: true})) {
      const file = path.join(folder, entry.name);
      if (entry.name === 'node_modules' || skip.includes(file)) continue;
      if (entry.isDirectory()) walk(file);
      else files[path.relative(dir, file)] = fs.statSync(file).mtimeMs;
    }
  };
  walk(dir);
  return files;
}

/**
 * Starts `jest --watchAll` on a go-scenario copy, waits for the first run, edits p1.ts,
 * waits for the rerun and then ~3 s more; returns what the second run did.
 */
async function editDuringWatch(project: FixtureProject, cacheDirectory?: string) {
  const watch = new JestProcess(project, JEST_BINS.jest30, ['--watchAll'], {
    env: {CI: undefined},
    cacheDirectory,
  });
  try {
    await watch.waitFor(() => count(watch.stderr, SUMMARY) >= 1, 60_000, 'the first run');
    const first = {...readReport(project), executed: readExecuted(project)};
    fs.rmSync(project.execLog, {force: true});
    // The first run's files are hashed; a later edit must be seen as one.
    await sleep(300);
    project.write('p1.ts', 'export const X = 2;\n');
    await watch.waitFor(() => count(watch.stderr, SUMMARY) >= 2, 60_000, 'the rerun after editing p1.ts');
    const second = {...readReport(project), executed: readExecuted(project)};
    const secondOutput = watch.stderr;
    // No further run: nothing changed, unless the runner's own writes retriggered Jest.
    await sleep(3000);
    return {first, second, secondOutput, watch, runs: count(watch.stderr, SUMMARY), exited: watch.exited};
  } finally {
    await watch.kill();
  }
}

describe('watch mode', () => {
  test('an edit reruns what it reaches and replays the rest; the store stays outside; no loop', async () => {
    const project = new FixtureProject('go-scenario');
    const before = listFiles(project.dir);
    const {first, second, secondOutput, runs, exited} = await editDuringWatch(project);

    expect(first.executed).toEqual(['t1', 't2', 't3', 't4']);
    expect(new Set(Object.values(first.outcomes))).toEqual(new Set(['ran']));
    // The report is rewritten by the rerun, the second runner instance of this process.
    expect(second.outcomes).toEqual({
      't1.test.ts': 'hit-action',
      't2.test.ts': 'hit-content',
      't3.test.ts': 'ran',
      't4.test.ts': 'hit-content',
    });
    expect(second.executed).toEqual(['t3']);
    expect(secondOutput).toContain('(cached) t1.test.ts');
    expect(secondOutput).toContain('jest-runner-cache: 3 suites replayed, 1 run');

    expect(exited).toBe(false);
    expect(runs).toBe(2);

    // The store is in Jest's cacheDirectory, outside the project, and holds the entries.
    const store = path.join(project.cacheDir, 'jest-runner-cache');
    expect(path.relative(project.dir, store).startsWith('..')).toBe(true);
    expect(listStoreEntries(store).length).toBeGreaterThanOrEqual(4);
    // Nothing was written into the project except the edit.
    const after = listFiles(project.dir);
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
    for (const file of Object.keys(before)) {
      if (file !== 'p1.ts') expect(`${file}: ${after[file]}`).toBe(`${file}: ${before[file]}`);
    }
  });

  test("with Jest's cacheDirectory inside the project (Jest ignores it), the watch does not loop", async () => {
    const project = new FixtureProject('go-scenario');
    const cacheDirectory = project.file('jest-cache');
    const {second, runs, exited} = await editDuringWatch(project, cacheDirectory);

    expect(second.outcomes['t1.test.ts']).toBe('hit-action');
    expect(second.outcomes['t3.test.ts']).toBe('ran');
    expect(second.executed).toEqual(['t3']);
    expect(exited).toBe(false);
    expect(runs).toBe(2);
    expect(listStoreEntries(path.join(cacheDirectory, 'jest-runner-cache')).length).toBeGreaterThanOrEqual(4);
  });

  test('a report file inside the project does not make the watch loop', async () => {
    // `report: 'cache-report.json'` (relative to the cwd, the project root) is a natural
    // setting. The runner rewrites the report on every run; Jest sees a changed file
    // under rootDir and reruns. Whether the runner refuses such a path (as it refuses
    // cacheDir inside the project) or keeps the write from retriggering the watch, Jest
    // must not rerun on its own.
    const project = new FixtureProject('go-scenario');
    const watch = new JestProcess(project, JEST_BINS.jest30, ['--watchAll'], {
      env: {CI: undefined, JEST_RUNNER_CACHE_REPORT: 'cache-report.json'},
    });
    try {
      await watch.waitFor(
        () => count(watch.stderr, SUMMARY) >= 1 || /jest-runner-cache: .*report/.test(watch.stderr),
        60_000,
        'the first run (or a refusal naming the report option)',
      );
      await sleep(3000);
      expect(watch.exited).toBe(false);
      expect(count(watch.stderr, SUMMARY)).toBeLessThanOrEqual(1);
    } finally {
      await watch.kill();
    }
  });
});

/** Jest prints its usage after every watch run, also one that found no test to run. */
const RUN_END = /Watch Usage/g;

/**
 * Does what a person does in the terminal (`act`), waits for the run it starts and
 * returns what that run did: each suite's outcome and which suites' test code executed.
 */
async function watchRun(term: TerminalJest, project: FixtureProject, what: string, act: () => void | Promise<void>) {
  const runs = count(term.output, RUN_END);
  fs.rmSync(project.execLog, {force: true});
  fs.rmSync(project.reportFile, {force: true});
  await act();
  await term.waitFor(() => count(term.output, RUN_END) > runs, 60_000, what);
  return {...readReport(project).outcomes, executed: readExecuted(project)};
}

/** Types a path pattern at Jest's `p` prompt. */
async function pathPattern(term: TerminalJest, pattern: string): Promise<void> {
  term.press('p');
  await term.waitFor(() => term.output.includes('Pattern Mode Usage'), 10_000, 'the pattern prompt');
  // One key per read, as a keyboard sends them: Jest takes each chunk it reads as one key.
  // Each key waits for the prompt's own echo of the text so far: any other output (the
  // type-ahead list drawn late for the previous key) would let the next key, or Enter,
  // reach Jest in the same read as this one.
  for (let typed = 1; typed <= pattern.length; typed++) {
    const before = term.output.length;
    const echo = `pattern \u203A ${pattern.slice(0, typed)}`;
    term.press(pattern[typed - 1]);
    await term.waitFor(() => term.output.includes(echo, before), 10_000, `the prompt to echo "${echo}"`);
  }
  term.press(ENTER);
}

const ALL_RAN = {'t1.test.ts': 'ran', 't2.test.ts': 'ran', 't3.test.ts': 'ran', 't4.test.ts': 'ran', executed: ['t1', 't2', 't3', 't4']};
const ALL_REPLAYED = {
  't1.test.ts': 'hit-action',
  't2.test.ts': 'hit-action',
  't3.test.ts': 'hit-action',
  't4.test.ts': 'hit-action',
  executed: [],
};
/** After `export const X = 2` in p1.ts (see the go-scenario in DESIGN.md section 1). */
const AFTER_EDIT = {'t2.test.ts': 'hit-content', 't3.test.ts': 'ran', 't4.test.ts': 'hit-content', executed: ['t3']};

// Issue 15: the reruns a person starts with a key replay what the first run stored.
describe('watch mode in a terminal', () => {
  test('--watchAll: `a`, Enter and `p` replay what the first run stored; an edit reruns what it reaches', async () => {
    const project = new FixtureProject('go-scenario');
    const term = new TerminalJest(project, JEST_BINS.jest30, ['--watchAll'], {CI: undefined});
    try {
      expect(await watchRun(term, project, 'the first run', () => {})).toEqual(ALL_RAN);
      expect(await watchRun(term, project, 'the run after `a`', () => term.press('a'))).toEqual(ALL_REPLAYED);
      expect(await watchRun(term, project, 'the run after Enter', () => term.press(ENTER))).toEqual(ALL_REPLAYED);
      // One selected test file makes Jest turn verbose on: the pass stored without it replays.
      expect(await watchRun(term, project, 'the run after `p t1`', () => pathPattern(term, 't1'))).toEqual({
        't1.test.ts': 'hit-action',
        executed: [],
      });
      expect(term.output).toContain('(cached) t1.test.ts');
      expect(await watchRun(term, project, 'the run after `a` again', () => term.press('a'))).toEqual(ALL_REPLAYED);
      expect(
        await watchRun(term, project, 'the run after editing p1.ts', () => project.write('p1.ts', 'export const X = 2;\n')),
      ).toEqual({...AFTER_EDIT, 't1.test.ts': 'hit-action'});
      // The runner's own writes start no further run.
      const runs = count(term.output, RUN_END);
      await sleep(3000);
      expect(count(term.output, RUN_END)).toBe(runs);
      expect(term.exited).toBe(false);
    } finally {
      await term.quit();
    }
  });

  test('--watch (git): `a` then Enter replays, `o` and an edit rerun only the related suites; no run of its own', async () => {
    const project = new FixtureProject('go-scenario');
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], {cwd: project.dir, encoding: 'utf8'});
    fs.writeFileSync(project.file('.gitignore'), 'node_modules\n');
    git('init', '-q');
    git('add', '.');
    git('commit', '-q', '-m', 'fixture');
    const term = new TerminalJest(project, JEST_BINS.jest30, ['--watch'], {CI: undefined});
    try {
      // Nothing changed since the commit: the first run finds no test.
      await term.waitFor(() => count(term.output, RUN_END) >= 1, 60_000, 'the first run');
      expect(await watchRun(term, project, 'the run after `a`', () => term.press('a'))).toEqual(ALL_RAN);
      expect(await watchRun(term, project, 'the run after Enter', () => term.press(ENTER))).toEqual(ALL_REPLAYED);
      // Back to the files changed since the commit: none.
      expect(await watchRun(term, project, 'the run after `o`', () => term.press('o'))).toEqual({executed: []});
      expect(
        await watchRun(term, project, 'the run after editing p1.ts', () => project.write('p1.ts', 'export const X = 2;\n')),
      ).toEqual(AFTER_EDIT);
      const runs = count(term.output, RUN_END);
      await sleep(3000);
      expect(count(term.output, RUN_END)).toBe(runs);
      expect(term.exited).toBe(false);
      // The store and the report are outside the work tree: git sees only the edit.
      expect(git('status', '--porcelain')).toBe(' M p1.ts\n');
    } finally {
      await term.quit();
    }
  });
});
