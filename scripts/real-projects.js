#!/usr/bin/env node
// Tries the runner on real projects (issue 10, item 5): for each checkout listed in a
// projects file, installs the runner from `npm pack` of this repo, sets `runner` through a
// wrapper config, and compares it with plain Jest:
//
//   plain    the project's own jest command, runner not set (--json: each suite's outcome)
//   warm-up  (unless --no-warmup) unmeasured runs first: plain, and the runner with the
//            cache off in the runner's and in the cache-off cacheDirectory, so every measured
//            run meets a warm Jest transform cache (its keys hold the cacheDirectory: each
//            folder is warmed where it is); the store is emptied before cold
//   cold     the runner with an empty store
//   cached   the runner again, nothing changed (REPEAT): every passing suite should replay
//   edits    each behaviour edit: cache on, then cache off (JEST_RUNNER_CACHE=off); every
//            suite failing with the cache off must fail with it on, else it is a STALE PASS;
//            each comment edit: cache on, counting the suites that missed stage 1 (they
//            reach the file) and how many of them stage 2 replayed (a comment on a line of
//            its own moves the lines below it, which stack frames show: by design that
//            reruns whatever runs below it; a same-line comment after a top-level statement
//            is invisible and should replay). Each edit is reverted
//            (and tracked files the tests rewrote are checked out again after every run)
//   after    the runner once more after all reverts (should replay like cached)
//
//   node scripts/real-projects.js --checkouts <dir> [--projects scripts/real-projects.json]
//        [--only a,b] [--work <dir>] [--out <results.json>] [--tgz <file>] [--no-install]
//        [--no-warmup] [--no-edits] [--kind behaviour|comment] [--max-edits N] [--timeout <s>]
//
// The checkouts must exist and have their dependencies installed (the projects file gives
// each project's repository, commit and install command; --setup prints them as shell).
//
// How the runner is set (without changing anything else): a wrapper config
// `jest.cache.config.cjs` is written in the project root (listed in .git/info/exclude,
// removed at the end) and passed with --config in place of the command's own --config. It
// reads the project's own config with Jest's own `readInitialOptions` (so .js/.ts/.mjs/
// .cjs/.json configs and package.json "jest" load as Jest loads them, function configs
// included), keeps rootDir where it was, and adds `runner`. With `projects`, the runner is
// added to each inline project object. A project (or the top-level config) that already
// sets its own `runner` (jest-runner-eslint, tsd, ...) keeps it: those suites run as before
// and are not cacheable; a `projects` entry given as a path or glob (its own config file)
// is left as it is too. Both are listed in the results (`wrapperNotes`).
//
// The runner is installed into the project (npm: `npm i --no-save --legacy-peer-deps`;
// pnpm/yarn: their `add`, then package.json and the lockfile are restored from git), so the
// project keeps its own Jest version; the script stops if the install changed it.
//
// Each run mode has its own Jest cacheDirectory under --work (plain, runner, off). Jest
// processes run one at a time; timings are whole processes, single samples, on a shared
// machine: noisy, read them as rough.
'use strict';
const {spawnSync} = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const REPO = path.resolve(__dirname, '..');
const WRAPPER_NAME = 'jest.cache.config.cjs';
const CONFIG_NAMES = [
  'jest.config.js',
  'jest.config.ts',
  'jest.config.mjs',
  'jest.config.cjs',
  'jest.config.cts',
  'jest.config.json',
];

