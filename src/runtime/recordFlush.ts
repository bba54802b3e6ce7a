/**
 * The end of a recording: a project's generated end file (see RecordingSession) calls
 * `endRecording` with its sandbox `require`. When the test file is done, the flush adds the modules the test loaded (Jest's
 * require.cache lists its module registry: this catches computed requires and patched
 * packages), writes the recording where the runner reads it, and undoes the patches.
 */
// The real fs module, which holds the active recording (not a namespace copy).
import fs = require('fs');
import * as path from 'path';
import {createHash} from 'crypto';
import {ACTIVE, RECORDING_ENV, type ActiveRecording, type RecordingSetup} from './recording';

declare const afterAll: (fn: () => void) => void;
declare const expect: {getState(): {testPath?: string}};

/** The file a test's recording is written to, in one project's recording folder. */
export function recordingFile(dir: string, testPath: string): string {
  return path.join(dir, `${createHash('sha1').update(testPath).digest('hex')}.json`);
}

export function flushInto(dir: string, sandboxRequire: NodeJS.Require): void {
  const flush = () => {
    const host = fs as unknown as Record<PropertyKey, unknown>;
    const active = host[ACTIVE] as ActiveRecording | undefined;
    if (!active) return;
    try {
      for (const file of Object.keys(sandboxRequire.cache)) active.note(file, 'module');
      const testPath = expect.getState().testPath ?? '';
      active.recording.testPath = testPath;
      fs.writeFileSync(recordingFile(dir, testPath), JSON.stringify(active.recording));
    } finally {
      for (const undo of active.restore) undo();
      delete host[ACTIVE];
    }
  };
  // jest-circus (Jest 30) shares its event handlers: `run_finish` comes after every hook,
  // and also when -t skips all tests (then no afterAll hook runs). Jest 29: afterAll.
  const handlers = (globalThis as Record<PropertyKey, unknown>)[Symbol.for('EVENT_HANDLERS')];
  if (Array.isArray(handlers)) {
    handlers.push((event: {name: string}) => {
      if (event.name === 'run_finish') flush();
    });
  } else {
    afterAll(flush);
  }
}

/** Called by a project's generated end file: flush into that project's folder of this run. */
export function endRecording(tag: string, sandboxRequire: NodeJS.Require): void {
  const raw = process.env[RECORDING_ENV];
  if (raw) flushInto(path.join((JSON.parse(raw) as RecordingSetup).dir, tag), sandboxRequire);
}
