import {decode} from '@jridgewell/sourcemap-codec';
import type * as Esbuild from 'esbuild';
import * as fs from 'fs';
import * as path from 'path';
import type {ActionKey} from './actionKey';
import {sha256} from './fileHasher';
import type {KeyTable} from './keyTable';
import {isInNodeModules} from './packages';
import {isScript, observableSource, positionNumber, reachedFunctions, type ObservableSource} from './observableSource';

export type ContentKey = {key: string} | {reason: string};

/**
 * What stage 2 needs of a project: its root, Jest's resolver for it, and the run's content
 * hashes (those the action keys were made from, so a key line names what stage 1 saw).
 */
export interface BundleKeys {
  readonly rootDir: string;
  readonly resolver: {
    isCoreModule(specifier: string): boolean;
    resolveModule(from: string, specifier: string): string;
  };
  readonly hasher: {hash(file: string): string | null};
  relative(file: string): string;
  fileLine(file: string): string;
  /** Each file's compiled key line (see compiledLine), kept across runs by content hash. */
  readonly compiled: CompiledLines;
  /** What parsing a file found (see ObservableSource), kept across runs by content hash. */
  readonly observed: ObservedSources;
}

/** Parsed sources kept across runs: path -> [content hash, ObservableSource]. */
export type ObservedSources = KeyTable<[string, ObservableSource]>;

/** One test file to key, with what its action key found (see ActionKey). */
export interface KeyRequest extends Pick<ActionKey, 'closure' | 'outsideGraph' | 'packages'> {
  path: string;
}

/** Extensions esbuild loads itself; anything else is hashed as text. */
const ESBUILD_LOADS = /\.(?:[cm]?[jt]sx?|json)$/;

/**
 * esbuild's namespace for the other files, by path relative to rootDir (a bundle's key
 * names no machine's folders): only those are loaded by a call into this process.
 */
const TEXT = 'jest-runner-cache-text';

/** Where esbuild pretends to write (write: false): never created. */
const OUT_DIR = '.jest-runner-cache-bundle';

interface Unresolved {
  importer: string;
  specifier: string;
}

/**
 * Stage 2 of the key (Go's content ID): esbuild bundles the stage-1 misses of a project,
 * up to BUNDLE_CHUNK entries a call, tree-shaken with annotations ignored, resolving through Jest's resolver.
 * Each test's key hashes its bundle; the original line and column of every surviving
 * mapping (stack frames show both); the text of every function and class the surviving
 * code lies in and the import order of every bundled file (see ObservableSource);
 * everything stage 1 covers outside the import graph; and each closure file the bundle
 * did not read by what it can change at run time (see compiledLine).
 * Each chunk's keys, by test path, go to `onChunk` as soon as they are made.
 */
export async function contentKeys(
  keys: BundleKeys,
  requests: KeyRequest[],
  onChunk: (keys: [string, ContentKey][]) => void,
): Promise<void> {
  const results = new Map<string, ContentKey>();
  const chunks: KeyRequest[][] = [];
  // The first chunks are small: an in-band run starts their suites while the rest are bundled.
  for (let i = 0, size = 1; i < requests.length; i += size, size = Math.min(2 * size, BUNDLE_CHUNK)) {
    chunks.push(requests.slice(i, i + size));
  }
  // esbuild bundles the next chunks (in its own process, on every core) while this one's
  // keys are made; BUNDLES_AHEAD calls at a time keep it busy between resolve callbacks.
  const bundling = chunks.slice(0, BUNDLES_AHEAD).map(chunk => bundleChunk(keys, chunk, results));
  for (let i = 0; i < chunks.length; i++) {
    const bundled = await bundling[i]!;
    const ahead = chunks[i + BUNDLES_AHEAD];
    if (ahead) bundling.push(bundleChunk(keys, ahead, results));
    await keyChunk(keys, chunks[i]!, bundled, results);
    onChunk(chunks[i]!.flatMap(({path}) => {
      const key = results.get(path);
      return key ? [[path, key] as [string, ContentKey]] : [];
    }));
  }
}

