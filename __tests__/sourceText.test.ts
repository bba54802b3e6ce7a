import {createHash} from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import {decodeEntryFile, storeDir} from './helpers/cacheStore';
import {FixtureProject, type RunResult} from './helpers/fixtureProject';

// Stage 2 soundness (DESIGN.md section 2): JavaScript can read its own source text
// (Function.prototype.toString) and positions (stack frames carry line and column).
// An edit that changes only what one of those channels shows must make the suite run,
// and fail; edits no running code can observe must still replay by content key.

const SUITES = [
  'src/arrowText.test.ts',
  'src/classText.test.ts',
  'src/functionText.test.ts',
  'src/metadata.test.ts',
  'src/plugin.test.ts',
  'src/stack.test.ts',
  'src/version.test.ts',
];

function edit(project: FixtureProject, file: string, from: string, to: string): () => void {
  const original = project.read(file);
  const changed = original.replace(from, to);
  if (changed === original) throw new Error(`edit of ${file} changed nothing`);
  project.write(file, changed);
  return () => project.write(file, original);
}

function replayedAll(run: RunResult): void {
  expect(run.code).toBe(0);
  expect(run.executed).toEqual([]);
  for (const suite of SUITES) expect(['hit-action', 'hit-content']).toContain(run.outcomes[suite]);
}

describe('what code can observe of its own source (an @swc/jest project)', () => {
  let project: FixtureProject;

  beforeAll(async () => {
    project = new FixtureProject('source-text');
    const first = await project.run();
    expect(first.stderr).not.toContain('FAIL');
    expect(first.code).toBe(0);
    expect(first.executed).toEqual(['arrowText', 'classText', 'functionText', 'metadata', 'plugin', 'stack', 'version']);
    replayedAll(await project.run());
  });

  const channels: [string, string, string, string, string, string][] = [
    ['a comment inside a function body (toString)', 'src/greeter.ts', '// greets politely', '// greets rudely', 'functionText', 'src/functionText.test.ts'],
    ['a comment inside a class (toString)', 'src/greeter.ts', '/* renders plainly */', '/* renders boldly */', 'classText', 'src/classText.test.ts'],
    ['a comment inside an arrow function reached through an object', 'src/greeter.ts', '// clicked once', '// clicked twice', 'arrowText', 'src/arrowText.test.ts'],
    ['a same-line edit that moves a stack column', 'src/site.ts', 'const frame = new Error()', 'const frame =  new Error()', 'stack', 'src/stack.test.ts'],
    ['a comment edit that moves a stack line', 'src/site.ts', '// Where this code runs, as', '// Where this code runs,\n// as', 'stack', 'src/stack.test.ts'],
  ];

  test.each(channels)('%s: the suite runs and fails; reverted, it replays', async (_name, file, from, to, executed, suite) => {
    const restore = edit(project, file, from, to);
    let run: RunResult;
    try {
      run = await project.run();
    } finally {
      restore();
    }
    expect(run.outcomes[suite]).toBe('ran');
    expect(run.executed).toEqual([executed]);
    expect(run.stderr).toContain(`FAIL ${suite}`);
    expect(run.code).toBe(1);
    // Suites whose bundles do not reach the edited code still replay.
    for (const other of SUITES.filter(s => s !== suite)) {
      expect(['hit-action', 'hit-content']).toContain(run.outcomes[other]);
    }
    replayedAll(await project.run());
  });

  const invisible: [string, string, string][] = [
    ['a comment after top-level code on the same line (Go\'s scenario)', '// the first version', '// the very first version'],
    ['a doc comment', '/** Doc comment: not part', '/** Doc comment, edited: not part'],
    ['a comment between top-level statements', '// A helper no test reaches.', '// A helper that no test reaches.'],
    ['a change to code no test reaches', "return 'never called';", "return 'still never called';"],
  ];

  test.each(invisible)('%s replays every suite by content key', async (_name, from, to) => {
    const restore = edit(project, 'src/greeter.ts', from, to);
    try {
      const run = await project.run();
      replayedAll(run);
      for (const suite of SUITES.filter(s => s !== 'src/stack.test.ts' && s !== 'src/plugin.test.ts' && s !== 'src/metadata.test.ts')) {
        expect(run.outcomes[suite]).toBe('hit-content');
      }
    } finally {
      restore();
    }
  });

  // Stage 2 keeps what it parsed of each file (functions, import order) by content hash, in
  // a table beside the store: a garbled value for a file's current hash is parsed again.
  test('parsed sources kept by stage 2, garbled, are parsed again: an edit no test reaches still replays by content key', async () => {
    const table = path.join(storeDir(project.cacheDir), 'observed-sources');
    const kept = JSON.parse(decodeEntryFile(table).body) as [string, [string, unknown]][];
    expect(kept.map(([file]) => path.relative(project.dir, file))).toEqual(expect.arrayContaining(SUITES));
    const garbled = JSON.stringify(kept.map(([file, [hash]]) => [file, [hash, {parsed: true, functions: 'none'}]]));
    fs.writeFileSync(table, `JRC1 ${createHash('sha256').update(garbled).digest('hex')}\n${garbled}`);
    // Code no test reaches: the module key misses, the bundles' keys read the kept table.
    const restore = edit(project, 'src/greeter.ts', "return 'never called';", "return 'never called, tables garbled';");
    try {
      const run = await project.run();
      replayedAll(run);
      expect(run.outcomes['src/functionText.test.ts']).toBe('hit-content');
      expect(run.suites.filter(s => s.bundled).length).toBeGreaterThan(0);
    } finally {
      restore();
    }
  });
});

