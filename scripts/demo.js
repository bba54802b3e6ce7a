#!/usr/bin/env node
// The demo: copies fixtures/go-scenario into a temp folder, runs a real `jest` on it
// twice with this runner, and shows that the second run was replayed from the cache.
'use strict';
const {spawnSync} = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const repo = path.resolve(__dirname, '..');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'jest-runner-cache-demo-'));
const project = path.join(work, 'go-scenario');
fs.cpSync(path.join(repo, 'fixtures', 'go-scenario'), project, {recursive: true});
fs.mkdirSync(path.join(project, 'node_modules'));
for (const name of ['@swc', 'jest']) {
  fs.symlinkSync(path.join(repo, 'node_modules', name), path.join(project, 'node_modules', name));
}
fs.symlinkSync(repo, path.join(project, 'node_modules', 'jest-runner-cache'));

const jest = path.join(repo, 'node_modules', 'jest', 'bin', 'jest.js');
const executed = path.join(work, 'executed.log');
function run(title) {
  fs.rmSync(executed, {force: true});
  console.log(`\n=== ${title} ===\n$ jest   (in ${project})`);
  const report = path.join(work, 'report.json');
  const started = Date.now();
  const result = spawnSync(process.execPath, [jest, '--ci=false', '--cacheDirectory', path.join(work, 'cache')], {
    cwd: project,
    stdio: 'inherit',
    env: {...process.env, JRC_EXEC_LOG: executed, JEST_RUNNER_CACHE_REPORT: report},
  });
  const ms = Date.now() - started;
  const ran = fs.existsSync(executed) ? fs.readFileSync(executed, 'utf8').trim().split('\n') : [];
  const outcomes = JSON.parse(fs.readFileSync(report, 'utf8')).suites.map(s => `${s.path}: ${s.outcome}`);
  console.log(`-> exit ${result.status} in ${ms} ms; test code executed in: ${ran.join(', ') || 'no suite'}`);
  console.log(`-> report: ${outcomes.join(', ')}`);
  if (result.status !== 0) process.exit(result.status ?? 1);
  return ran;
}

run('first run: every suite runs and its pass is stored');
const second = run('second run, nothing changed: every suite is replayed');
fs.writeFileSync(path.join(project, 'p1.ts'), 'export const X = 2;\n');
run('third run, after editing p1.ts: only the suites that import it run');
fs.rmSync(work, {recursive: true, force: true});
if (second.length > 0) {
  console.error('demo: the second run executed test code; the cache did not replay it');
  process.exit(1);
}
