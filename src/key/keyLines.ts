import * as path from 'path';

/** A path relative to rootDir with forward slashes, as keys and reports hold it. */
export function relativePath(rootDir: string, file: string): string {
  // Most files are under rootDir: a slice is much cheaper than path.relative.
  const inside =
    file.startsWith(rootDir) && file[rootDir.length] === path.sep ? file.slice(rootDir.length + 1) : undefined;
  const relative = inside ?? path.relative(rootDir, file);
  return path.sep === '/' ? relative : relative.split(path.sep).join('/');
}

/** One key line for a file: relative path and content hash ("-" when missing). */
export function fileKeyLine(relative: string, hash: string | null): string {
  return `${relative}=${hash ?? '-'}`;
}
