import type {Config} from '@jest/types';
import * as fs from 'fs';
import * as path from 'path';
import {requireFromJest, resolveFromJest} from '../jestModules';

/** The import specifiers of a file as Jest's haste map finds them; null when it cannot be read. */
export type ImportExtractor = (file: string) => string[] | null;

type Extract = (code: string) => Iterable<string>;

/** The `dependencyExtractor` contract Jest documents. */
interface DependencyExtractor {
  extract(code: string, file: string, defaultExtract: Extract): Iterable<string>;
}

type HasteWorker = (data: {
  computeDependencies: boolean;
  computeSha1: boolean;
  filePath: string;
  rootDir: string;
  dependencyExtractor: string;
}) => Promise<{dependencies?: unknown[]}>;

let defaultExtract: Promise<Extract> | undefined;

/**
 * The haste map's default extractor, from the running Jest. Its package `exports` hide it
 * (Jest 30 bundles it into build/index.js and build/worker.js without exporting it), but
 * the worker, at build/worker.js in Jest 29 and 30, hands it to any custom extractor.
 */
function hasteDefaultExtract(): Promise<Extract> {
  defaultExtract ??= (async () => {
    const hasteMap = path.dirname(resolveFromJest('jest-haste-map/package.json'));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const {worker} = require(path.join(hasteMap, 'build', 'worker.js')) as {worker: HasteWorker};
    const probe = require.resolve('./defaultExtractProbe');
    const {dependencies} = await worker({
      computeDependencies: true,
      computeSha1: false,
      filePath: probe,
      rootDir: path.dirname(probe),
      dependencyExtractor: probe,
    });
    const extract = dependencies?.[0];
    if (typeof extract !== 'function') {
      throw new Error("jest-runner-cache: cannot get the default dependency extractor from Jest's jest-haste-map.");
    }
    return extract as Extract;
  })();
  return defaultExtract;
}

/**
 * Finds the imports of files Jest's haste map does not know (outside `roots`) the way
 * it would: the project's `dependencyExtractor` when set, else Jest's default one, for
 * the files it would crawl (`moduleFileExtensions`, package.json files excluded).
 */
export async function loadImportExtractor(config: Config.ProjectConfig): Promise<ImportExtractor> {
  const fallback = await hasteDefaultExtract();
  const custom = config.dependencyExtractor
    ? await requireFromJest<{requireOrImportModule<T>(file: string, interop: boolean): Promise<T>}>(
        'jest-util',
      ).requireOrImportModule<DependencyExtractor>(config.dependencyExtractor, false)
    : undefined;
  const extensions = new Set(config.moduleFileExtensions.map(ext => `.${ext}`));
  return file => {
    if (path.basename(file) === 'package.json' || !extensions.has(path.extname(file))) return [];
    try {
      const code = fs.readFileSync(file, 'utf8');
      return [...(custom ? custom.extract(code, file, fallback) : fallback(code))];
    } catch {
      return null;
    }
  };
}
