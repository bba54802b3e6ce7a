import {requireFromJest} from '../jestModules';

/** What a source file's text tells about how it loads other modules, and its docblock. */
export interface SourceFacts {
  /** It loads a module by a computed specifier (`require(dir + name)`): imports unknown. */
  computedImport: boolean;
  /**
   * Specifiers of `import type` / `export type ... from` statements. Jest's dependency
   * extractor skips them, but a type-checking transform (ts-jest) fails on their errors.
   */
  typeImports: string[];
  /** The docblock pragmas the runner acts on (`@jest-environment`, `@jest-runner-cache`). */
  pragmas: Pragmas;
}

export interface Pragmas {
  'jest-environment'?: string;
  'jest-runner-cache'?: string;
}

interface Docblock {
  extract(contents: string): string;
  parse(docblock: string): Record<string, string | string[]>;
}

const SCRIPT = /\.[cm]?[jt]sx?$/;
const TYPESCRIPT = /\.[cm]?tsx?$/;
// A require/import()/requireActual call whose argument is not one plain string literal.
const COMPUTED_IMPORT =
  /\b(?:require|import|requireActual|requireMock)\s*\(\s*(?!(?:'[^'\n]*'|"[^"\n]*"|`[^`$]*`)\s*[,)])/;
const TYPE_IMPORT = /(?:^|[^.\w$])(?:import|export)\s+type\s+(?:[^'";]*?\s+from\s+)?['"]([^'"\n]+)['"]/g;

export const NO_FACTS: SourceFacts = {computedImport: false, typeImports: [], pragmas: {}};

/** Facts persisted by an older version lack fields: those files are scanned again. */
export function isSourceFacts(value: unknown): value is SourceFacts {
  const v = value as SourceFacts | undefined;
  return typeof v === 'object' && v !== null && Array.isArray(v.typeImports) && typeof v.pragmas === 'object';
}

export function scanSource(file: string, source: string): SourceFacts {
  if (!SCRIPT.test(file)) return NO_FACTS;
  return {
    computedImport: COMPUTED_IMPORT.test(source),
    typeImports: TYPESCRIPT.test(file) ? [...source.matchAll(TYPE_IMPORT)].map(m => m[1]) : [],
    pragmas: pragmasOf(source),
  };
}

/** Jest reads a docblock only at the very start of a file (jest-docblock's extract). */
function pragmasOf(source: string): Pragmas {
  if (!/^\s*\/\*/.test(source)) return {};
  const docblock = requireFromJest<Docblock>('jest-docblock');
  const all = docblock.parse(docblock.extract(source));
  const pragmas: Pragmas = {};
  for (const name of ['jest-environment', 'jest-runner-cache'] as const) {
    const value = all[name];
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) pragmas[name] = first;
  }
  return pragmas;
}
