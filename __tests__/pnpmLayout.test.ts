import * as fs from 'fs';
import {createRequire} from 'module';
import * as path from 'path';
import {FixtureProject, makeTempDir, REPO} from './helpers/fixtureProject';
import {runJestBin} from './helpers/jestProcess';

// A pnpm-style install: the project's node_modules holds only symlinks into a store, each
// package sees only its own declared dependencies, and jest-runner (a dependency of
// jest-cli/@jest/core, not of the project or of jest-runner-cache) is reachable only from
// Jest's own install. The runner must find it through the running Jest (src/jestModules.ts).
describe('pnpm layout', () => {
  let project: FixtureProject;
  let copy: string;
  let jestBin: string;

  /** Builds `<root>/store` (like node_modules/.pnpm) and the project's symlinks. */
  function installPnpmStyle(root: string, projectDir: string): void {
    const store = path.join(root, 'store');
    // jest: a link to the repo's install, whose realpath resolves jest's own dependencies.
    const jestInStore = path.join(store, 'jest@30/node_modules/jest');
    fs.mkdirSync(path.dirname(jestInStore), {recursive: true});
    fs.symlinkSync(path.join(REPO, 'node_modules/jest'), jestInStore);
    // jest-runner-cache: a copy of the published files, its dependencies linked beside it.
    const manifest = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
    const packageFolder = path.join(store, `jest-runner-cache@${manifest.version}/node_modules`);
    copy = path.join(packageFolder, 'jest-runner-cache');
    fs.mkdirSync(copy, {recursive: true});
    fs.copyFileSync(path.join(REPO, 'package.json'), path.join(copy, 'package.json'));
    fs.cpSync(path.join(REPO, 'dist'), path.join(copy, 'dist'), {recursive: true});
    for (const dependency of Object.keys(manifest.dependencies ?? {})) {
      const link = path.join(packageFolder, dependency);
      fs.mkdirSync(path.dirname(link), {recursive: true});
      fs.symlinkSync(path.join(REPO, 'node_modules', dependency), link);
    }
    const modules = path.join(projectDir, 'node_modules');
    fs.mkdirSync(modules);
    fs.symlinkSync(jestInStore, path.join(modules, 'jest'));
    fs.symlinkSync(copy, path.join(modules, 'jest-runner-cache'));
    jestBin = path.join(modules, 'jest/bin/jest.js');
  }

  const resolvable = (fromDir: string, request: string) => {
    try {
      createRequire(path.join(fromDir, 'package.json')).resolve(request);
      return true;
    } catch {
      return false;
    }
  };

  beforeAll(() => {
    const root = makeTempDir('jrc-pnpm-');
    project = new FixtureProject('pnpm-layout', {dir: path.join(root, 'proj'), link: false});
    installPnpmStyle(root, project.dir);
  });

  test('the layout hides jest-runner from the project and from the runner', () => {
    // The project resolves jest-runner-cache to the store's copy, not to this repo.
    expect(fs.realpathSync(createRequire(project.file('package.json')).resolve('jest-runner-cache'))).toBe(
      fs.realpathSync(path.join(copy, 'dist/index.js')),
    );
    // The copy's own dependency resolves; jest-runner does not, neither from the copy
    // nor from the project root.
    expect(resolvable(copy, 'emittery')).toBe(true);
    expect(resolvable(copy, 'jest-runner')).toBe(false);
    expect(resolvable(project.dir, 'jest-runner')).toBe(false);
    // Jest itself can reach it, through its real path.
    expect(resolvable(fs.realpathSync(path.join(project.dir, 'node_modules/jest')), 'jest-cli')).toBe(true);
  });

  test('the first run passes, the second replays every suite', async () => {
    const first = await runJestBin(project, jestBin);
    expect(first.stderr).not.toContain('cannot find');
    expect(first.code).toBe(0);
    expect(first.executed).toEqual(['plain', 'sum']);
    expect(first.outcomes).toEqual({'plain.test.js': 'ran', 'sum.test.js': 'ran'});
    expect(first.stderr).toMatch(/Tests:\s+2 passed, 2 total/);

    const second = await runJestBin(project, jestBin);
    expect(second.code).toBe(0);
    expect(second.executed).toEqual([]);
    expect(second.outcomes).toEqual({'plain.test.js': 'hit-action', 'sum.test.js': 'hit-action'});
    expect(second.stderr).toContain('jest-runner-cache: 2 suites replayed, 0 run');

    // An edit still reruns exactly the suites that reach it, through the store's jest-runner.
    project.write('sum.js', 'exports.sum = (a, b) => b + a;\n');
    const third = await runJestBin(project, jestBin);
    expect(third.code).toBe(0);
    expect(third.executed).toEqual(['sum']);
    expect(third.outcomes).toEqual({'plain.test.js': 'hit-action', 'sum.test.js': 'ran'});
  });
});
