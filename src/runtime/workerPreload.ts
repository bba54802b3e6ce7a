/**
 * Loaded with `node --require` (NODE_OPTIONS) into every process started while a
 * recording session is open. In a Jest worker it installs the recorder (runtimeHook);
 * in any other process (one a test spawns) it does nothing and loads nothing more.
 */
import {RECORDING_ENV, type RecordingSetup} from './recording';

const raw = process.env[RECORDING_ENV];
if (raw && /[/\\]jest-worker[/\\].*processChild/.test(process.argv[1] ?? '')) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const {hookRuntime} = require('./runtimeHook') as typeof import('./runtimeHook');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const {writeRecording} = require('./recordFlush') as typeof import('./recordFlush');
  hookRuntime(JSON.parse(raw) as RecordingSetup, writeRecording);
}
