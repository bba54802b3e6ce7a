import type {CompiledLines, ContentKey, KeyRequest} from '../key/contentKey';

/** A compiled key line as the persisted table holds it: [content hash, line]. */
type CompiledLine = CompiledLines extends {map: ReadonlyMap<string, infer V>} ? V : never;

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
      /** Compiled lines kept from earlier runs for closure files whose hash still matches. */
      lines: [string, CompiledLine][];
    };

/** The stage-2 thread's answer to one job: keys by test path, and the compiled lines it made. */
export type Reply =
  | {id: number; keys: [string, ContentKey][]; made: [string, CompiledLine][]}
  | {id: number; error: string};
