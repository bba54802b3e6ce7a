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

/** Null when stage 2 may be trusted for this project, else why not. */
export function contentKeyBlocker(config: Config.ProjectConfig): string | null {
  for (const [, transformer, options] of config.transform) {
    if (PURE_TRANSFORMERS.some(re => re.test(transformer))) continue;
    if (TS_JEST.test(transformer)) {
      if (!typeCheckingTsJest(options)) continue;
      return 'content key skipped: ts-jest type-checks (set isolatedModules to allow it)';
    }
    return `content key skipped: transform ${transformer.split(/node_modules[/\\]/).pop()} is not known to be a pure function of the file`;
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