function parseArgs(argv) {
  const args = {
    checkouts: undefined,
    projects: path.join(__dirname, 'real-projects.json'),
    only: undefined,
    work: path.join(os.tmpdir(), 'jest-runner-cache-real-projects'),
    out: undefined,
    tgz: undefined,
    install: true,
    warmup: true,
    edits: true,
    maxEdits: Infinity,
    timeout: 900,
    setup: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes('=') ? arg.split(/=(.*)/s) : [arg, undefined];
    const value = () => (inline !== undefined ? inline : argv[++i]);
    switch (flag) {
      case '--checkouts': args.checkouts = path.resolve(value()); break;
      case '--projects': args.projects = path.resolve(value()); break;
      case '--only': args.only = String(value()).split(',').map(s => s.trim()); break;
      case '--work': args.work = path.resolve(value()); break;
      case '--out': args.out = path.resolve(value()); break;
      case '--tgz': args.tgz = path.resolve(value()); break;
      case '--no-install': args.install = false; break;
      case '--no-warmup': args.warmup = false; break;
      case '--no-edits': args.edits = false; break;
      case '--max-edits': args.maxEdits = Number.parseInt(value(), 10); break;
      case '--kind': args.kind = value(); break;
      case '--timeout': args.timeout = Number(value()); break;
      case '--setup': args.setup = true; break;
      case '-h':
      case '--help':
        console.log(fs.readFileSync(__filename, 'utf8').split('\n').slice(1, 24).map(l => l.replace(/^\/\/ ?/, '')).join('\n'));
        process.exit(0);
        break;
      default:
        throw new Error(`unknown argument ${arg}`);
    }
  }
  if (!args.checkouts && !args.setup) throw new Error('--checkouts <dir> is required');
  args.out = args.out || path.join(args.work, 'results.json');
  return args;
}

// ---------------------------------------------------------------------------------------
// processes

