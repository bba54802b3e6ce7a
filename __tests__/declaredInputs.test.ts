import {FixtureProject} from './helpers/fixtureProject';

const ALL = ['t1', 't2', 't3', 't4'];

// The `inputs` options: inputs the import graph cannot see, declared by the user.
describe('declared inputs', () => {
  test('a file matching inputs.files reruns every suite when edited', async () => {
    const project = new FixtureProject('go-scenario');
    project.write('data/table.txt', 'one\n');
    const env = {JEST_RUNNER_CACHE_INPUT_FILES: 'data/**/*.txt'};
    expect((await project.run([], {env})).executed).toEqual(ALL);
    expect((await project.run([], {env})).executed).toEqual([]);

    project.write('data/table.txt', 'two\n');
    expect((await project.run([], {env})).executed).toEqual(ALL);
    // A new matching file is an input too.
    project.write('data/nested/more.txt', 'three\n');
    expect((await project.run([], {env})).executed).toEqual(ALL);
    expect((await project.run([], {env})).executed).toEqual([]);
  });

  test('a variable named in inputs.env reruns every suite when it changes', async () => {
    const project = new FixtureProject('go-scenario');
    const run = (value: string) =>
      project.run([], {env: {JEST_RUNNER_CACHE_INPUT_ENV: 'API_URL', API_URL: value}});
    expect((await run('http://a')).executed).toEqual(ALL);
    expect((await run('http://a')).executed).toEqual([]);
    expect((await run('http://b')).executed).toEqual(ALL);
  });
});
