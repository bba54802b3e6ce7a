/**
 * Given to jest-haste-map's worker as a `dependencyExtractor` by importExtractor.ts: the
 * worker calls it with the haste map's own default extract function as third argument,
 * and returns what it returns as the file's dependencies, so that function comes back.
 */
export function extract(_code: string, _file: string, defaultExtract: unknown): unknown[] {
  return [defaultExtract];
}
