import * as fs from 'fs';
import * as path from 'path';
import {requireFromJest} from '../jestModules';

const GLOB_CHARS = /[*?[\]{}()!]/;

/** The folder a glob can only match under: its leading segments without glob syntax. */
function staticBase(glob: string): string {
  const segments = glob.split('/');
  const base: string[] = [];
  for (const segment of segments.slice(0, -1)) {
    if (GLOB_CHARS.test(segment)) break;
    base.push(segment);
  }
  return base.join('/');
}

/**
 * Files matching the `inputs.files` globs (relative to rootDir), found by walking only
 * the folders the globs can match under, skipping node_modules.
 */
export function declaredFiles(rootDir: string, globs: string[]): string[] {
  if (globs.length === 0) return [];
  const matches = requireFromJest<{globsToMatcher(globs: string[]): (p: string) => boolean}>(
    'jest-util',
  ).globsToMatcher(globs);
  const found = new Set<string>();
  const walk = (dir: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, {withFileTypes: true});
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules') walk(full);
      } else if (matches(path.relative(rootDir, full).split(path.sep).join('/'))) {
        found.add(full);
      }
    }
  };
  for (const base of new Set(globs.map(staticBase))) walk(path.join(rootDir, base));
  return [...found].sort();
}