/**
 * Entry points per esbuild call. A call's output (every entry's code and map) stays in
 * memory until its keys are made (BUNDLES_AHEAD calls' outputs at most): a run of a
 * thousand missed suites bundled at once would hold hundreds of megabytes while the
 * suites run beside it.
 */
const BUNDLE_CHUNK = 10;

/** esbuild calls under way at once (see contentKeys). */
const BUNDLES_AHEAD = 2;

interface Bundled {
  bundles: Map<string, () => Bundle>;
  unresolved: Unresolved[];
}

/** One bundling call for a chunk; an entry that cannot be bundled gets its reason in `results`. */
async function bundleChunk(
  keys: BundleKeys,
  requests: KeyRequest[],
  results: Map<string, ContentKey>,
): Promise<Bundled> {
  const unresolved: Unresolved[] = [];
  try {
    return {bundles: await bundle(keys, requests.map(r => r.path), unresolved), unresolved};
  } catch {
    // One file esbuild rejects fails the whole call: bundle each alone to find it.
    const bundles = new Map<string, () => Bundle>();
    await Promise.all(
      requests.map(async ({path: entry}) => {
        try {
          for (const [output, b] of await bundle(keys, [entry], unresolved)) bundles.set(output, b);
        } catch (error) {
          const first = (error as Esbuild.BuildFailure).errors?.[0];
          const where = first?.location ? `${first.location.file}:${first.location.line}: ` : '';
          results.set(entry, {reason: `cannot bundle: ${where}${first?.text ?? String(error)}`});
        }
      }),
    );
    return {bundles, unresolved};
  }
}

/** The content keys of one bundled chunk. */
async function keyChunk(
  keys: BundleKeys,
  requests: KeyRequest[],
  {bundles, unresolved}: Bundled,
  results: Map<string, ContentKey>,
): Promise<void> {
  for (const request of requests) {
    const entry = request.path;
    if (results.has(entry)) continue;
    const b = bundles.get(entry)?.();
    if (!b) {
      results.set(entry, {reason: 'cannot bundle: esbuild gave no output'});
      continue;
    }
    const missing = unresolved.find(u => b.inputs.has(u.importer));
    if (missing) {
      results.set(entry, {
        reason: `cannot bundle: "${missing.specifier}" from ${keys.relative(missing.importer)} does not resolve`,
      });
      continue;
    }
    const notBundled = await allOf(
      request.closure.filter(file => !b.inputs.has(file)).map(file => compiledLine(keys, file)),
    );
    results.set(entry, {
      key: sha256(
        JSON.stringify([
          'content',
          request.outsideGraph,
          request.packages,
          notBundled.sort(),
          sha256(b.code),
          b.sources,
          b.lines,
          observedInBundle(keys, b),
        ]),
      ),
    });
  }
}

interface Bundle {
  code: string;
  /** The map's sources (relative to the output folder) and lineDigest of its mappings. */
  sources: string[];
  lines: string;
  /** Per bundled source file: the original positions of its surviving code (positionNumber), sorted. */
  positions: Map<string, Float64Array>;
  /** Absolute paths of the files esbuild read for this bundle. */
  inputs: Set<string>;
}

