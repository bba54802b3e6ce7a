import {FixtureProject} from './helpers/fixtureProject';

// A native ESM project ("type": "module", no transform) run the way Jest documents it:
// node --experimental-vm-modules. Tests are .js and .mjs files using import/export.
describe('native ESM project', () => {
  let project: FixtureProject;
  const run = () => project.run([], {nodeArgs: ['--experimental-vm-modules']});

  beforeAll(async () => {
    project = new FixtureProject('esm');
    const first = await run();
    expect(first.stderr).toMatch(/Tests:\s+3 passed, 3 total/);
    expect(first.code).toBe(0);
    expect(first.executed).toEqual(['t1', 't3', 't4']);
    expect(first.outcomes).toEqual({'t1.test.js': 'ran', 't3.test.js': 'ran', 't4.test.mjs': 'ran'});
  });

  test('the second run replays every suite and runs no test code', async () => {
    const repeat = await run();
    expect(repeat.code).toBe(0);
    expect(repeat.executed).toEqual([]);
    expect(repeat.outcomes).toEqual({
      't1.test.js': 'hit-action',
      't3.test.js': 'hit-action',
      't4.test.mjs': 'hit-action',
    });
    expect(repeat.stderr).toMatch(/Tests:\s+3 passed, 3 total/);
    expect(repeat.stderr).toContain('jest-runner-cache: 3 suites replayed, 0 run');
  });

  test('editing an imported module reruns the suites that import it, directly or not', async () => {
    project.write('p1.js', 'export const X = 3;\n');
    const edited = await run();
    expect(edited.code).toBe(0);
    expect(edited.executed).toEqual(['t3', 't4']);
    expect(edited.outcomes).toEqual({'t1.test.js': 'hit-action', 't3.test.js': 'ran', 't4.test.mjs': 'ran'});

    const again = await run();
    expect(again.code).toBe(0);
    expect(again.executed).toEqual([]);
    expect(new Set(Object.values(again.outcomes))).toEqual(new Set(['hit-action']));
  });

  test('editing the module only t4 imports reruns t4 alone', async () => {
    project.write('p2.js', "import {X as base} from './p1.js';\n\nexport const twice = base + base;\n");
    const edited = await run();
    expect(edited.code).toBe(0);
    expect(edited.executed).toEqual(['t4']);
    expect(edited.outcomes).toEqual({'t1.test.js': 'hit-action', 't3.test.js': 'hit-action', 't4.test.mjs': 'ran'});
  });

  test('"type" in package.json is an input: switching it reruns every suite', async () => {
    // Without "type": "module" the .js tests fail to load (import outside a module).
    project.write('package.json', '{\n  "name": "esm-project",\n  "private": true\n}\n');
    project.write('jest.config.mjs', project.read('jest.config.js'));
    project.remove('jest.config.js');
    const commonjs = await run();
    expect(commonjs.outcomes['t1.test.js']).toBe('ran');
    expect(commonjs.outcomes['t3.test.js']).toBe('ran');
    expect(commonjs.code).toBe(1);
    expect(commonjs.stderr).toMatch(/FAIL .*t1\.test\.js/);
  });
});
