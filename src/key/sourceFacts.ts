/** What a source file's text tells about how it loads other modules. */
export interface SourceFacts {
  /** It loads a module by a computed specifier (`require(dir + name)`): imports unknown. */
  computedImport: boolean;
  /**
   * Specifiers of `import type` / `export type ... from` statements. Jest's dependency
   * extractor skips them, but a type-checking transform (ts-jest) fails on their errors.
   */
  typeImports: string[];
}

const SCRIPT = /\.[cm]?[jt]sx?$/;
const TYPESCRIPT = /\.[cm]?tsx?$/;
// A require/import()/requireActual call whose argument is not one plain string literal.
const COMPUTED_IMPORT =
  /\b(?:require|import|requireActual|requireMock)\s*\(\s*(?!(?:'[^'\n]*'|"[^"\n]*"|`[^`$]*`)\s*[,)])/;
const TYPE_IMPORT = /(?:^|[^.\w$])(?:import|export)\s+type\s+(?:[^'";]*?\s+from\s+)?['"]([^'"\n]+)['"]/g;

export const NO_FACTS: SourceFacts = {computedImport: false, typeImports: []};

export function scanSource(file: string, source: string): SourceFacts {
  if (!SCRIPT.test(file)) return NO_FACTS;
  return {
    computedImport: COMPUTED_IMPORT.test(source),
    typeImports: TYPESCRIPT.test(file) ? [...source.matchAll(TYPE_IMPORT)].map(m => m[1]) : [],
  };
}
