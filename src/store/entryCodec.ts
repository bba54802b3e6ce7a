import {sha256} from '../key/fileHasher';

const MAGIC = 'JRC1';

/**
 * An entry on disk is `JRC1 <sha256 of body>\n<body>`: a truncated, garbled or foreign
 * file fails the check and is treated as absent.
 */
export function encodeEntry(value: unknown): string {
  const body = JSON.stringify(value);
  return `${MAGIC} ${sha256(body)}\n${body}`;
}

/** The decoded value, or undefined when the data is not a whole, intact entry. */
export function decodeEntry(data: string): unknown {
  const newline = data.indexOf('\n');
  if (newline < 0) return undefined;
  const [magic, hash] = data.slice(0, newline).split(' ');
  const body = data.slice(newline + 1);
  if (magic !== MAGIC || hash !== sha256(body)) return undefined;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}
