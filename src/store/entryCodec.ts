import {sha256} from '../key/fileHasher';

const MAGIC = 'JRC1';

/**
 * A file of the store is `JRC1 <sha256 of body>\n<body>`: a truncated, garbled or foreign
 * file fails the check and is treated as absent.
 */
export function seal(body: string): string {
  return `${headerOf(body)}${body}`;
}

/** seal, for a body held as bytes. */
export function sealBytes(body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(headerOf(body)), body]);
}

/** The line a sealed file starts with (its hash is of the body's UTF-8 bytes either way). */
function headerOf(body: string | Buffer): string {
  return `${MAGIC} ${sha256(body)}\n`;
}

/**
 * The body of a sealed file, or undefined when the data is not a whole, intact one. It
 * takes the bytes as read: hashing them costs less than hashing the decoded text.
 */
export function unseal(data: Buffer): string | undefined {
  return unsealBytes(data)?.toString('utf8');
}

/** unseal, leaving the body undecoded: a reader of a large file decodes only what it uses. */
export function unsealBytes(data: Buffer): Buffer | undefined {
  const newline = data.indexOf(10);
  if (newline < 0) return undefined;
  const [magic, hash] = data.toString('latin1', 0, newline).split(' ');
  const body = data.subarray(newline + 1);
  return magic === MAGIC && hash === sha256(body) ? body : undefined;
}

/** An entry's body: its value as JSON text, `transform` applied (see TextTransform). */
export function entryBody(value: unknown, transform?: TextTransform): string {
  const json = JSON.stringify(value);
  return transform ? transform(json) : json;
}

/** The value of an entry's body (the reverse of entryBody), or undefined when it is not JSON. */
export function parseBody(body: string, transform?: TextTransform): unknown {
  try {
    return JSON.parse(transform ? transform(body) : body);
  } catch {
    return undefined;
  }
}

export function encodeEntry(value: unknown, transform?: TextTransform): string {
  return seal(entryBody(value, transform));
}

export function decodeEntry(data: Buffer, transform?: TextTransform): unknown {
  const body = unseal(data);
  return body === undefined ? undefined : parseBody(body, transform);
}

/** A rewrite of an entry's JSON text, e.g. a machine-local path to a token and back. */
export type TextTransform = (json: string) => string;