async function bundle(
  keys: BundleKeys,
  entryPoints: string[],
  unresolved: Unresolved[],
): Promise<Map<string, () => Bundle>> {
  const rootDir = keys.rootDir;
  const resolver = keys.resolver;
  // Loaded on first use: a run that replays everything never bundles.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof Esbuild;
  const result = await esbuild.build({
    entryPoints,
    absWorkingDir: rootDir,
    outdir: path.join(rootDir, OUT_DIR),
    outbase: rootDir,
    bundle: true,
    write: false,
    metafile: true,
    sourcemap: 'external',
    // The key reads only the maps' mappings: copying every source into them costs time.
    sourcesContent: false,
    format: 'esm',
    platform: 'node',
    target: 'esnext',
    treeShaking: true,
    // `/* @__PURE__ */` and `sideEffects: false` must not hide code that runs.
    ignoreAnnotations: true,
    minify: false,
    legalComments: 'none',
    logLevel: 'silent',
    plugins: [
      {
        name: 'jest-resolver',
        setup(build) {
          build.onResolve({filter: /.*/}, args => {
            if (args.kind === 'entry-point') return {path: args.path};
            if (resolver.isCoreModule(args.path)) return {path: args.path, external: true};
            let resolved: string;
            try {
              resolved = resolver.resolveModule(args.importer, args.path);
            } catch {
              unresolved.push({importer: args.importer, specifier: args.path});
              return {path: args.path, external: true};
            }
            // Packages are keyed by version and integrity, not bundled.
            if (isInNodeModules(resolved)) return {path: args.path, external: true};
            if (ESBUILD_LOADS.test(resolved)) return {path: resolved};
            return {path: path.relative(rootDir, resolved), namespace: TEXT};
          });
          build.onLoad({filter: /.*/, namespace: TEXT}, args => ({
            contents: fs.readFileSync(path.resolve(rootDir, args.path)),
            loader: 'text',
          }));
        },
      },
    ],
  });
  const files = new Map(result.outputFiles.map(f => [f.path, f]));
  const bundles = new Map<string, () => Bundle>();
  for (const [out, meta] of Object.entries(result.metafile.outputs)) {
    if (!meta.entryPoint || out.endsWith('.map')) continue;
    const outPath = path.resolve(rootDir, out);
    // Made when its key is: one entry's decoded maps are in memory at a time.
    bundles.set(path.resolve(rootDir, meta.entryPoint), () => {
      const code = files.get(outPath)?.text ?? '';
      const map = JSON.parse(files.get(`${outPath}.map`)?.text ?? '{"sources":[],"mappings":""}') as {
        sources: string[];
        mappings: string;
      };
      const decoded = decode(map.mappings);
      return {
        code,
        sources: map.sources,
        lines: lineDigest(decoded, code),
        positions: positionsBySource(map.sources.map(source => path.resolve(path.dirname(outPath), source)), decoded),
        inputs: readFrom(result.metafile, meta.entryPoint!, rootDir),
      };
    });
  }
  return bundles;
}

/**
 * Every file esbuild read for one entry, tree-shaken or not: the import graph from the
 * entry in the metafile (an output's own `inputs` omit files that contributed no code).
 */
function readFrom(metafile: Esbuild.Metafile, entry: string, rootDir: string): Set<string> {
  const seen = new Set<string>();
  const stack = [entry];
  while (stack.length > 0) {
    const input = stack.pop()!;
    if (seen.has(input)) continue;
    seen.add(input);
    for (const imported of metafile.inputs[input]?.imports ?? []) {
      if (!imported.external) stack.push(imported.path);
    }
  }
  const text = `${TEXT}:`;
  return new Set(
    [...seen].map(input => path.resolve(rootDir, input.startsWith(text) ? input.slice(text.length) : input)),
  );
}

type Mappings = ReturnType<typeof decode>;

/** A generated token that starts with a digit or a quote: a literal, which can neither call nor throw. */
function isLiteralStart(char: number): boolean {
  return (char >= 48 && char <= 57) || char === 34 || char === 39;
}

/** Ends a generated line in lineDigest's table. */
const LINE_END = -2;

/**
 * The source map as key material: for each generated line, the original source (by its
 * index in the map's `sources`), line and column of each mapped segment. Stack frames
 * show a position only where code calls or throws, so a literal's column is left out
 * (`X =  1` to `X = 1` still hits, as in Go's scenario). Hashed as integers: a bundle of
 * a whole library has tens of thousands of segments, and a string each cost more than
 * the bundling did.
 */
