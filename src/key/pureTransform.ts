import type {Config} from '@jest/types';

/**
 * Transformers whose output is a pure function of the file (and of config and env,
 * which every key covers). A type-checking transform is not: a type error in a file the
 * bundle never shows (types are erased) must still fail the test.
 */
const PURE_TRANSFORMERS = [
  /[/\\]babel-jest[/\\]/,
  /[/\\]@swc[/\\]jest[/\\]/,
  /[/\\]esbuild-jest[/\\]/,
  /[/\\]jest-esbuild[/\\]/,
  /[/\\]@sucrase[/\\]jest-plugin[/\\]/,
];

const TS_JEST = /[/\\]ts-jest[/\\]/;

/** Why one transform entry is not trusted for stage 2, or null. */
function transformBlocker([, transformer, options]: Config.ProjectConfig['transform'][number]): string | null {
  if (PURE_TRANSFORMERS.some(re => re.test(transformer))) return null;
  if (TS_JEST.test(transformer)) {
    return typeCheckingTsJest(options)
      ? 'content key skipped: ts-jest type-checks (set isolatedModules to allow it)'
      : null;
  }
  return `content key skipped: transform ${transformer.split(/node_modules[/\\]/).pop()} is not known to be a pure function of the file`;
}

/** Per project config: the reason for each file already looked at. */
const blockers = new WeakMap<Config.ProjectConfig, Map<string, string | null>>();

/**
 * Null when stage 2 may be trusted for a test whose closure is `files`, else why not:
 * each file is judged by the transform Jest gives it (the first `transform` pattern that
 * matches, none under `transformIgnorePatterns`), so a type-checking ts-jest for `.ts`
 * files does not keep stage 2 from a suite of plain `.js` files.
 */
export function contentKeyBlocker(config: Config.ProjectConfig, files: readonly string[]): string | null {
  let known = blockers.get(config);
  if (!known) blockers.set(config, (known = new Map()));
  for (const file of files) {
    let reason = known.get(file);
    if (reason === undefined) {
      const ignored = (config.transformIgnorePatterns ?? []).some(pattern => new RegExp(pattern).test(file));
      const entry = ignored ? undefined : config.transform.find(([pattern]) => new RegExp(pattern).test(file));
      reason = entry ? transformBlocker(entry) : null;
      known.set(file, reason);
    }
    if (reason) return reason;
  }
  return null;
}

function typeCheckingTsJest(options: unknown): boolean {
  const o = (options ?? {}) as {isolatedModules?: boolean; transpilation?: boolean};
  return o.isolatedModules !== true && o.transpilation !== true;
}

/** True when a transform type-checks: type-only inputs (.d.ts files) then shape results. */
export function typeChecks(config: Config.ProjectConfig): boolean {
  return config.transform.some(
    ([, transformer, options]) => TS_JEST.test(transformer) && typeCheckingTsJest(options),
  );
}