function sh(cmd, {cwd, env, timeoutS = 900, log} = {}) {
  const start = process.hrtime.bigint();
  const res = spawnSync('sh', ['-c', cmd], {
    cwd,
    env,
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
    timeout: timeoutS * 1000,
    killSignal: 'SIGKILL',
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (log) fs.writeFileSync(log, `$ ${cmd}\n(cwd ${cwd})\n--- stdout\n${res.stdout}\n--- stderr\n${res.stderr}\n--- status ${res.status} signal ${res.signal}\n`);
  return {status: res.status, signal: res.signal, stdout: res.stdout || '', stderr: res.stderr || '', seconds};
}

function q(s) {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${String(s).replace(/'/g, `'\\''`)}'`;
}

function rmrf(p) {
  fs.rmSync(p, {recursive: true, force: true});
}

// ---------------------------------------------------------------------------------------
// the runner package

function packRunner(args) {
  if (args.tgz) return args.tgz;
  const dir = path.join(args.work, 'pack');
  rmrf(dir);
  fs.mkdirSync(dir, {recursive: true});
  let r = sh('npm run build', {cwd: REPO, env: process.env});
  if (r.status !== 0) throw new Error(`npm run build failed:\n${r.stdout}\n${r.stderr}`);
  r = sh(`npm pack --pack-destination ${q(dir)}`, {cwd: REPO, env: process.env});
  if (r.status !== 0) throw new Error(`npm pack failed:\n${r.stdout}\n${r.stderr}`);
  const tgz = fs.readdirSync(dir).find(f => f.endsWith('.tgz'));
  return path.join(dir, tgz);
}

function jestVersion(projectDir) {
  try {
    const p = require.resolve('jest/package.json', {paths: [projectDir]});
    return JSON.parse(fs.readFileSync(p, 'utf8')).version;
  } catch {
    return undefined;
  }
}

function gitModified(dir) {
  const r = sh('git status --porcelain --untracked-files=no', {cwd: dir, env: process.env});
  return new Set(r.stdout.split('\n').filter(Boolean).map(l => l.slice(3)));
}

function installRunner(project, dir, tgz, logDir) {
  const before = jestVersion(dir);
  const dirtyBefore = gitModified(dir);
  const pm = project.packageManager || 'npm';
  const cmd =
    project.installRunner?.replace('{tgz}', q(tgz)) ||
    {
      npm: `npm i --no-save --no-audit --no-fund --legacy-peer-deps --ignore-scripts ${q(tgz)}`,
      pnpm: `pnpm add -D --ignore-scripts ${q(tgz)}`,
      yarn: `yarn add -D ${q(tgz)}`,
    }[pm];
  const r = sh(cmd, {cwd: dir, env: {...process.env, ...(project.installEnv || {})}, timeoutS: 900, log: path.join(logDir, 'install.log')});
  if (r.status !== 0) throw new Error(`installing the runner failed (${cmd}), see ${path.join(logDir, 'install.log')}`);
  // Put back the tracked files the install touched (package.json, the lockfile).
  const touched = [...gitModified(dir)].filter(f => !dirtyBefore.has(f));
  if (touched.length) sh(`git checkout -- ${touched.map(q).join(' ')}`, {cwd: dir, env: process.env});
  const after = jestVersion(dir);
  if (before !== after) throw new Error(`installing the runner changed the project's Jest from ${before} to ${after}`);
  return {command: cmd, restored: touched, jest: after};
}

// ---------------------------------------------------------------------------------------
// the wrapper config

/** Splits the command's own --config out: returns the command without it and the path. */
function splitConfig(command, dir) {
  const re = /(^|\s)(?:--config|-c)(?:=|\s+)("[^"]*"|'[^']*'|\S+)/;
  const m = command.match(re);
  if (!m) return {command, config: undefined};
  const raw = m[2].replace(/^["']|["']$/g, '');
  return {command: command.replace(re, m[1]).replace(/\s+/g, ' ').trim(), config: path.resolve(dir, raw)};
}

function findOwnConfig(dir) {
  for (const name of CONFIG_NAMES) if (fs.existsSync(path.join(dir, name))) return path.join(dir, name);
  const pkg = path.join(dir, 'package.json');
  if (fs.existsSync(pkg) && JSON.parse(fs.readFileSync(pkg, 'utf8')).jest) return pkg;
  return undefined;
}

function wrapperSource({original, root, runner}) {
  return `'use strict';
// Written by jest-runner-cache scripts/real-projects.js, removed when it ends: the
// project's own Jest config, read by Jest's own readInitialOptions, with \`runner\` added.
const fs = require('fs');
const path = require('path');
const ORIGINAL = ${JSON.stringify(original || null)};
const ROOT = ${JSON.stringify(root)};
const RUNNER = ${JSON.stringify(runner)};

function jestConfigModule() {
  // The jest-config that is reading this file (it is loaded already).
  for (const file of Object.keys(require.cache)) {
    const at = file.lastIndexOf(path.join('jest-config', 'build') + path.sep);
    if (at >= 0) return require(file.slice(0, at) + 'jest-config');
  }
  return require(require.resolve('jest-config', {paths: [ROOT]}));
}

function isDefaultRunner(r) {
  return r === undefined || r === null || r === 'jest-runner' || /[\\\\/]jest-runner[\\\\/]build[\\\\/]index\\.js$/.test(String(r));
}

module.exports = async () => {
  const notes = [];
  let config = {rootDir: ROOT};
  let dir = ROOT;
  if (ORIGINAL) {
    const read = await jestConfigModule().readInitialOptions(ORIGINAL, {skipMultipleConfigError: true});
    config = {...read.config};
    dir = path.dirname(read.configPath);
    config.rootDir = config.rootDir ? path.resolve(dir, config.rootDir) : dir;
  }
  const withRunner = (c, label) => {
    if (!isDefaultRunner(c.runner)) {
      notes.push(label + ' sets its own runner ' + JSON.stringify(c.runner) + ': kept, its suites are not cached');
      return c;
    }
    return {...c, runner: RUNNER};
  };
  if (Array.isArray(config.projects) && config.projects.length) {
    config.projects = config.projects.map((p, i) => {
      if (typeof p !== 'object' || p === null) {
        notes.push('projects[' + i + '] = ' + JSON.stringify(p) + ' is its own config file: left as it is (runner not set there)');
        return p;
      }
      // Jest resolves an inline project's rootDir against the directory of the config file
      // it is in; this file may sit elsewhere than the original.
      const q = {...p};
      if (q.rootDir === undefined) q.rootDir = dir;
      else if (typeof q.rootDir === 'string' && q.rootDir.startsWith('<rootDir>')) q.rootDir = path.join(dir, q.rootDir.slice('<rootDir>'.length));
      const label = 'project ' + (typeof p.displayName === 'object' ? p.displayName && p.displayName.name : p.displayName || i);
      return withRunner(q, label);
    });
  } else {
    config = withRunner(config, 'the config');
  }
  if (process.env.REAL_PROJECTS_WRAPPER_NOTES) fs.writeFileSync(process.env.REAL_PROJECTS_WRAPPER_NOTES, JSON.stringify(notes));
  return config;
};
`;
}

function writeWrapper(dir, original, runner) {
  const file = path.join(dir, WRAPPER_NAME);
  fs.writeFileSync(file, wrapperSource({original, root: dir, runner}));
  // Keep it out of `git status` (the exclude file is local to the checkout).
  try {
    const gitDir = sh('git rev-parse --git-dir', {cwd: dir, env: process.env}).stdout.trim();
    if (gitDir) {
      const exclude = path.resolve(dir, gitDir, 'info', 'exclude');
      const text = fs.existsSync(exclude) ? fs.readFileSync(exclude, 'utf8') : '';
      if (!text.split('\n').includes(`/${WRAPPER_NAME}`)) {
        fs.mkdirSync(path.dirname(exclude), {recursive: true});
        fs.appendFileSync(exclude, `${text.endsWith('\n') || !text ? '' : '\n'}/${WRAPPER_NAME}\n`);
      }
    }
  } catch {
    // not a git checkout: the file is still removed at the end
  }
  return file;
}

// ---------------------------------------------------------------------------------------
// one Jest run

function jestRun(ctx, kind, {runner, mode, label, cacheDir}) {
  const {project, dir, work, logDir, args} = ctx;
  const name = label || kind;
  const jsonFile = path.join(work, `${name}.json`);
  const reportFile = path.join(work, `${name}.report.json`);
  const notesFile = path.join(work, `${name}.wrapper-notes.json`);
  for (const f of [jsonFile, reportFile, notesFile]) rmrf(f);
  const cacheDirectory = path.join(work, 'cache', cacheDir ?? (runner ? (mode === 'off' ? 'off' : 'runner') : 'plain'));
  const env = {...process.env};
  for (const k of Object.keys(env)) if (k.startsWith('JEST_RUNNER_CACHE')) delete env[k];
  Object.assign(env, project.env || {});
  const extra = ['--json', '--outputFile', jsonFile, '--cacheDirectory', cacheDirectory];
  let command = ctx.command;
  if (runner) {
    command = ctx.commandWithoutConfig;
    extra.unshift('--config', ctx.wrapper);
    env.JEST_RUNNER_CACHE_REPORT = reportFile;
    env.REAL_PROJECTS_WRAPPER_NOTES = notesFile;
    if (mode) env.JEST_RUNNER_CACHE = mode;
  }
  const full = `${command} ${extra.map(q).join(' ')}`;
  const dirtyBefore = gitModified(dir);
  const r = sh(full, {cwd: dir, env, timeoutS: args.timeout, log: path.join(logDir, `${name}.log`)});
  // Tests that rewrite tracked fixtures would hand the next run other inputs (and make the
  // cache-on / cache-off comparison depend on which ran first): put them back.
  const mutated = [...gitModified(dir)].filter(f => !dirtyBefore.has(f));
  if (mutated.length) {
    sh(`git checkout -- ${mutated.map(q).join(' ')}`, {cwd: dir, env: process.env});
    ctx.mutated = [...new Set([...(ctx.mutated || []), ...mutated])];
  }
  const readJson = f => {
    try {
      return JSON.parse(fs.readFileSync(f, 'utf8'));
    } catch {
      return undefined;
    }
  };
  const json = readJson(jsonFile);
  const report = readJson(reportFile);
  const notes = readJson(notesFile);
  const suites = new Map(); // relative path -> 'passed' | 'failed'
  if (json) {
    for (const t of json.testResults || []) {
      const rel = path.relative(dir, t.name);
      const prev = suites.get(rel);
      // 'focused': a passing suite whose file uses test.only
      suites.set(rel, prev === 'failed' ? 'failed' : t.status === 'passed' || t.status === 'focused' ? 'passed' : 'failed');
    }
  }
  const outcomes = new Map(); // relative path -> {outcome, reason}
  if (report) {
    for (const s of report.suites || []) {
      // Paths in the report are relative to the project's rootDir; match them to ours.
      let rel = s.path;
      if (!suites.has(rel)) {
        const hit = [...suites.keys()].find(k => k === rel || k.endsWith(`/${rel}`) || path.resolve(dir, rel) === path.resolve(dir, k));
        if (hit) rel = hit;
      }
      outcomes.set(rel, {outcome: s.outcome, reason: s.reason});
    }
  }
  const problems = [];
  if (!json) problems.push(`${name}: no --json output (exit ${r.status}${r.signal ? `, ${r.signal}` : ''}); see ${path.join(logDir, `${name}.log`)}`);
  if (runner && !report) problems.push(`${name}: no runner report written; see ${path.join(logDir, `${name}.log`)}`);
  const lastLine = (r.stderr.match(/jest-runner-cache: [^\n]*/g) || []).pop();
  process.stdout.write(
    `  ${name.padEnd(22)} ${r.seconds.toFixed(2).padStart(7)} s  exit ${r.status}  ${json ? `${json.numPassedTestSuites}/${json.numTotalTestSuites} suites passed` : 'no json'}${report ? `  ${summarize(outcomes)}` : ''}${lastLine && !report ? `  ${lastLine}` : ''}\n`,
  );
  return {name, seconds: r.seconds, status: r.status, json: Boolean(json), suites, outcomes, notes, problems, cacheDirectory};
}

function summarize(outcomes) {
  const n = {};
  for (const {outcome} of outcomes.values()) n[outcome] = (n[outcome] || 0) + 1;
  return Object.entries(n)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}

const replayed = o => o && (o.outcome === 'hit-action' || o.outcome === 'hit-content');

/** Suites whose pass/fail differs from plain Jest's (or that one of the runs lacks). */
function differences(plain, run) {
  const out = [];
  for (const [p, status] of plain.suites) {
    const other = run.suites.get(p);
    if (other !== status) out.push({path: p, plain: status, runner: other || 'missing', outcome: run.outcomes.get(p)});
  }
  for (const [p, status] of run.suites) if (!plain.suites.has(p)) out.push({path: p, plain: 'missing', runner: status, outcome: run.outcomes.get(p)});
  return out;
}

// ---------------------------------------------------------------------------------------
// edits

function applyEdit(dir, edit) {
  const file = path.join(dir, edit.file);
  const original = fs.readFileSync(file, 'utf8');
  const count = original.split(edit.from).length - 1;
  if (count !== 1) throw new Error(`edit of ${edit.file}: ${JSON.stringify(edit.from)} occurs ${count} times (must be once)`);
  fs.writeFileSync(file, original.replace(edit.from, () => edit.to));
  return () => fs.writeFileSync(file, original);
}

function checkEdits(dir, project) {
  const bad = [];
  for (const e of project.edits || []) {
    try {
      applyEdit(dir, e)();
    } catch (err) {
      bad.push(err.message);
    }
  }
  return bad;
}

// ---------------------------------------------------------------------------------------
// one project

function runProject(args, project, tgz) {
  const dir = path.resolve(args.checkouts, project.dir || project.name);
  const work = path.join(args.work, project.name);
  const logDir = path.join(work, 'logs');
  rmrf(work);
  fs.mkdirSync(logDir, {recursive: true});
  const result = {name: project.name, dir, repo: project.repo, commit: project.commit, problems: [], edits: []};
  console.log(`\n== ${project.name} (${dir})`);
  const head = sh('git rev-parse HEAD', {cwd: dir, env: process.env}).stdout.trim();
  result.checkedOut = head;
  if (project.commit && head && head !== project.commit) result.problems.push(`checkout is at ${head}, the projects file says ${project.commit}`);
  const badEdits = checkEdits(dir, project);
  if (badEdits.length) {
    result.problems.push(...badEdits);
    console.log(`  bad edits:\n    ${badEdits.join('\n    ')}`);
  }
  if (args.install) result.install = installRunner(project, dir, tgz, logDir);
  result.jest = jestVersion(dir);
  const runnerPath = require.resolve('jest-runner-cache', {paths: [dir]});
  const {command: commandWithoutConfig, config: fromCommand} = splitConfig(project.command, dir);
  const original = fromCommand || findOwnConfig(dir);
  const wrapper = writeWrapper(dir, original, runnerPath);
  result.wrapper = {file: wrapper, original: original && path.relative(dir, original), runner: runnerPath};
  const ctx = {project, dir, work, logDir, args, command: project.command, commandWithoutConfig, wrapper};
  const cacheOf = mode => path.join(work, 'cache', mode);
  try {
    if (args.warmup) {
      jestRun(ctx, 'warmup-plain', {runner: false});
      // Each cacheDirectory is warmed where it is: Jest's transform cache keys hold the
      // config, cacheDirectory included, so a copy of another folder's cache is cold.
      jestRun(ctx, 'warmup-runner', {runner: true, mode: 'off', cacheDir: 'runner'});
      jestRun(ctx, 'warmup-off', {runner: true, mode: 'off'});
    }
    const plain = jestRun(ctx, 'plain', {runner: false});
    if (!plain.suites.size) throw new Error(`plain Jest gave no results: ${plain.problems.join('; ')}`);
    rmrf(path.join(cacheOf('runner'), 'jest-runner-cache'));
    const cold = jestRun(ctx, 'cold', {runner: true});
    const cached = jestRun(ctx, 'cached', {runner: true});
    result.wrapperNotes = cold.notes || [];
    ctx.result = result;
    for (const r of [plain, cold, cached]) result.problems.push(...r.problems);
    result.seconds = {plain: plain.seconds, cold: cold.seconds, cached: cached.seconds};
    result.suites = plain.suites.size;
    result.plainPassed = [...plain.suites.values()].filter(s => s === 'passed').length;
    result.plainFailed = [...plain.suites].filter(([, s]) => s !== 'passed').map(([p]) => p);
    result.diffCold = differences(plain, cold);
    result.diffCached = differences(plain, cached);
    const passing = [...plain.suites].filter(([, s]) => s === 'passed').map(([p]) => p);
    const notReplayed = passing.filter(p => !replayed(cached.outcomes.get(p)));
    result.repeat = {
      passing: passing.length,
      replayed: passing.length - notReplayed.length,
      notReplayed: notReplayed.map(p => ({path: p, ...(cached.outcomes.get(p) || {outcome: 'missing'})})),
      outcomes: Object.fromEntries(cached.outcomes),
    };
    result.cold = {outcomes: Object.fromEntries(cold.outcomes)};

    let n = 0;
    for (const edit of args.edits ? project.edits || [] : []) {
      if (n++ >= args.maxEdits) break;
      if (args.kind && edit.kind !== args.kind) continue;
      if (badEdits.some(b => b.startsWith(`edit of ${edit.file}:`))) continue;
      const label = `${edit.kind}-${n}`;
      const rec = {kind: edit.kind, file: edit.file, from: edit.from, to: edit.to};
      let revert;
      try {
        revert = applyEdit(dir, edit);
        const on = jestRun(ctx, `${label}-on`, {runner: true, label: `${label}-on`});
        rec.onSeconds = on.seconds;
        rec.on = summarize(on.outcomes);
        rec.onFailed = [...on.suites].filter(([, s]) => s !== 'passed').map(([p]) => p);
        result.problems.push(...on.problems);
        if (edit.kind === 'behaviour') {
          const off = jestRun(ctx, `${label}-off`, {runner: true, mode: 'off', label: `${label}-off`});
          result.problems.push(...off.problems);
          rec.offSeconds = off.seconds;
          rec.offFailed = [...off.suites].filter(([, s]) => s !== 'passed').map(([p]) => p);
          rec.stalePasses = rec.offFailed
            .filter(p => on.suites.get(p) === 'passed')
            .map(p => ({path: p, ...(on.outcomes.get(p) || {})}));
          rec.failOnlyWithCache = rec.onFailed.filter(p => off.suites.get(p) === 'passed');
          // A run without --json output ended early (a test crashed the Jest process):
          // nothing to compare suite by suite; it counts as caught when both crashed.
          rec.crashed = {on: !on.json, off: !off.json};
          rec.detected = rec.offFailed.length > 0 || !off.json;
          if (!off.json && on.json && !rec.onFailed.length) {
            const msg = `STALE PASS: ${project.name}: with JEST_RUNNER_CACHE=off the Jest process crashed after editing ${edit.file}, with the cache every suite passed`;
            console.log(`  !!!!!!!! ${msg}`);
            result.problems.push(msg);
          }
          for (const s of rec.stalePasses) {
            const msg = `STALE PASS: ${project.name} ${s.path} passed with the cache (${s.outcome}${s.reason ? `: ${s.reason}` : ''}) but fails with JEST_RUNNER_CACHE=off after editing ${edit.file}`;
            console.log(`  !!!!!!!! ${msg}`);
            result.problems.push(msg);
          }
          if (!rec.detected) console.log(`  (edit ${n} of ${edit.file} fails no suite even with the cache off: not a test of staleness)`);
          else if (!off.json) console.log(`  (edit ${n} of ${edit.file}: the Jest process crashed with the cache off${on.json ? '' : ' and on'})`);
        } else {
          // Suites that missed stage 1 reach the edited file (its hash is in their action
          // key); of those, the ones that replayed on REPEAT should replay by stage 2.
          const reach = [...on.outcomes]
            .filter(([p, o]) => o.outcome !== 'hit-action' && replayed(cached.outcomes.get(p)))
            .map(([p, o]) => ({path: p, ...o}));
          rec.reach = reach.length;
          rec.replayed = reach.filter(o => o.outcome === 'hit-content').length;
          rec.ranPaths = reach.filter(o => o.outcome !== 'hit-content').map(o => ({path: o.path, outcome: o.outcome, reason: o.reason}));
        }
      } catch (err) {
        rec.error = err.message;
        result.problems.push(`edit ${n}: ${err.message}`);
      } finally {
        if (revert) revert();
      }
      result.edits.push(rec);
    }
    if (result.edits.length) {
      const after = jestRun(ctx, 'after', {runner: true});
      result.problems.push(...after.problems);
      const nr = passing.filter(p => !replayed(after.outcomes.get(p)));
      result.after = {seconds: after.seconds, replayed: passing.length - nr.length, notReplayed: nr.map(p => ({path: p, ...(after.outcomes.get(p) || {})}))};
    }
  } finally {
    rmrf(wrapper);
  }
  if (ctx.mutated) result.testsRewroteTrackedFiles = ctx.mutated;
  return result;
}

// ---------------------------------------------------------------------------------------
// the table

function pct(a, b) {
  return b ? `${((100 * a) / b).toFixed(a === b ? 0 : 1)} %` : 'n/a';
}

function row(r) {
  if (r.error) return `| ${r.name} | error: ${r.error.split('\n')[0]} |||||||||`;
  const nr = r.repeat.notReplayed;
  const shown = nr.slice(0, 5).map(s => `${s.path} (${s.outcome}${s.reason ? `: ${s.reason}` : ''})`);
  if (nr.length > 5) shown.push(`… ${nr.length - 5} more`);
  const behaviour = r.edits.filter(e => e.kind === 'behaviour' && !e.error);
  const comments = r.edits.filter(e => e.kind === 'comment' && !e.error);
  const stale = behaviour.reduce((a, e) => a + e.stalePasses.length, 0);
  const detected = behaviour.filter(e => e.detected).length;
  const reach = comments.reduce((a, e) => a + e.reach, 0);
  const cReplayed = comments.reduce((a, e) => a + e.replayed, 0);
  const onlyWithCache = behaviour.reduce((a, e) => a + e.failOnlyWithCache.length, 0);
  return [
    r.name,
    `${r.suites} (${r.plainPassed} pass)`,
    `${pct(r.repeat.replayed, r.repeat.passing)} (${r.repeat.replayed}/${r.repeat.passing})${shown.length ? `; not: ${shown.join('; ')}` : ''}`,
    `${r.diffCold.length} / ${r.diffCached.length}`,
    `${stale} in ${behaviour.length} (${detected} caught by tests)${onlyWithCache ? `; ${onlyWithCache} fail only with cache` : ''}`,
    comments.length ? `${pct(cReplayed, reach)} (${comments.map(e => `${e.replayed}/${e.reach}`).join(', ')})` : 'n/a',
    r.after ? pct(r.after.replayed, r.repeat.passing) : 'n/a',
    `${r.seconds.plain.toFixed(1)} / ${r.seconds.cold.toFixed(1)} / ${r.seconds.cached.toFixed(1)}`,
  ]
    .map(s => ` ${s} `)
    .join('|')
    .replace(/^/, '|')
    .replace(/$/, '|');
}

function table(results) {
  return [
    '| project | suites | replayed on REPEAT (not replayed: reason) | outcome ≠ plain (cold / cached) | stale passes (behaviour edits) | comment edits replayed (each edit: replayed/reached) | replayed after reverts | plain / cold / cached s |',
    '|---|---|---|---|---|---|---|---|',
    ...results.map(row),
  ].join('\n');
}

// ---------------------------------------------------------------------------------------

function main() {
  const args = parseArgs(process.argv.slice(2));
  let projects = JSON.parse(fs.readFileSync(args.projects, 'utf8'));
  if (!Array.isArray(projects)) projects = projects.projects;
  if (args.only) projects = projects.filter(p => args.only.includes(p.name));
  if (args.setup) {
    // Shell lines that make the checkouts (the repositories are not part of this repo).
    for (const p of projects) {
      console.log(`git clone ${p.repo} ${p.dir || p.name} && (cd ${p.dir || p.name} && git checkout ${p.commit} && ${p.install})`);
    }
    return;
  }
  fs.mkdirSync(args.work, {recursive: true});
  const tgz = args.install ? packRunner(args) : undefined;
  if (tgz) console.log(`runner package: ${tgz}`);
  const results = [];
  const started = new Date().toISOString();
  for (const project of projects) {
    let result;
    try {
      result = runProject(args, project, tgz);
    } catch (err) {
      console.log(`  ERROR: ${err.stack || err}`);
      result = {name: project.name, error: String(err.message || err)};
    }
    results.push(result);
    fs.writeFileSync(args.out, JSON.stringify({started, node: process.version, cpus: os.cpus().length, results}, null, 2));
  }
  const head = sh('git rev-parse --short HEAD', {cwd: REPO, env: process.env}).stdout.trim();
  console.log(`\nrunner at ${head}; Node ${process.version}; ${os.cpus().length} cores; single samples of whole jest processes on a shared machine: timings are noisy.\n`);
  console.log(table(results));
  const problems = results.flatMap(r => (r.error ? [`${r.name}: ${r.error}`] : r.problems.map(p => `${r.name}: ${p}`)));
  const diffs = results.flatMap(r =>
    r.error ? [] : [...r.diffCold.map(d => ({...d, run: 'cold'})), ...r.diffCached.map(d => ({...d, run: 'cached'}))].map(d => `${r.name} (${d.run}): ${d.path}: plain ${d.plain}, runner ${d.runner}${d.outcome ? ` (${d.outcome.outcome}${d.outcome.reason ? `: ${d.outcome.reason}` : ''})` : ''}`),
  );
  const notes = results.flatMap(r => (r.wrapperNotes || []).map(n => `${r.name}: ${n}`));
  if (diffs.length) console.log(`\noutcome differences:\n  ${diffs.join('\n  ')}`);
  if (notes.length) console.log(`\nwrapper notes:\n  ${notes.join('\n  ')}`);
  if (problems.length) console.log(`\nproblems:\n  ${problems.join('\n  ')}`);
  console.log(`\nfull results: ${args.out}`);
  const stale = problems.some(p => p.includes('STALE PASS'));
  process.exitCode = stale || diffs.length ? 1 : 0;
}

main();
