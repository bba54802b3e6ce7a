/**
 * The end of a recording, at the teardown of the test file's module runtime (see
 * runtimeHook, which has noted the modules the test loaded): undoes the patches and
 * delivers the recording to the runner.
 */
// The real fs module, which holds the active recording (not a namespace copy).
import fs = require('fs');
import * as path from 'path';
import {createHash} from 'crypto';
import {ACTIVE, type ActiveRecording, type RecordedFile, type Recording} from './recording';

/** The file a test's recording is written to, in one project's recording folder. */
export function recordingFile(dir: string, testPath: string): string {
  return path.join(dir, `${createHash('sha1').update(testPath).digest('hex')}.json`);
}

/**
 * Where a test's recording goes (`file`, named by recordingFile): in a Jest worker, the
 * file itself, which the runner reads; in an in-band run, straight to the runner.
 */
export type RecordingSink = (file: string, recording: Recording) => void;

/** The sink of a Jest worker process: JSON, the files as a list of entries (JSON has no Map). */
export function writeRecording(file: string, recording: Recording): void {
  fs.mkdirSync(path.dirname(file), {recursive: true});
  fs.writeFileSync(file, JSON.stringify({...recording, files: [...recording.files]}));
}

/** A recording a Jest worker wrote (see writeRecording). */
export function readRecording(file: string): Recording {
  const written = JSON.parse(fs.readFileSync(file, 'utf8')) as Omit<Recording, 'files'> & {files: [string, RecordedFile][]};
  return {...written, files: new Map(written.files)};
}

export function flushRecording(active: ActiveRecording, file: string, sink: RecordingSink): void {
  const host = fs as unknown as Record<PropertyKey, unknown>;
  try {
    // A copy: a function the test kept may still note a path after its teardown.
    sink(file, structuredClone(active.recording));
  } finally {
    for (const undo of active.restore) undo();
    if (host[ACTIVE] === active) delete host[ACTIVE];
  }
}
