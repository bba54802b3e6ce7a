import {decode} from '@jridgewell/sourcemap-codec';
import type {Test} from '@jest/test-result';
import type * as Esbuild from 'esbuild';
import * as fs from 'fs';
import * as path from 'path';
import type {ActionKey} from './actionKey';
import {sha256} from './fileHasher';
import type {KeyContext} from './keyContext';
import {isInNodeModules} from './packages';

export type ContentKey = {key: string} | {reason: string};

/** Extensions esbuild loads itself; anything else is hashed as text. */
const ESBUILD_LOADS = /\.(?:[cm]?[jt]sx?|json)$/;

/** Where esbuild pretends to write (write: false): never created. */
const OUT_DIR = '.jest-runner-cache-bundle';

interface Unresolved {
  importer: string;
  specifier: string;
}

/**
 * Stage 2 of the key (Go's content ID): one esbuild call bundles every stage-1 miss of a
 * project, tree-shaken with annotations ignored, resolving through Jest's resolver;
 * each test's key hashes its bundle, the original line of every surviving mapping
 * (columns dropped), everything stage 1 covers outside the import graph, and the hash
 * of every closure file the bundle did not read (manual mocks, requireActual targets).
 */
export async function contentKeys(
  keys: KeyContext,
  requests: {test: Test; action: ActionKey}[],
): Promise<Map<Test, ContentKey>> {
  const results = new Map<Test, ContentKey>();
  if (requests.length === 0) return results;
  let bundles: Map<string, Bundle>;
  const unresolved: Unresolved[] = [];
  try {
    bundles = await bundle(keys, requests.map(r => r.test.path), unresolved);
  } catch {
    // One file esbuild rejects fails the whole call: bundle each alone to find it.
    bundles = new Map();
    await Promise.all(
      requests.map(async ({test}) => {
        try {
          for (const [entry, b] of await bundle(keys, [test.path], unresolved)) bundles.set(entry, b);
        } catch (error) {
          const first = (error as Esbuild.BuildFailure).errors?.[0];
          const where = first?.location ? `${first.location.file}:${first.location.line}: ` : '';
          results.set(test, {reason: `cannot bundle: ${where}${first?.text ?? String(error)}`});
        }
      }),
    );
  }
  for (const {test, action} of requests) {
    if (results.has(test)) continue;
    const b = bundles.get(test.path);
    if (!b) {
      results.set(test, {reason: 'cannot bundle: esbuild gave no output'});
      continue;
    }
    const missing = unresolved.find(u => b.inputs.has(u.importer));
    if (missing) {
      results.set(test, {
        reason: `cannot bundle: "${missing.specifier}" from ${keys.relative(missing.importer)} does not resolve`,
      });
      continue;
    }
    const notBundled = action.closure.filter(file => !b.inputs.has(file)).map(f => keys.fileLine(f)).sort();
    results.set(test, {
      key: sha256(
        JSON.stringify(['content', action.outsideGraph, action.packages, notBundled, b.code, b.lines]),
      ),
    });
  }
  return results;
}

interface Bundle {
  code: string;
  /** Per generated line: the original source lines its code comes from. */
  lines: string;
  /** Absolute paths of the files esbuild read for this bundle. */
  inputs: Set<string>;
}

async function bundle(
  keys: KeyContext,
  entryPoints: string[],
  unresolved: Unresolved[],
): Promise<Map<string, Bundle>> {
  const rootDir = keys.rootDir;
  const resolver = keys.context.resolver;
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
            return {path: resolved};
          });
          build.onLoad({filter: /.*/}, args => {
            if (ESBUILD_LOADS.test(args.path)) return undefined;
            return {contents: fs.readFileSync(args.path), loader: 'text'};
          });
        },
      },
    ],
  });
  const files = new Map(result.outputFiles.map(f => [f.path, f.text]));
  const bundles = new Map<string, Bundle>();
  for (const [out, meta] of Object.entries(result.metafile.outputs)) {
    if (!meta.entryPoint || out.endsWith('.map')) continue;
    const outPath = path.resolve(rootDir, out);
    const code = files.get(outPath) ?? '';
    const map = JSON.parse(files.get(`${outPath}.map`) ?? '{"sources":[],"mappings":""}') as {
      sources: string[];
      mappings: string;
    };
    bundles.set(path.resolve(rootDir, meta.entryPoint), {
      code,
      lines: lineTable(map),
      inputs: readFrom(result.metafile, meta.entryPoint, rootDir),
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
  return new Set([...seen].map(input => path.resolve(rootDir, input)));
}

/** The source map without columns: for each generated line, its original file:line pairs. */
function lineTable(map: {sources: string[]; mappings: string}): string {
  return decode(map.mappings)
    .map(segments => {
      const origins = new Set<string>();
      for (const s of segments) if (s.length >= 4) origins.add(`${map.sources[s[1]!]}:${s[2]}`);
      return [...origins].join(',');
    })
    .join(';');
}
