import {createRequire} from 'module';
import * as path from 'path';

/**
 * Loads Jest's own packages (jest-runner, jest-docblock, ...) from the Jest that is
 * running this process, not from wherever this package happens to be installed: under
 * pnpm, jest-runner is not hoisted to the project root, and a second Jest copy
 * elsewhere in node_modules must not be mixed with the running one.
 *
 * The running Jest has jest-config loaded (it resolved this runner), so its path in
 * require.cache is the anchor; jest-runner and friends are its dependencies.
 */
let anchors: string[] | undefined;

function jestAnchors(): string[] {
  if (anchors) return anchors;
  const found: string[] = [];
  const markers = [
    `${path.sep}jest-config${path.sep}build${path.sep}`,
    `${path.sep}@jest${path.sep}core${path.sep}build${path.sep}`,
  ];
  for (const file of Object.keys(require.cache)) {
    if (markers.some(m => file.includes(m))) found.push(file);
  }
  // Fallbacks: the project being tested, then this package itself.
  found.push(path.join(process.cwd(), 'package.json'), __filename);
  anchors = [...new Set(found)];
  return anchors;
}

const loaded = new Map<string, unknown>();

/** Resolves `request` the way the running Jest would. */
export function resolveFromJest(request: string): string {
  for (const anchor of jestAnchors()) {
    try {
      return createRequire(anchor).resolve(request);
    } catch {
      // not reachable from this anchor; try the next
    }
  }
  throw new Error(`jest-runner-cache: cannot find "${request}" next to the running Jest.`);
}

export function requireFromJest<T>(request: string): T {
  let mod = loaded.get(request);
  if (mod === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require(resolveFromJest(request));
    loaded.set(request, mod);
  }
  return mod as T;
}

/** A package's version as the running Jest resolves it ('unknown' if it cannot). */
export function jestPackageVersion(name: string): string {
  try {
    return requireFromJest<{version: string}>(`${name}/package.json`).version;
  } catch {
    return 'unknown';
  }
}
