import type {TestResult} from '@jest/test-result';
import * as fs from 'fs';

/** Source maps of a v8 coverage payload, by script path (as in `v8Coverage[].result.url`). */
export type SourceMaps = Record<string, unknown>;

/**
 * Takes the source maps out of a v8 coverage payload, for storing. Jest's reporter reads
 * each `sourceMapPath` at report time, and it points into Jest's transform cache, which
 * another machine, another checkout or `jest --clearCache` does not have: the entry holds
 * the maps' contents instead, and the path is cleared. Throws when a map cannot be read
 * (a replay could not give the reporter what this run's report reads).
 */
export function detachSourceMaps(result: TestResult): SourceMaps | undefined {
  let maps: SourceMaps | undefined;
  for (const {result: script, codeTransformResult: transform} of result.v8Coverage ?? []) {
    if (!transform?.sourceMapPath) continue;
    let map: unknown;
    try {
      map = JSON.parse(fs.readFileSync(transform.sourceMapPath, 'utf8'));
    } catch (error) {
      throw new Error(`the source map of ${script.url} cannot be read: ${(error as Error).message}`);
    }
    (maps ??= {})[script.url] = map;
    transform.sourceMapPath = null;
  }
  return maps;
}

/**
 * Points each script of a replayed v8 payload at a file holding its stored map, written
 * by `fileWith` (which returns the file's path).
 */
export function attachSourceMaps(
  result: TestResult,
  maps: SourceMaps,
  fileWith: (content: string) => string,
): void {
  for (const {result: script, codeTransformResult: transform} of result.v8Coverage ?? []) {
    const map = maps[script.url];
    if (transform && map !== undefined) transform.sourceMapPath = fileWith(JSON.stringify(map));
  }
}