function lineDigest(mappings: Mappings, code: string): string {
  let size = mappings.length;
  for (const segments of mappings) size += segments.length * 3;
  const table = new Int32Array(size);
  let i = 0;
  let lineStart = 0;
  for (const segments of mappings) {
    const newline = code.indexOf('\n', lineStart);
    const lineEnd = newline === -1 ? code.length : newline;
    for (const s of segments) {
      if (s.length < 4) continue;
      const at = lineStart + s[0];
      table[i++] = s[1]!;
      table[i++] = s[2]!;
      table[i++] = at < lineEnd && isLiteralStart(code.charCodeAt(at)) ? -1 : s[3]!;
    }
    table[i++] = LINE_END;
    lineStart = lineEnd + 1;
  }
  return sha256(Buffer.from(table.buffer, 0, i * Int32Array.BYTES_PER_ELEMENT));
}

/** The original positions (1-based lines) that surviving code comes from, per source file. */
function positionsBySource(sources: string[], mappings: Mappings): Map<string, Float64Array> {
  const counts = new Array<number>(sources.length).fill(0);
  for (const segments of mappings) for (const s of segments) if (s.length >= 4) counts[s[1]!]++;
  const bySource = counts.map(count => new Float64Array(count));
  const filled = new Array<number>(sources.length).fill(0);
  for (const segments of mappings) {
    for (const s of segments) {
      if (s.length >= 4) bySource[s[1]!]![filled[s[1]!]++] = positionNumber(s[2]! + 1, s[3]!);
    }
  }
  const positions = new Map<string, Float64Array>();
  sources.forEach((source, i) => positions.set(source, bySource[i]!.sort()));
  return positions;
}

/**
 * What the bundle's code can observe of its sources that the bundle does not show: per
 * bundled script, its import order and the text of every function its surviving code
 * lies in; a script that does not parse, or has decorators, enters by its whole content.
 */
function observedInBundle(keys: BundleKeys, b: Bundle): string[] {
  const observed: string[] = [];
  for (const file of b.inputs) {
    if (!isScript(file)) continue;
    const source = observedSource(keys, file);
    if (!source.parsed || source.decorated) {
      observed.push(keys.fileLine(file));
      continue;
    }
    const reached = reachedFunctions(source.functions, b.positions.get(file) ?? NO_POSITIONS);
    observed.push(`${keys.relative(file)}:${sha256(JSON.stringify([source.imports, reached]))}`);
  }
  return observed.sort();
}

const NO_POSITIONS = new Float64Array(0);

/**
 * A file's ObservableSource: kept (`keys.observed`) while its content hash is unchanged,
 * else parsed (from `read`, its textAsHashed, when the caller has it).
 */
function observedSource(keys: BundleKeys, file: string, read?: string): ObservableSource {
  const hash = keys.hasher.hash(file);
  const kept = keys.observed.map.get(file);
  if (kept && kept[0] === hash) return kept[1];
  const text = read ?? textAsHashed(keys, file);
  // Changed since stage 1 hashed it: the caller keys the file by that hash instead.
  if (text === undefined || !hash) return UNPARSED;
  const source = observableSource(file, text);
  keys.observed.set(file, [hash, source]);
  return source;
}

const UNPARSED: ObservableSource = {parsed: false, decorated: false, functions: [], imports: []};

/**
 * A file's text, if it still has the content stage 1 hashed: what stage 2 derives from a
 * file is kept under that hash, so it must never describe other content (an edit saved
 * while the run was being keyed).
 */
function textAsHashed(keys: BundleKeys, file: string): string | undefined {
  let content: Buffer;
  try {
    content = fs.readFileSync(file);
  } catch {
    return undefined;
  }
  return sha256(content) === keys.hasher.hash(file) ? content.toString('utf8') : undefined;
}

/** Compiled lines being made, by path and content hash (made ones are in `keys.compiled`). */
const compiling = new Map<string, Promise<string>>();

const TRANSFORM_LOADERS: Record<string, Esbuild.Loader> = {ts: 'ts', tsx: 'tsx', js: 'jsx', jsx: 'jsx', json: 'json'};

