import type * as fs from 'fs';

/** The stat fields that tell whether a file may have changed since it was last seen. */
export type FileSignature = string;

export function signatureOf(stat: fs.Stats): FileSignature {
  return `${stat.mtimeMs}:${stat.size}:${stat.ino}`;
}
