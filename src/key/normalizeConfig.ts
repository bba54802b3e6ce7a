import type {Config} from '@jest/types';
import * as path from 'path';

/**
 * Config fields that do not change what a test does: identities that embed the
 * checkout path or the run, where the cache lives, and this runner's own options. And
 * `verbose` and `silent`: they enter the key as the console mode (see projectInputs).
 */
const IGNORED_FIELDS = new Set(['id', 'name', 'cacheDirectory', 'runner', 'runnerOptions', 'verbose', 'silent']);

/** Config fields that hold regular expressions or globs matched against paths. */
const PATTERN_FIELDS = new Set([
  'testPathIgnorePatterns', 'transformIgnorePatterns', 'coveragePathIgnorePatterns',
  'modulePathIgnorePatterns', 'watchPathIgnorePatterns', 'unmockedModulePathPatterns',
  'testRegex', 'testMatch', 'forceCoverageMatch',
]);

/**
 * The project config as checkout-independent JSON: every absolute path becomes a path
 * relative to rootDir (also inside regex strings such as testPathIgnorePatterns), so two
 * checkouts of one project in different folders produce the same key.
 */
export function normalizeConfig(config: Config.ProjectConfig): string {
  const rootDir = config.rootDir;
  const relativize = (value: string): string => {
    if (path.isAbsolute(value)) return path.relative(rootDir, value) || '.';
    return value.split(rootDir).join('<rootDir>');
  };
  return JSON.stringify(config, function (this: unknown, key, value: unknown) {
    if (this === config && IGNORED_FIELDS.has(key)) return undefined;
    // A pattern such as the default '/node_modules/' is no path: relative to rootDir it
    // would depend on how deep the checkout lies.
    if (this === config && PATTERN_FIELDS.has(key) && Array.isArray(value)) {
      return value.map(pattern => `pattern:${String(pattern).split(rootDir).join('<rootDir>')}`);
    }
    if (typeof value === 'string') return relativize(value);
    if (value instanceof RegExp) return relativize(String(value));
    return value;
  });
}
