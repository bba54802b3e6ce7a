import type {CompiledLines, ContentKey, KeyRequest, ObservedSources} from '../key/contentKey';

type ValueOf<Table> = Table extends {map: ReadonlyMap<string, infer V>} ? V : never;

/** What stage 2 keeps across runs, per file (by content hash): compiled lines, parsed sources. */
export interface Kept {
  compiled: [string, ValueOf<CompiledLines>][];
  observed: [string, ValueOf<ObservedSources>][];
}

/** What the stage-2 thread is started with: Jest's modules to build each project's resolver from. */
export interface WorkerSetup {
  jestRuntime: string;
  jestHasteMap: string;
}

/** The main thread's messages. A project is introduced once, before its first job. */
export type Request =
  | {
      kind: 'project';
      project: number;
      /** Jest's ProjectConfig and its module map (ModuleMap.toJSON()), as Jest's own workers get them. */
      config: unknown;
      moduleMap: unknown;
    }
  | {
      kind: 'module' | 'content';
      id: number;
      project: number;
      requests: KeyRequest[];
      /** Content hashes of the requests' closure files, as the action keys saw them. */
      hashes: [string, string | null][];
      /** What earlier runs kept for closure files whose hash still matches. */
      kept: Kept;
    };

/**
 * The stage-2 thread's answer to one job: keys by test path, and what it made to keep. A
 * content job is answered in parts, one per bundled chunk (`partial`), then a last one.
 */
export type Reply = Answer | {id: number; error: string};

export interface Answer {
  id: number;
  keys: [string, ContentKey][];
  made: Kept;
  partial?: true;
}
