import {FixtureProject} from './helpers/fixtureProject';

// Stage 2 bundles a module esbuild has no loader for (here `.es6`, which babel-jest
// transforms) as text, loaded through the runner: a copy of the project in another
// folder replays from the same content key, and the module's content decides it.

describe('a module bundled as text', () => {
  let project: FixtureProject;

  beforeAll(async () => {
    project = new FixtureProject('text-module');
    const first = await project.run();
    expect(first.code).toBe(0);
    expect(first.outcomes).toEqual({'src/rate.test.js': 'ran'});
    // Bundled: no stage-2 reason such as "cannot bundle".
    expect(first.suites.filter(s => s.reason)).toEqual([]);
  });

  test('a copy of the project in another folder replays from its content key', async () => {
    const second = new FixtureProject('text-module', {cacheDir: project.cacheDir});
    // A same-line comment after a top-level statement: a stage-1 miss, the same bundle.
    const test = second.read('src/rate.test.js');
    second.write('src/rate.test.js', test.replace("require('./rate.es6');", "require('./rate.es6'); // as agreed"));
    const run = await second.run();
    expect(run.code).toBe(0);
    expect(run.outcomes).toEqual({'src/rate.test.js': 'hit-content'});
    expect(run.executed).toEqual([]);
  });

  test('an edit of the text module reruns the suite, which fails', async () => {
    project.write('src/rate.es6', 'module.exports = {rate: 4};\n');
    const run = await project.run();
    expect(run.code).toBe(1);
    expect(run.outcomes).toEqual({'src/rate.test.js': 'ran'});
    expect(run.executed).toEqual(['rate']);
  });
});
