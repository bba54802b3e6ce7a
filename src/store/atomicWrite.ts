import * as fs from 'fs';
import * as path from 'path';

let counter = 0;

function tempBeside(file: string): string {
  return `${file}.${process.pid}.${++counter}.tmp`;
}

function isMissingFolder(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

/**
 * Writes a file so that readers in any process see the old content or the whole new
 * content, never a part: write a unique temp file beside it, then rename over it.
 */
export function writeFileAtomic(file: string, data: string): void {
  const temp = tempBeside(file);
  try {
    try {
      fs.writeFileSync(temp, data);
    } catch (error) {
      // The folder is created on first use only: a store run writes hundreds of entries.
      if (!isMissingFolder(error)) throw error;
      fs.mkdirSync(path.dirname(file), {recursive: true});
      fs.writeFileSync(temp, data);
    }
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, {force: true});
    throw error;
  }
}

/**
 * writeFileAtomic on Node's thread pool: the file is there when `done` is called (with
 * the error that stopped it, if any). Callbacks, not fs.promises: each promise of a write
 * costs Jest 30's async hooks in the test thread.
 */
export function writeFileAtomicLater(file: string, data: string, done: (error: Error | null) => void): void {
  const temp = tempBeside(file);
  const rename = (error: Error | null) => {
    if (error) return fs.rm(temp, {force: true}, () => done(error));
    fs.rename(temp, file, renamed => (renamed ? fs.rm(temp, {force: true}, () => done(renamed)) : done(null)));
  };
  fs.writeFile(temp, data, error => {
    if (!error || !isMissingFolder(error)) return rename(error);
    fs.mkdir(path.dirname(file), {recursive: true}, made => (made ? done(made) : fs.writeFile(temp, data, rename)));
  });
}
