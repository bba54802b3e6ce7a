import {sha256} from '../key/fileHasher';

const MAGIC = 'JRC1';

/**
 * An entry on disk is `JRC1 <sha256 of body>\n<body>`: a truncated, garbled or foreign
 * file fails the check and is treated as absent.
 */
export function encodeEntry(value: unknown, transform?: TextTransform): string {
  const json = JSON.stringify(value);
  const body = transform ? transform(json) : json;
  return `${MAGIC} ${sha256(body)}\n${body}`;
}

/**
 * The decoded value, or undefined when the data is not a whole, intact entry. `transform`
 * rewrites the checked body before it is parsed (the reverse of encodeEntry's).
 */
export function decodeEntry(data: string, transform?: TextTransform): unknown {
  const newline = data.indexOf('\n');
  if (newline < 0) return undefined;
  const [magic, hash] = data.slice(0, newline).split(' ');
  const body = data.slice(newline + 1);
  if (magic !== MAGIC || hash !== sha256(body)) return undefined;
  try {
    return JSON.parse(transform ? transform(body) : body);
  } catch {
    return undefined;
  }
}

/** A rewrite of an entry's JSON text, e.g. a machine-local path to a token and back. */
export type TextTransform = (json: string) => string;
