import type {StoredEntry} from './storedEntry';

/**
 * The parts of a coverage payload that are the same for every suite loading the same
 * version of a file, stored once in the local store (see LocalStore.putPart) and referred
 * to by the hash of their content, so an entry holds only what differs per suite:
 *
 * - babel: of each file's coverage, everything but the counts (`path`, `statementMap`,
 *   `fnMap`, `branchMap`, `inputSourceMap`, `hash`, ...); the entry keeps `s`, `f`, `b`
 *   (and `bT`).
 * - v8: of each script, its transformed and original code and its source map; the entry
 *   keeps the script's V8 counts.
 *
 * Only the local store splits entries: artifacts of a remote cache stay whole (see save).
 */
export interface PartRefs {
  /** babel: file (a key of `result.coverage`) -> part holding its static coverage. */
  coverage?: Record<string, string>;
  /** v8: for each item of `result.v8Coverage`, the part holding its code and map, or null. */
  v8?: (string | null)[];
}

/** Per-suite counts of an istanbul file coverage; the rest of it is the same for every suite. */
const COUNTS = ['s', 'f', 'b', 'bT'];

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

function isFileCoverage(value: unknown): value is Json {
  return isObject(value) && isObject(value.statementMap) && isObject(value.s) && isObject(value.f) && isObject(value.b);
}

/** A v8 script's part: what jest-runtime's transform gave the reporter, and the map. */
interface V8Part {
  code: unknown;
  originalCode: unknown;
  sourceMap?: unknown;
}

/**
 * The entry as the local store holds it: its static coverage parts each handed to `put`,
 * which stores it (once per content) and returns its reference. `entry` is left as it is
 * (it is also uploaded whole, and replayed). An entry without coverage is returned as is.
 */
export function splitParts(entry: StoredEntry, put: (part: unknown) => string): StoredEntry {
  const {coverage, v8Coverage} = entry.result;
  const refs: PartRefs = {};
  let result = entry.result;
  let sourceMaps = entry.sourceMaps;
  if (isObject(coverage)) {
    const counts: Json = {};
    for (const [file, data] of Object.entries(coverage as Json)) {
      if (!isFileCoverage(data)) {
        counts[file] = data;
        continue;
      }
      // The counts' keys stay in the part, as null, so a joined coverage has the original
      // key order.
      const part: Json = {};
      const own: Json = {};
      for (const [name, value] of Object.entries(data)) {
        const count = COUNTS.includes(name);
        part[name] = count ? null : value;
        if (count) own[name] = value;
      }
      (refs.coverage ??= {})[file] = put(part);
      counts[file] = own;
    }
    if (refs.coverage) result = {...result, coverage: counts as unknown as typeof coverage};
  }
  if (Array.isArray(v8Coverage) && v8Coverage.length > 0) {
    const moved = new Set<string>();
    const items = v8Coverage.map((item, i) => {
      const transform = item.codeTransformResult as unknown as Json | undefined;
      if (!isObject(transform) || typeof transform.code !== 'string') return item;
      const url = item.result.url;
      const part: V8Part = {code: transform.code, originalCode: transform.originalCode};
      if (sourceMaps && Object.prototype.hasOwnProperty.call(sourceMaps, url)) {
        part.sourceMap = sourceMaps[url];
        moved.add(url);
      }
      (refs.v8 ??= v8Coverage.map(() => null))[i] = put(part);
      return {...item, codeTransformResult: {...transform, code: null, originalCode: null}};
    });
    if (refs.v8) {
      result = {...result, v8Coverage: items as unknown as typeof v8Coverage};
      if (sourceMaps && moved.size > 0) {
        const left = Object.fromEntries(Object.entries(sourceMaps).filter(([url]) => !moved.has(url)));
        sourceMaps = Object.keys(left).length > 0 ? left : undefined;
      }
    }
  }
  if (!refs.coverage && !refs.v8) return entry;
  const split: StoredEntry = {...entry, result, parts: refs};
  if (sourceMaps) split.sourceMaps = sourceMaps;
  else delete split.sourceMaps;
  return split;
}

/**
 * The whole entry again, its parts read with `get` (a fresh copy each: Jest mutates the
 * payloads it is given). Undefined when a part is missing or not what the entry expects:
 * the lookup is a miss, the suite runs.
 */
export function joinParts(entry: StoredEntry, get: (ref: string) => unknown): StoredEntry | undefined {
  const refs = entry.parts;
  if (refs === undefined) return entry;
  if (!isObject(refs)) return undefined;
  const {result} = entry;
  if (refs.coverage !== undefined) {
    const coverage = result.coverage as unknown;
    if (!isObject(refs.coverage) || !isObject(coverage)) return undefined;
    for (const [file, ref] of Object.entries(refs.coverage)) {
      const part = typeof ref === 'string' ? get(ref) : undefined;
      const own = coverage[file];
      if (!isObject(part) || !isObject(own)) return undefined;
      coverage[file] = Object.assign(part, own);
      if (!isFileCoverage(coverage[file])) return undefined;
    }
  }
  if (refs.v8 !== undefined) {
    const items = result.v8Coverage;
    if (!Array.isArray(refs.v8) || !Array.isArray(items) || refs.v8.length !== items.length) return undefined;
    for (const [i, ref] of refs.v8.entries()) {
      if (ref === null) continue;
      const part = typeof ref === 'string' ? (get(ref) as V8Part | undefined) : undefined;
      const transform = items[i].codeTransformResult as unknown as Json | undefined;
      if (!isObject(part) || typeof part.code !== 'string' || !isObject(transform)) return undefined;
      transform.code = part.code;
      transform.originalCode = part.originalCode;
      if (part.sourceMap !== undefined) (entry.sourceMaps ??= {})[items[i].result.url] = part.sourceMap;
    }
  }
  delete entry.parts;
  return entry;
}
