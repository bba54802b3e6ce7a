import type * as BabelParser from '@babel/parser';
import {sha256} from './fileHasher';

/** A 1-based line and 0-based column, as Babel's locations and source maps (after +1) give them. */
export type Position = readonly [line: number, column: number];

/** An outermost function or class: where its text starts and ends, and a hash of that text. */
export interface FunctionText {
  start: Position;
  end: Position;
  hash: string;
}

/**
 * What running JavaScript can observe of its own source beyond what it computes, and a
 * bundle or a transform's output does not show (DESIGN.md section 2, stage 2):
 * - `Function.prototype.toString` returns a function's or class's text as written,
 *   comments and whitespace inside it included;
 * - the order of a file's imports is the order of their side effects, even where a
 *   transform drops the statement of an import whose bindings go unused.
 * Only outermost functions and classes are listed: an inner one's text is inside them.
 * `parsed: false` when the file could not be parsed, and `decorated` when it has
 * decorators (with `emitDecoratorMetadata`, swc and ts-jest turn type annotations of
 * decorated members into run-time values, which esbuild's output does not show): then
 * its whole text counts.
 */
export interface ObservableSource {
  parsed: boolean;
  decorated: boolean;
  functions: FunctionText[];
  imports: string[];
}

const SCRIPT = /\.([cm]?)([jt]s)(x?)$/;
const FUNCTION_TYPES = new Set([
  'FunctionDeclaration',
  'FunctionExpression',
  'ArrowFunctionExpression',
  'ClassDeclaration',
  'ClassExpression',
  'ObjectMethod',
]);

type Node = {type: string; start: number; end: number; loc: {start: Loc; end: Loc}} & Record<string, unknown>;
type Loc = {line: number; column: number};

/** True when a value read back from disk has ObservableSource's shape. */
export function isObservableSource(value: unknown): value is ObservableSource {
  const v = value as ObservableSource;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.parsed === 'boolean' &&
    typeof v.decorated === 'boolean' &&
    Array.isArray(v.imports) &&
    v.imports.every(specifier => typeof specifier === 'string') &&
    Array.isArray(v.functions) &&
    v.functions.every(fn => isPosition(fn?.start) && isPosition(fn?.end) && typeof fn.hash === 'string')
  );
}

function isPosition(value: unknown): value is Position {
  return Array.isArray(value) && value.length === 2 && value.every(n => typeof n === 'number');
}

export function isScript(file: string): boolean {
  return SCRIPT.test(file);
}

/** Parses a script with Babel (TypeScript, JSX, Flow as its extension suggests). */
export function observableSource(file: string, source: string): ObservableSource {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const parser = require('@babel/parser') as typeof BabelParser;
  const [, , lang, x] = SCRIPT.exec(file) ?? [];
  const attempts: BabelParser.ParserPlugin[][] =
    lang === 'ts'
      ? [x ? ['typescript', 'jsx', 'decorators-legacy'] : ['typescript', 'decorators-legacy']]
      : [['jsx', 'flow', 'decorators-legacy'], ['jsx', 'decorators-legacy'], []];
  for (const plugins of attempts) {
    let program: Node;
    try {
      program = parser.parse(source, {
        sourceType: 'unambiguous',
        plugins,
        allowReturnOutsideFunction: true,
        allowAwaitOutsideFunction: true,
        allowImportExportEverywhere: true,
        allowUndeclaredExports: true,
      }).program as unknown as Node;
    } catch {
      continue;
    }
    const found: ObservableSource = {parsed: true, decorated: false, functions: [], imports: []};
    collect(program, source, found);
    return found;
  }
  return {parsed: false, decorated: false, functions: [], imports: []};
}

function collect(node: Node, source: string, found: ObservableSource): void {
  if (Array.isArray(node.decorators) && node.decorators.length > 0) found.decorated = true;
  if (FUNCTION_TYPES.has(node.type)) {
    found.functions.push({
      start: [node.loc.start.line, node.loc.start.column],
      end: [node.loc.end.line, node.loc.end.column],
      hash: sha256(source.slice(node.start, node.end)),
    });
  }
  const specifier = importSpecifier(node);
  if (specifier !== undefined) found.imports.push(specifier);
  // Imports inside functions are in the function's text already; keep walking for order.
  if (FUNCTION_TYPES.has(node.type)) return;
  for (const key of Object.keys(node)) {
    if (key === 'loc' || key === 'leadingComments' || key === 'trailingComments' || key === 'innerComments') continue;
    const value = node[key];
    if (Array.isArray(value)) {
      for (const child of value) if (isNode(child)) collect(child, source, found);
    } else if (isNode(value)) {
      collect(value, source, found);
    }
  }
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && typeof (value as Node).type === 'string';
}

/** The literal module specifier of an import/export-from declaration or a require/import() call. */
function importSpecifier(node: Node): string | undefined {
  const literal = (value: unknown) =>
    isNode(value) && value.type === 'StringLiteral' ? String(value.value) : undefined;
  switch (node.type) {
    case 'ImportDeclaration':
    case 'ExportAllDeclaration':
    case 'ExportNamedDeclaration':
      return literal(node.source);
    case 'CallExpression': {
      const callee = node.callee as Node;
      const named = callee.type === 'Import' || (callee.type === 'Identifier' && callee.name === 'require');
      return named ? literal((node.arguments as unknown[])[0]) : undefined;
    }
    case 'ImportExpression':
      return literal(node.source);
    default:
      return undefined;
  }
}

/** A position as one number, line-major: sorted positions are a Float64Array (lines stay below 2^21). */
export function positionNumber(line: number, column: number): number {
  return line * 2 ** 32 + column;
}

/**
 * The hashes of the functions whose text holds one of `positions` (positionNumber,
 * sorted): code that survives in a bundle lies in them, so the test can reach their
 * `toString()`.
 */
export function reachedFunctions(functions: FunctionText[], positions: Float64Array): string[] {
  const reached: string[] = [];
  for (const fn of functions) {
    const start = positionNumber(fn.start[0], fn.start[1]);
    // First position not before the function's start.
    let lo = 0;
    let hi = positions.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (positions[mid]! < start) lo = mid + 1;
      else hi = mid;
    }
    if (lo < positions.length && positions[lo]! < positionNumber(fn.end[0], fn.end[1])) reached.push(fn.hash);
  }
  return reached;
}
