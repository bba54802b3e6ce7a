import type {TestResult} from '@jest/test-result';

/** Stands for the project's rootDir inside stored results; restored on replay. */
const ROOT_TOKEN = '\u0000rootDir\u0000';

function mapStrings(value: unknown, map: (s: string) => string): unknown {
  if (typeof value === 'string') return map(value);
  if (Array.isArray(value)) return value.map(v => mapStrings(v, map));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = mapStrings(v, map);
    return out;
  }
  return value;
}

/**
 * A result as stored: JSON-safe, with every occurrence of rootDir (test path, console
 * origins, stack lines) replaced by a token, so a checkout in another folder replays it
 * with its own paths.
 */
export function toStoredResult(result: TestResult, rootDir: string): unknown {
  const plain = JSON.parse(JSON.stringify(result)) as unknown;
  return mapStrings(plain, s => s.split(rootDir).join(ROOT_TOKEN));
}

/** A fresh, path-restored copy for one replay (Jest mutates results it is given). */
export function fromStoredResult(stored: unknown, rootDir: string): TestResult {
  return mapStrings(stored, s => (s.includes(ROOT_TOKEN) ? s.split(ROOT_TOKEN).join(rootDir) : s)) as TestResult;
}
