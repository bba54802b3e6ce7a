import * as os from 'os';
import {parentPort, workerData} from 'worker_threads';
import {
  contentKeys,
  moduleKey,
  type BundleKeys,
  type CompiledLines,
  type ContentKey,
  type ObservedSources,
} from '../key/contentKey';
import {FileHasher} from '../key/fileHasher';
import {fileKeyLine, relativePath} from '../key/keyLines';
import type {KeyTable} from '../key/keyTable';
import type {Answer, Kept, Reply, Request, WorkerSetup} from './messages';

/**
 * The stage-2 thread (see StageTwo): bundles and keys what the main thread asks for, off
 * the thread that runs the tests in an in-band run.
 */
const setup = workerData as WorkerSetup;

// Background work: on Linux a nice value is a thread's own (the process's other threads
// keep theirs) and esbuild's process inherits it, so the suites' thread and its garbage
// collector come first on a busy machine. Elsewhere it would lower the whole process.
if (process.platform === 'linux') {
  try {
    os.setPriority(0, 19);
  } catch {
    // not permitted here: stage 2 simply competes as it would have
  }
}

type KeptValue<K extends keyof Kept> = Kept[K][number][1];

/** One project's side of stage 2 here: its resolver, the hashes the main thread sent, what stage 2 keeps. */
class ProjectBundleKeys implements BundleKeys {
  readonly hashes = new Map<string, string | null>();
  /** For a file the main thread did not hash (read by a bundle outside the closure). */
  private readonly ownHasher = new FileHasher();
  readonly hasher = {
    hash: (file: string) => (this.hashes.has(file) ? this.hashes.get(file)! : this.ownHasher.hash(file)),
  };
  private readonly fileLines = new Map<string, string>();
  /** What earlier runs kept and this thread made, by kind. */
  private readonly kept = {
    compiled: new Map<string, KeptValue<'compiled'>>(),
    observed: new Map<string, KeptValue<'observed'>>(),
  };
  /** What was made here since the last reply: the main thread keeps it. */
  made: Kept = {compiled: [], observed: []};
  readonly compiled: CompiledLines = this.table('compiled');
  readonly observed: ObservedSources = this.table('observed');

  constructor(
    readonly rootDir: string,
    readonly resolver: BundleKeys['resolver'],
  ) {}

  /** What a job brings: the hashes stage 1 saw, and what earlier runs kept. */
  receive(job: Extract<Request, {id: number}>): void {
    for (const [file, hash] of job.hashes) this.hashes.set(file, hash);
    for (const [file, line] of job.kept.compiled) this.kept.compiled.set(file, line);
    for (const [file, source] of job.kept.observed) this.kept.observed.set(file, source);
  }

  /** A table of what stage 2 keeps: what is set in it is also reported as made. */
  private table<K extends keyof Kept>(kind: K): KeyTable<KeptValue<K>> {
    const map = this.kept[kind] as Map<string, KeptValue<K>>;
    return {
      map,
      set: (file, value) => {
        map.set(file, value);
        (this.made[kind] as [string, KeptValue<K>][]).push([file, value]);
      },
    };
  }

  relative(file: string): string {
    return relativePath(this.rootDir, file);
  }

  fileLine(file: string): string {
    let line = this.fileLines.get(file);
    if (line === undefined) this.fileLines.set(file, (line = fileKeyLine(this.relative(file), this.hasher.hash(file))));
    return line;
  }
}

type Resolver = BundleKeys['resolver'];
/* eslint-disable @typescript-eslint/no-require-imports */
const Runtime = (require(setup.jestRuntime) as {default: {createResolver(config: unknown, map: unknown): Resolver}})
  .default;
const HasteMap = (
  require(setup.jestHasteMap) as {default: {getStatic(config: unknown): {getModuleMapFromJSON(json: unknown): unknown}}}
).default;
/* eslint-enable @typescript-eslint/no-require-imports */

/** Each project's keys, or why its resolver could not be made. */
const projects = new Map<number, ProjectBundleKeys | Error>();

async function answer(request: Extract<Request, {id: number}>): Promise<Reply> {
  const project = projects.get(request.project);
  if (!project) return {id: request.id, error: `project ${request.project} was not introduced`};
  if (project instanceof Error) return {id: request.id, error: project.message};
  project.receive(request);
  const reply = (keys: [string, ContentKey][]): Answer => {
    const made = project.made;
    project.made = {compiled: [], observed: []};
    return {id: request.id, keys, made};
  };
  if (request.kind === 'module') {
    return reply(
      await Promise.all(
        request.requests.map(async (r): Promise<[string, ContentKey]> => [r.path, {key: await moduleKey(project, r)}]),
      ),
    );
  }
  // Each chunk's keys go out at once: an in-band run starts those suites while the rest are bundled.
  await contentKeys(project, request.requests, keys => parentPort!.postMessage({...reply(keys), partial: true}));
  return reply([]);
}

parentPort!.on('message', (request: Request) => {
  if (request.kind === 'project') {
    try {
      const {rootDir} = request.config as {rootDir: string};
      const moduleMap = HasteMap.getStatic(request.config).getModuleMapFromJSON(request.moduleMap);
      projects.set(request.project, new ProjectBundleKeys(rootDir, Runtime.createResolver(request.config, moduleMap)));
    } catch (error) {
      projects.set(request.project, new Error(`cannot make its resolver: ${(error as Error).message}`));
    }
    return;
  }
  answer(request).then(
    reply => parentPort!.postMessage(reply),
    (error: Error) => parentPort!.postMessage({id: request.id, error: error.message} satisfies Reply),
  );
});
