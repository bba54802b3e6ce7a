import * as fs from 'fs';
import * as path from 'path';

let counter = 0;

/**
 * Writes a file so that readers in any process see the old content or the whole new
 * content, never a part: write a unique temp file beside it, then rename over it.
 */
export function writeFileAtomic(file: string, data: string | Buffer): void {
  const temp = `${file}.${process.pid}.${++counter}.tmp`;
  try {
    try {
      fs.writeFileSync(temp, data);
    } catch (error) {
      // The folder is created on first use only: a store run writes hundreds of entries.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      fs.mkdirSync(path.dirname(file), {recursive: true});
      fs.writeFileSync(temp, data);
    }
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, {force: true});
    throw error;
  }
}
