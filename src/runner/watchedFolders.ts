import type {Test} from '@jest/test-result';
import type {Config} from '@jest/types';
import * as fs from 'fs';
import * as path from 'path';
import {OptionError} from '../options';

/** The real path of a file or folder that may not exist yet (its deepest existing ancestor resolved). */
function realPath(file: string): string {
  const absolute = path.resolve(file);
  try {
    return fs.realpathSync(absolute);
  } catch {
    const parent = path.dirname(absolute);
    return parent === absolute ? absolute : path.join(realPath(parent), path.basename(absolute));
  }
}

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(realPath(parent), realPath(child));
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Jest watches the project folders, but not its cacheDirectory nor watchPathIgnorePatterns. */
function watchedFolderOf(file: string, config: Config.ProjectConfig): string | undefined {
  if (isInside(file, config.cacheDirectory)) return undefined;
  if (config.watchPathIgnorePatterns.some(pattern => new RegExp(pattern).test(file))) return undefined;
  return [config.rootDir, ...config.roots].find(root => isInside(file, root));
}

/** In watch mode a report written into a watched folder would start the next run, forever. */
export function checkReportPath(file: string, tests: Test[], globalConfig: Config.GlobalConfig): void {
  if (!globalConfig.watch && !globalConfig.watchAll) return;
  for (const config of new Set(tests.map(t => t.context.config))) {
    const root = watchedFolderOf(path.resolve(file), config);
    if (root) {
      throw new OptionError(
        `option "report" (env JEST_RUNNER_CACHE_REPORT) is ${path.resolve(file)}, inside the watched ` +
          `folder ${root}; each report would start another run. Write it outside the project, ` +
          'or add it to watchPathIgnorePatterns.',
      );
    }
  }
}

/** The store folder of a project: never inside the folders Jest watches. */
export function storeDirOf(config: Config.ProjectConfig, cacheDir: string | undefined): string {
  if (!cacheDir) return path.join(config.cacheDirectory, 'jest-runner-cache');
  const dir = path.resolve(cacheDir);
  const root = watchedFolderOf(dir, config);
  if (root) {
    throw new OptionError(
      `option "cacheDir" (env JEST_RUNNER_CACHE_DIR) is ${dir}, inside the project folder ${root}; ` +
        'Jest would watch the cache and --watch would loop. Choose a folder outside the project.',
    );
  }
  return dir;
}
