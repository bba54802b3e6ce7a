import * as path from 'path';
import {FileHasher} from '../key/fileHasher';
import {CurrentInputs, ENV_NAMES_LINE} from '../key/runtimeInputs';
import type {Manifest} from './manifest';

/** `rel/path=hash` key lines among the project parts and the test's own lines. */
function fileLines(manifest: Manifest): string[] {
  const parts = manifest.projectParts as {modules?: string[]; configFiles?: string[]; declaredFiles?: string[]};
  const outside = JSON.parse(manifest.outsideGraph) as {snapshot: string | null; packageJson: string | null};
  return [
    ...manifest.lines,
    ...(parts.modules ?? []),
    ...(parts.configFiles ?? []),
    ...(parts.declaredFiles ?? []),
    outside.snapshot,
    outside.packageJson,
  ].filter((line): line is string => typeof line === 'string' && !line.startsWith('pkg:'));
}

/**
 * Why the stored pass of a test would not be replayed now: each input whose current
 * state differs from the one stored. Files, env variables, the Node version and the
 * runtime inputs are rechecked; the project config, CLI flags and package versions need
 * Jest itself, so when nothing here differs they are what is left to suspect.
 */
export function explainDifferences(manifest: Manifest): string[] {
  const current = new CurrentInputs(new FileHasher());
  const hasher = current.hasher;
  const differences: string[] = [];
  for (const line of new Set(fileLines(manifest))) {
    const at = line.lastIndexOf('=');
    const relative = line.slice(0, at);
    const then = line.slice(at + 1);
    const now = hasher.hash(path.resolve(manifest.rootDir, relative)) ?? '-';
    if (now === then) continue;
    if (then === '-') differences.push(`${relative}: created since the pass was stored`);
    else if (now === '-') differences.push(`${relative}: deleted since the pass was stored`);
    else differences.push(`${relative}: content changed`);
  }
  const env = (manifest.projectParts.env ?? {}) as Record<string, string | null>;
  for (const [name, value] of Object.entries(env)) {
    if ((process.env[name] ?? null) !== value) differences.push(`env ${name}: value changed`);
  }
  if (manifest.node !== process.version) {
    differences.push(`Node.js: ${manifest.node} then, ${process.version} now`);
  }
  const before = new Set(manifest.inputLines);
  for (const line of current.state(manifest.inputs, manifest.rootDir).lines) {
    if (before.has(line)) continue;
    if (line.startsWith(ENV_NAMES_LINE)) {
      differences.push(`read at run time: listed the environment's names, ${namesChange(manifest.inputLines, line)}`);
      continue;
    }
    // Show what was read, not the value or hash it has now.
    const what = line.startsWith('env ') ? line.slice(0, line.indexOf('=')) : line.split(' ').slice(0, 2).join(' ');
    differences.push(`read at run time: ${what} differs`);
  }
  return differences;
}

/** Which env variable names were added or removed since the stored names line. */
function namesChange(beforeLines: string[], nowLine: string): string {
  const names = (line: string | undefined) =>
    new Set<string>(line === undefined ? [] : JSON.parse(line.slice(ENV_NAMES_LINE.length)));
  const then = names(beforeLines.find(line => line.startsWith(ENV_NAMES_LINE)));
  const now = names(nowLine);
  const added = [...now].filter(name => !then.has(name));
  const removed = [...then].filter(name => !now.has(name));
  return [
    added.length > 0 ? `added: ${added.join(', ')}` : '',
    removed.length > 0 ? `removed: ${removed.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join('; ');
}