/**
 * A file's key line by what it can change at run time: esbuild's output for the file
 * alone (nothing tree-shaken, every import kept, so every statement that runs is there),
 * with the original line and column of that code, the text of all its functions and its
 * import order. A module imported only for its types keys nothing but its empty output,
 * and a comment or type edit leaves the line as it was. Manual mocks, files esbuild
 * cannot compile and non-scripts enter by their content. Lines are kept in `keys.compiled`
 * (by path, with the content hash they were made from). A line already made is returned as
 * it is, not as a promise: a thousand suites' module keys share most of their lines.
 */
function compiledLine(keys: BundleKeys, file: string): string | Promise<string> {
  const ext = /\.[cm]?([jt]sx?|json)$/.exec(file)?.[1];
  if (!ext || file.split(path.sep).includes('__mocks__')) return keys.fileLine(file);
  const hash = keys.hasher.hash(file);
  const kept = keys.compiled.map.get(file);
  if (kept && kept[0] === hash) return kept[1];
  const id = `${file}\0${hash}`;
  let line = compiling.get(id);
  if (line === undefined) {
    line = compile(keys, file, TRANSFORM_LOADERS[ext]).then(done => {
      compiling.delete(id);
      // Not made (the file changed since stage 1 hashed it): keyed by that hash, not kept.
      if (done === undefined) return keys.fileLine(file);
      if (hash) keys.compiled.set(file, [hash, done]);
      return done;
    });
    compiling.set(id, line);
  }
  return line;
}

/** Promise.all, without a promise per value when every value is already there. */
function allOf(values: (string | Promise<string>)[]): string[] | Promise<string[]> {
  return values.every((v): v is string => typeof v === 'string') ? values : Promise.all(values);
}

/** Compiled key lines kept across runs: path -> [content hash, line]. */
export type CompiledLines = KeyTable<[string, string]>;

/**
 * The module key (stage 2 before any bundling): the action key's closure with each file
 * by its compiled line instead of its bytes. A comment-only or type-only edit leaves
 * every compiled line as it was, so it is recognised from the edited module alone,
 * without bundling any suite. Nothing is tree-shaken, so it never hits where the
 * content key would miss: it is looked up first.
 */
export async function moduleKey(keys: BundleKeys, request: KeyRequest): Promise<string> {
  const lines = await allOf(request.closure.map(file => compiledLine(keys, file)));
  return sha256(JSON.stringify(['modules', request.outsideGraph, request.packages, lines.sort()]));
}

/** compiledLine's line, or undefined when the file no longer has the content stage 1 hashed. */
async function compile(keys: BundleKeys, file: string, loader: Esbuild.Loader): Promise<string | undefined> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require('esbuild') as typeof Esbuild;
  const text = textAsHashed(keys, file);
  if (text === undefined) return undefined;
  // Kept by content: the bundle's key of a suite may have parsed this file already.
  const source =
    loader === 'json' ? {parsed: true, decorated: false, functions: [], imports: []} : observedSource(keys, file, text);
  if (!source.parsed || source.decorated) return keys.fileLine(file);
  try {
    const out = await esbuild.transform(text, {
      loader,
      sourcefile: path.basename(file),
      sourcemap: 'external',
      sourcesContent: false,
      treeShaking: false,
      minify: false,
      legalComments: 'none',
      logLevel: 'silent',
      // Keep imports whose bindings go unused: the project's transform may keep them too.
      tsconfigRaw: {compilerOptions: {verbatimModuleSyntax: true}},
    });
    const map = JSON.parse(out.map) as {mappings: string};
    const mappings = decode(map.mappings);
    const compiled = JSON.stringify([
      out.code,
      lineDigest(mappings, out.code),
      source.functions.map(fn => fn.hash),
      source.imports,
    ]);
    return `${keys.relative(file)}~${sha256(compiled)}`;
  } catch {
    return keys.fileLine(file);
  }
}
