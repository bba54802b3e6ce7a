/**
 * The thread of a BackgroundWriter: writes each file it is sent, in the order sent, and
 * answers a settle with the writes that failed since the last one.
 */
import {parentPort} from 'worker_threads';
import {writeEntry, type WriteFailure, type WriterMessage} from './backgroundWriter';

let failures: WriteFailure[] = [];

parentPort!.on('message', (message: WriterMessage) => {
  if (message.kind === 'settle') {
    parentPort!.postMessage({id: message.id, failures});
    failures = [];
    return;
  }
  try {
    writeEntry(message.file, message.body);
  } catch (error) {
    failures.push({file: message.file, message: (error as Error).message});
  }
});
