import type {TestResult} from '@jest/test-result';

/** Stands for the project's rootDir inside stored results; restored on replay. */
const ROOT_TOKEN = '<jest-runner-cache:rootDir>';

/** A string as it appears inside JSON text (quotes and backslashes escaped). */
const inJson = (s: string) => JSON.stringify(s).slice(1, -1);

/**
 * A result as stored: its JSON text, with every occurrence of rootDir (test path, console
 * origins, stack lines) replaced by a token, so a checkout in another folder replays it
 * with its own paths. Kept as text so a replay is one string replace and one parse.
 */
export function toStoredResult(result: TestResult, rootDir: string): string {
  return JSON.stringify(result).split(inJson(rootDir)).join(ROOT_TOKEN);
}

/** A fresh, path-restored copy for one replay (Jest mutates results it is given). */
export function fromStoredResult(stored: string, rootDir: string): TestResult {
  return JSON.parse(stored.split(ROOT_TOKEN).join(inJson(rootDir))) as TestResult;
}
