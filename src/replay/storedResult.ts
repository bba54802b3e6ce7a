/** Stands for the project's rootDir inside stored results; restored on replay. */
const ROOT_TOKEN = '<jest-runner-cache:rootDir>';

/** A string as it appears inside JSON text (quotes and backslashes escaped). */
const inJson = (s: string) => JSON.stringify(s).slice(1, -1);

/**
 * The text of an entry holding a result is written with every occurrence of rootDir (test
 * path, console origins, stack lines) replaced by a token, so a checkout in another
 * folder replays it with its own paths: one replace on the text, in each direction.
 */
export function tokenizeRootDir(rootDir: string): (json: string) => string {
  const path = inJson(rootDir);
  return json => json.split(path).join(ROOT_TOKEN);
}

/** The reverse of tokenizeRootDir; most passes printed nothing, and their text has no token. */
export function restoreRootDir(rootDir: string): (json: string) => string {
  const path = inJson(rootDir);
  return json => (json.includes(ROOT_TOKEN) ? json.split(ROOT_TOKEN).join(path) : json);
}
