/**
 * The end of a recording, at the teardown of the test file's module runtime (see
 * runtimeHook, which has noted the modules the test loaded): writes the recording where
 * the runner reads it, and undoes the patches.
 */
// The real fs module, which holds the active recording (not a namespace copy).
import fs = require('fs');
import * as path from 'path';
import {createHash} from 'crypto';
import {ACTIVE, type ActiveRecording} from './recording';

/** The file a test's recording is written to, in one project's recording folder. */
export function recordingFile(dir: string, testPath: string): string {
  return path.join(dir, `${createHash('sha1').update(testPath).digest('hex')}.json`);
}

export function flushRecording(active: ActiveRecording, file: string): void {
  const host = fs as unknown as Record<PropertyKey, unknown>;
  try {
    fs.mkdirSync(path.dirname(file), {recursive: true});
    fs.writeFileSync(file, JSON.stringify(active.recording));
  } finally {
    for (const undo of active.restore) undo();
    if (host[ACTIVE] === active) delete host[ACTIVE];
  }
}