// Issue 17: a file of the closure the bundle does not read (here a module imported only
// for its types) enters the content key by its compiled output, not its bytes.
describe('modules imported for their types (an @swc/jest project that keeps every import)', () => {
  let project: FixtureProject;

  beforeAll(async () => {
    project = new FixtureProject('source-text');
    expect((await project.run()).code).toBe(0);
    replayedAll(await project.run());
  });

  const readers = ['src/arrowText.test.ts', 'src/classText.test.ts', 'src/functionText.test.ts', 'src/stack.test.ts', 'src/version.test.ts'];

  test.each([
    ['a comment edit', '// Types shared by the helpers: nothing here runs.', '// Types shared by the helpers; nothing in here runs.'],
    ['a doc comment edit that adds lines', '/** What a greeting holds. */', '/**\n * What a greeting holds.\n */'],
    ['a type-only edit', 'name: string;', 'name: string;\n  polite?: boolean;'],
  ])('%s in the types file replays every suite that reaches it by content key', async (_name, from, to) => {
    const restore = edit(project, 'src/types.ts', from, to);
    try {
      const run = await project.run();
      replayedAll(run);
      for (const suite of readers) expect(run.outcomes[suite]).toBe('hit-content');
      // Recognised from the types file's compiled output alone: nothing was bundled.
      expect(run.suites.filter(s => s.bundled)).toEqual([]);
    } finally {
      restore();
    }
  });

  test('a value added to the types file that a suite uses reruns that suite', async () => {
    const restoreTypes = edit(project, 'src/types.ts', "export type Tone = 'polite' | 'plain';", "export type Tone = 'polite' | 'plain';\nexport const DEFAULT_TONE: Tone = 'plain';");
    const restoreGreeter = edit(project, 'src/greeter.ts', "import {Greeting, Tone} from './types';", "import {DEFAULT_TONE, Greeting, Tone} from './types';");
    const restoreTone = edit(project, 'src/greeter.ts', "export const TONE: Tone = 'polite';", 'export const TONE: Tone = DEFAULT_TONE;');
    try {
      const run = await project.run();
      expect(run.outcomes['src/version.test.ts']).toBe('ran');
      expect(run.stderr).toContain('FAIL src/version.test.ts');
      expect(run.stderr).toContain('"plain"');
    } finally {
      restoreTone();
      restoreGreeter();
      restoreTypes();
    }
    replayedAll(await project.run());
  });

  test('a type-only edit of a decorated class reruns its suite: decorator metadata makes the type a value', async () => {
    const restore = edit(project, 'src/service.ts', 'readonly dependency: Clock', 'readonly dependency: Timer');
    try {
      const run = await project.run();
      expect(run.outcomes['src/metadata.test.ts']).toBe('ran');
      expect(run.stderr).toContain('FAIL src/metadata.test.ts');
    } finally {
      restore();
    }
  });

  test('a module imported only for a type, which the transform keeps, reruns when its output changes', async () => {
    const restore = edit(project, 'src/register.ts', "registered = 'v1'", "registered = 'v2'");
    try {
      const run = await project.run();
      expect(run.outcomes['src/plugin.test.ts']).toBe('ran');
      expect(run.executed).toEqual(['plugin']);
      expect(run.stderr).toContain('FAIL src/plugin.test.ts');
    } finally {
      restore();
    }
    const comment = edit(project, 'src/register.ts', '// Registers itself when loaded', '// Registers itself once loaded');
    try {
      const run = await project.run();
      expect(run.outcomes['src/plugin.test.ts']).toBe('hit-content');
    } finally {
      comment();
    }
  });
});
