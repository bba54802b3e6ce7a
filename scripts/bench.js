#!/usr/bin/env node
// The benchmark (`npm run bench`): generates a TypeScript project with N suites over a
// shared module graph (scripts/bench/project.js), then times whole `jest` processes:
//
//   plain     Jest's own runner (no `runner` setting)
//   floor     scripts/bench/floorRunner.js: reports a pass for every file, reads nothing
//   cold      this runner with an empty store (the store is deleted before each run)
//   first     this runner's first run after runs with the cache off (JEST_RUNNER_CACHE=off,
//             the same config): an empty store, Jest's transform cache as those runs left it
//             (restored before each run), so a runner that transforms with another config
//             than the project's pays every transform here
//   cached    this runner, nothing changed: every suite replayed (checked in the report)
//   edit      this runner after a real code edit of a shared module about 5% of the suites
//             import: exactly those suites run (checked in the report)
//   affected  Jest's own runner on only the affected suites (--runTestsByPath), after the
//             same kind of edit: what `edit` is compared with, plus the floor
//
// Each run starts once the files the runs before it wrote are on disk (`sync`): a cold run
// writes thousands of store entries, and the kernel writing them back must not be timed
// as part of the run after it.
// Every scenario has its own fresh --cacheDirectory and one unmeasured warm-up run, so
// Jest's transform cache (and haste map) are warm and plain/cold measure runners, not
// swc's first compile; cached and edit start from a copy of what cold's warm-up left
// (a filled store), and their warm-up run is one of their own kind. Then the scenarios
// run in interleaved rounds (plain, floor, cold, first, cached, edit, affected; --runs rounds),
// so a load that drifts meanwhile weighs on all of them alike, every other round in the
// opposite order, so that a place in the round (what ran just before, how long the machine
// has been busy) is no one scenario's. A scenario whose first sample took under 5 s runs
// 5 times a round, in turn with the other short ones (floor, cached, edit, affected).
// Figures are medians of all samples. Peak RSS is the main jest process's own (see
// scripts/bench/maxRss.js), the median of the measured runs' peaks (each run's is printed
// too). After the rounds, an untimed memory pass runs plain and cold once more with a full
// GC every 2 s: the heap each keeps live (median of the post-GC heaps), which a peak RSS
// buries under garbage that V8 collects late.
//
// Two optional groups of scenarios join the same rounds (the default bench is as above):
//
// --coverage (coverage runs, babel provider, reports written under the bench's temp folder
//            with --coverageDirectory; every run checked to have written coverage-final.json)
//   plainCov   Jest's own runner with --coverage
//   cachedCov  this runner with --coverage, nothing changed: its store filled by its own
//              warm-up (a coverage run stores coverage passes), every suite replayed
//   and after the rounds, the size of cachedCov's and cached's stores
//   (<cacheDir>/jest-runner-cache, every file) divided by the suites.
//
// --remote (a second machine replaying from a remote cache; turborepo-remote-cache on
//          127.0.0.1, scripts/bench/remote.js): cold's warm-up, in the generated project,
//          also uploads every pass (readwrite, the server's url, token and team set); the
//          second machine is a copy of the project in another folder (node_modules linked
//          as for the first), whose runs have their own cacheDirectory, keep Jest's transform
//          cache and haste map but start with an empty store (<cacheDir>/jest-runner-cache
//          deleted before each run), in JEST_RUNNER_CACHE=readwrite (the default mode: the
//          remote hits are written to the local store too, as a CI machine's run would)
//   remote      every suite replayed from the server (checked: a hit with "remote": true)
//   remote20ms  the same through a proxy in the bench that delays each request by 20 ms
//   compared with cached (a local replay): remote/cached, remote20ms/cached.
//
//   node scripts/bench.js [--suites 300|100,300,1200] [--runs 3] [--json out.json] [--keep]
//                         [--seed n] [--quiet] [--coverage] [--remote]
'use strict';
const {spawn, spawnSync} = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const {generateProject} = require('./bench/project');
const {startRemoteServer, startDelayProxy, remoteEnv} = require('./bench/remote');

const REPO = path.resolve(__dirname, '..');
const FLOOR_RUNNER = path.join(__dirname, 'bench', 'floorRunner.js');
const MAXRSS_PRELOAD = path.join(__dirname, 'bench', 'maxRss.js');
/** Scenarios whose first sample took less than this are sampled SHORT_SAMPLES times a round. */
const SHORT_MS = 5000;
const SHORT_SAMPLES = 5;
/** The added latency of each request in the `remote20ms` scenario. */
const REMOTE_DELAY_MS = 20;

const GOALS = {
  300: [
    {ratio: 'cachedPlain', label: 'cached/plain', limit: 0.05},
    {ratio: 'cachedFloor', label: 'cached/floor', limit: 1.25},
    {ratio: 'coldPlain', label: 'cold/plain', limit: 1.1},
    {ratio: 'firstPlain', label: 'first/plain', limit: 1.1},
    {ratio: 'edit', label: 'edit/(floor+affected)', limit: 1.3},
  ],
  1200: [
    {ratio: 'cachedFloor', label: 'cached/floor', limit: 1.2},
    {ratio: 'coldPlain', label: 'cold/plain', limit: 1.05},
    {ratio: 'firstPlain', label: 'first/plain', limit: 1.1},
    {ratio: 'coldRssOverPlainMb', label: 'peak RSS cold - plain (MB)', limit: 100},
  ],
};

function parseArgs(argv) {
  const args = {
    suites: [300],
    runs: 3,
    json: undefined,
    keep: false,
    seed: 20240604,
    quiet: false,
    coverage: false,
    remote: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.includes('=') ? arg.split(/=(.*)/s) : [arg, undefined];
    const value = () => (inline !== undefined ? inline : argv[++i]);
    switch (flag) {
      case '--suites':
        args.suites = String(value())
          .split(',')
          .map(s => Number.parseInt(s.trim(), 10));
        break;
      case '--runs':
        args.runs = Number.parseInt(value(), 10);
        break;
      case '--json':
        args.json = path.resolve(value());
        break;
      case '--seed':
        args.seed = Number.parseInt(value(), 10);
        break;
      case '--keep':
        args.keep = true;
        break;
      case '--quiet':
        args.quiet = true;
        break;
      case '--coverage':
        args.coverage = true;
        break;
      case '--remote':
        args.remote = true;
        break;
      case '-h':
      case '--help':
        console.log(
          'usage: node scripts/bench.js [--suites 300|100,300,1200] [--runs 3] [--json file] [--keep] [--seed n] [--quiet]\n' +
            '                             [--coverage] [--remote]',
        );
        process.exit(0);
        break;
      default:
        throw new Error(`bench: unknown argument ${arg}`);
    }
  }
  if (args.suites.some(n => !Number.isInteger(n) || n < 20)) throw new Error('bench: --suites takes integers >= 20');
  if (!Number.isInteger(args.runs) || args.runs < 1) throw new Error('bench: --runs takes an integer >= 1');
  return args;
}

const median = values => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * A copy of the built package (package.json + dist/) taken when the bench starts, so a
 * rebuild of dist/ while the bench runs (it takes minutes) cannot mix two builds into
 * one set of figures. Its dependencies resolve through a node_modules link to the repo's.
 * It sits in a node_modules folder, as an installed runner does: Jest loads a runner
 * through its require hook, which hashes every module it loads outside node_modules.
 */
function snapshotRunner(work) {
  const dir = path.join(work, 'runner', 'node_modules', 'jest-runner-cache');
  fs.mkdirSync(dir, {recursive: true});
  fs.copyFileSync(path.join(REPO, 'package.json'), path.join(dir, 'package.json'));
  fs.cpSync(path.join(REPO, 'dist'), path.join(dir, 'dist'), {recursive: true});
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

/**
 * Links the repo's packages into the project's node_modules, and the runner snapshot.
 * npm's install state (node_modules/.package-lock.json) comes along, as in any npm project.
 */
function linkNodeModules(dir, runnerDir) {
  const target = path.join(dir, 'node_modules');
  fs.mkdirSync(target, {recursive: true});
  for (const name of fs.readdirSync(path.join(REPO, 'node_modules'))) {
    if ((name.startsWith('.') && name !== '.package-lock.json') || name === 'jest-runner-cache') continue;
    fs.symlinkSync(path.join(REPO, 'node_modules', name), path.join(target, name));
  }
  fs.symlinkSync(runnerDir, path.join(target, 'jest-runner-cache'));
}

let current;
/** Servers the bench started (--remote), stopped at its end or when it is stopped. */
const running = new Set();

/** Stops the jest process being timed, with the workers it started (its process group). */
function stopCurrent() {
  if (!current || current.exitCode !== null || current.signalCode !== null) return;
  try {
    process.kill(-current.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Runs a process to its end, collecting its output; its own process group (see stopCurrent). */
function runProcess(command, args, options) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {...options, detached: true, stdio: ['ignore', 'pipe', 'pipe']});
    current = child;
    const out = [];
    const err = [];
    child.stdout.on('data', chunk => out.push(chunk));
    child.stderr.on('data', chunk => err.push(chunk));
    child.on('error', reject);
    child.on('close', (status, signal) => {
      current = undefined;
      resolve({
        status,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}

/** Writes dirty pages back to disk, where the platform has `sync` (see the top of this file). */
function flushDisk() {
  if (process.platform !== 'win32') spawnSync('sync', {stdio: 'ignore'});
}

/** The environment of the measured processes: nothing of ours leaks in. */
function baseEnv() {
  const env = {...process.env, FORCE_COLOR: '0'};
  for (const key of Object.keys(env)) {
    if (key.startsWith('JEST_RUNNER_CACHE') || key === 'JEST_WORKER_ID' || key === 'JEST_BENCH_MAXRSS_FILE') {
      delete env[key];
    }
  }
  return env;
}

/** What Bench.run takes from a scenario. */
const runOptions = s => ({args: s.extraArgs ? s.extraArgs() : [], env: s.env, dir: s.dir});

class Bench {
  constructor(project, work, log) {
    this.project = project;
    this.work = work;
    this.log = log;
    this.jest = path.join(project.dir, 'node_modules', 'jest', 'bin', 'jest.js');
    this.env = baseEnv();
  }

  /**
   * One whole jest process, in the project's folder or `dir` (a copy of it); returns wall
   * ms, the main process's peak RSS and the report.
   */
  async run(config, cacheDir, {args: extraArgs = [], env: extraEnv = {}, dir = this.project.dir} = {}) {
    const rssFile = path.join(this.work, 'maxrss.txt');
    const reportFile = path.join(this.work, 'report.json');
    fs.rmSync(rssFile, {force: true});
    fs.rmSync(reportFile, {force: true});
    const args = [
      '-r',
      MAXRSS_PRELOAD,
      this.jest,
      '--ci=false',
      '--cacheDirectory',
      cacheDir,
      '--config',
      path.join(dir, `jest.${config}.config.js`),
      ...extraArgs,
    ];
    const env = {...this.env, ...extraEnv, JEST_BENCH_MAXRSS_FILE: rssFile};
    if (config === 'cache') env.JEST_RUNNER_CACHE_REPORT = reportFile;
    flushDisk();
    const started = process.hrtime.bigint();
    const child = await runProcess(process.execPath, args, {cwd: dir, env});
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (child.status !== 0) {
      throw new Error(
        `bench: jest (${config}) exited with ${child.status ?? child.signal}\n${child.stdout}\n${child.stderr.slice(-8000)}`,
      );
    }
    const usage = fs.existsSync(rssFile) ? JSON.parse(fs.readFileSync(rssFile, 'utf8')) : {};
    const suites = fs.existsSync(reportFile) ? JSON.parse(fs.readFileSync(reportFile, 'utf8')).suites : null;
    return {
      ms,
      rssKb: usage.maxRssKb ?? null,
      cpuMs: usage.cpuMs ?? null,
      retainedKb: usage.retainedKb?.length > 0 ? median(usage.retainedKb) : null,
      suites,
      stderr: child.stderr,
    };
  }

  /**
   * Measures scenarios in interleaved rounds (one run of each per round), so a load that
   * drifts during the bench weighs on all of them alike. Each scenario has a fresh
   * cacheDirectory (or, with `seedFrom`, a copy of another scenario's) and one unmeasured
   * warm-up run first, `before()` applied before it too. Per run: `before()` (not timed), the
   * jest process, `check(result)`, `after()` (not timed). A scenario's `dir` is the project
   * folder it runs in (by default the generated project), `env` what its runs (warm-up
   * included) add to the environment, `warmUpEnv` what its warm-up adds.
   */
  async measure(scenarios, runs) {
    for (const s of scenarios) {
      s.cacheDir = path.join(this.work, `cache-${s.name}`);
      s.samples = [];
      fs.rmSync(s.cacheDir, {recursive: true, force: true});
      if (s.seedFrom) {
        // What a cold run leaves, without running one more: at 1200 suites a cold run
        // takes minutes. The warm-up run then does what the scenario's runs do.
        fs.cpSync(scenarios.find(other => other.name === s.seedFrom).cacheDir, s.cacheDir, {recursive: true});
      }
      // The project as the scenario's runs see it (an earlier scenario may have edited it).
      if (s.before) s.before(s.cacheDir);
      this.log(`  ${s.name}: warm-up`);
      await this.run(s.config, s.cacheDir, {...runOptions(s), env: {...s.env, ...s.warmUpEnv}});
      // Every run then starts from what the warm-up left.
      if (s.restoreWarmUp) fs.cpSync(s.cacheDir, `${s.cacheDir}-warm`, {recursive: true});
    }
    for (let i = 0; i < runs; i++) {
      const times = new Map(scenarios.map(s => [s, []]));
      const sample = async s => {
        const result = await this.runOnce(s);
        s.samples.push({ms: result.ms, rssKb: result.rssKb, cpuMs: result.cpuMs});
        times.get(s).push((result.ms / 1000).toFixed(2));
        // A scenario of a few seconds (judged by its first sample: a warm-up may be a
        // cold run) is sampled several times a round: on a shared machine one stall
        // would otherwise move its median, and the extra runs cost seconds.
        s.perRound ??= result.ms < SHORT_MS ? SHORT_SAMPLES : 1;
      };
      // Each scenario once (the first round decides which are short), then the short
      // ones in turn until each has its samples: floor and cached are then measured
      // seconds apart, under the same load, not minutes apart. Every other round the
      // other way round (see the top of this file).
      const order = i % 2 === 0 ? scenarios : [...scenarios].reverse();
      for (const s of order) await sample(s);
      let short;
      while ((short = order.filter(s => times.get(s).length < s.perRound)).length > 0) {
        for (const s of short) await sample(s);
      }
      this.log(`  run ${i + 1}/${runs}: ${scenarios.map(s => `${s.name} ${times.get(s).join('/')} s`).join(', ')}`);
    }
    const out = {};
    for (const s of scenarios) {
      out[s.name] = {
        ms: median(s.samples.map(x => x.ms)),
        rssKb: s.samples.every(x => x.rssKb !== null) ? median(s.samples.map(x => x.rssKb)) : null,
        samplesMs: s.samples.map(x => Math.round(x.ms)),
        samplesRssKb: s.samples.map(x => x.rssKb),
        cpuMs: s.samples.every(x => x.cpuMs !== null) ? median(s.samples.map(x => x.cpuMs)) : null,
        cacheDir: s.cacheDir,
      };
    }
    return out;
  }

  /**
   * One measured run of a scenario: from its warm-up's state where it restores one,
   * `before()`, the jest process (with `extraEnv`), `check(result)`, `after()`.
   */
  async runOnce(s, extraEnv = {}) {
    if (s.restoreWarmUp) {
      fs.rmSync(s.cacheDir, {recursive: true, force: true});
      fs.cpSync(`${s.cacheDir}-warm`, s.cacheDir, {recursive: true});
    }
    if (s.before) s.before(s.cacheDir);
    const options = runOptions(s);
    const result = await this.run(s.config, s.cacheDir, {...options, env: {...options.env, ...extraEnv}});
    if (s.check) s.check(result);
    if (s.after) s.after();
    return result;
  }

  /**
   * The memory pass: one more run of each scenario, with a full GC every 2 s
   * (scripts/bench/maxRss.js); its median post-GC heap, in KB.
   */
  async retained(scenarios) {
    const out = {};
    for (const s of scenarios) out[s.name] = (await this.runOnce(s, {JEST_BENCH_RETAINED: '1'})).retainedKb;
    this.log(`  memory pass: ${Object.entries(out).map(([name, kb]) => `${name} ${fmtMb(kb)}`).join(', ')} live`);
    return out;
  }
}

/** Checks the runner's report: every suite of `all` is in it, with the expected outcome. */
function expectAll(scenario, suites, all, expected) {
  const seen = expectOutcomes(scenario, suites, expected);
  const missing = [...all].filter(p => !seen.has(p));
  if (missing.length > 0 || seen.size !== all.size) {
    throw new Error(`bench: ${scenario}: report has ${seen.size} suites for ${all.size}; missing e.g. ${missing[0]}`);
  }
}

function expectOutcomes(scenario, suites, expected) {
  if (!suites) throw new Error(`bench: ${scenario}: the runner wrote no report`);
  const problems = [];
  const seen = new Set();
  for (const s of suites) {
    seen.add(s.path);
    const want = expected(s.path);
    const ok = want === 'hit' ? s.outcome.startsWith('hit-') : s.outcome === want;
    if (!ok) problems.push(`${s.path}: ${s.outcome}${s.reason ? ` (${s.reason})` : ''}, expected ${want}`);
  }
  if (problems.length > 0) {
    throw new Error(`bench: ${scenario}: ${problems.length} suites not as expected:\n  ${problems.slice(0, 20).join('\n  ')}`);
  }
  return seen;
}

/** The store of a scenario's cacheDirectory: its bytes, every file (the runner's default store). */
function storeBytes(cacheDir) {
  const store = path.join(cacheDir, 'jest-runner-cache');
  let bytes = 0;
  for (const name of fs.readdirSync(store, {recursive: true})) {
    const stat = fs.statSync(path.join(store, name));
    if (stat.isFile()) bytes += stat.size;
  }
  return bytes;
}

/** --coverage: plainCov and cachedCov, each writing its coverage into its own temp folder. */
function coverageScenarios(work, all, unchanged) {
  const scenario = (name, config, checkReport) => {
    const coverageDir = path.join(work, `coverage-${name}`);
    const report = path.join(coverageDir, 'coverage-final.json');
    return {
      name,
      config,
      extraArgs: () => ['--coverage', '--coverageProvider=babel', '--coverageDirectory', coverageDir],
      before: () => {
        unchanged();
        fs.rmSync(coverageDir, {recursive: true, force: true});
      },
      check: r => {
        if (checkReport) checkReport(r);
        if (!fs.existsSync(report)) throw new Error(`bench: ${name}: no coverage written (${report} is missing)`);
      },
    };
  };
  return [
    scenario('plainCov', 'plain'),
    // No seedFrom: its warm-up, a coverage run on an empty store, stores coverage passes.
    scenario('cachedCov', 'cache', r => expectAll('cachedCov', r.suites, all, () => 'hit')),
  ];
}

/**
 * --remote: turborepo-remote-cache on 127.0.0.1, a proxy in front of it adding
 * REMOTE_DELAY_MS to each request, and a copy of the project in another folder (the second
 * machine), made before any edit. Both servers are stopped by stop(), or by the signal handler.
 */
async function remoteSetUp(project, args, work) {
  const server = await startRemoteServer(path.join(work, `remote-storage-${path.basename(project.dir)}`));
  running.add(server);
  const proxy = await startDelayProxy(server.url, REMOTE_DELAY_MS);
  running.add(proxy);
  const dir = `${project.dir}-other-machine`;
  const ownModules = path.join(project.dir, 'node_modules');
  fs.cpSync(project.dir, dir, {recursive: true, preserveTimestamps: true, filter: src => src !== ownModules});
  linkNodeModules(dir, args.runnerDir);
  return {
    server,
    proxy,
    dir,
    async stop() {
      for (const service of [proxy, server]) {
        await service.stop();
        running.delete(service);
      }
      if (!args.keep) fs.rmSync(dir, {recursive: true, force: true});
    },
  };
}

/** --remote: remote and remote20ms, on the second machine with an empty store before each run. */
function remoteScenarios(remote, all) {
  const scenario = (name, url) => ({
    name,
    config: 'cache',
    dir: remote.dir,
    env: {...remoteEnv(url), JEST_RUNNER_CACHE: 'readwrite'},
    before: cacheDir => fs.rmSync(path.join(cacheDir, 'jest-runner-cache'), {recursive: true, force: true}),
    check: r => {
      expectAll(name, r.suites, all, () => 'hit');
      const local = r.suites.filter(s => s.remote !== true);
      if (local.length > 0) throw new Error(`bench: ${name}: ${local.length} hits not from the remote, e.g. ${local[0].path}`);
    },
  });
  return [scenario('remote', remote.server.url), scenario('remote20ms', remote.proxy.url)];
}

async function benchSize(suiteCount, args, work, log) {
  const dir = path.join(work, `project-${suiteCount}`);
  const project = generateProject(dir, suiteCount, {seed: args.seed, floorRunner: FLOOR_RUNNER});
  linkNodeModules(dir, args.runnerDir);
  log(
    `${suiteCount} suites: edit target ${project.target}, imported by ${project.affected.length} suites ` +
      `(${((100 * project.affected.length) / suiteCount).toFixed(1)}%)`,
  );
  const bench = new Bench(project, work, log);
  const all = new Set(project.suites);
  const affected = new Set(project.affected);
  const remote = args.remote ? await remoteSetUp(project, args, work) : undefined;

  const unchanged = () => project.restoreTarget();
  const scenarios = [
    {name: 'plain', config: 'plain', before: unchanged},
    {name: 'floor', config: 'floor', before: unchanged},
    {
      name: 'cold',
      config: 'cache',
      before: cacheDir => {
        unchanged();
        fs.rmSync(path.join(cacheDir, 'jest-runner-cache'), {recursive: true, force: true});
      },
      check: r => expectAll('cold', r.suites, all, () => 'ran'),
      // --remote: its warm-up (all suites run, an empty store) uploads every pass.
      // The fill waits for every upload: a run gives up on uploads after the remote timeout.
      warmUpEnv: remote
        ? {...remoteEnv(remote.server.url), JEST_RUNNER_CACHE: 'readwrite', JEST_RUNNER_CACHE_REMOTE_TIMEOUT_MS: '600000'}
        : undefined,
    },
    {
      name: 'first',
      config: 'cache',
      warmUpEnv: {JEST_RUNNER_CACHE: 'off'},
      restoreWarmUp: true,
      before: unchanged,
      check: r => expectAll('first', r.suites, all, () => 'ran'),
    },
    {
      name: 'cached',
      config: 'cache',
      seedFrom: 'cold',
      before: unchanged,
      check: r => expectAll('cached', r.suites, all, () => 'hit'),
    },
    {
      name: 'edit',
      config: 'cache',
      seedFrom: 'cold',
      before: () => project.editTarget(),
      check: r => expectAll('edit', r.suites, all, p => (affected.has(p) ? 'ran' : 'hit')),
    },
    {
      name: 'affected',
      config: 'plain',
      extraArgs: () => ['--runTestsByPath', ...project.affected.map(p => path.join(dir, p))],
      before: () => project.editTarget(),
    },
  ];
  const optional = [
    ...(args.coverage ? coverageScenarios(work, all, unchanged) : []),
    ...(remote ? remoteScenarios(remote, all) : []),
  ];
  let m;
  let retainedKb;
  try {
    m = await bench.measure([...scenarios, ...optional], args.runs);
    retainedKb = await bench.retained(scenarios.filter(s => s.name === 'plain' || s.name === 'cold'));
  } finally {
    await remote?.stop();
  }
  const {plain, floor, cold, first, cached, edit, affected: affectedPlain} = m;

  const ratios = {
    cachedPlain: cached.ms / plain.ms,
    cachedFloor: cached.ms / floor.ms,
    coldPlain: cold.ms / plain.ms,
    firstPlain: first.ms / plain.ms,
    edit: edit.ms / (floor.ms + affectedPlain.ms),
    coldRssOverPlainMb: cold.rssKb !== null && plain.rssKb !== null ? (cold.rssKb - plain.rssKb) / 1024 : NaN,
  };
  // The optional scenarios' figures go into the same fields as the default ones'.
  const optionalFigures = field => Object.fromEntries(optional.map(s => [s.name, m[s.name][field]]));
  let storeBytesPerSuite;
  if (args.coverage) {
    ratios.cachedCovPlainCov = m.cachedCov.ms / m.plainCov.ms;
    storeBytesPerSuite = {
      cached: storeBytes(cached.cacheDir) / suiteCount,
      cachedCov: storeBytes(m.cachedCov.cacheDir) / suiteCount,
    };
  }
  if (remote) {
    ratios.remoteCached = m.remote.ms / cached.ms;
    ratios.remote20msCached = m.remote20ms.ms / cached.ms;
  }
  const goals = (GOALS[suiteCount] || []).map(g => ({
    ...g,
    value: ratios[g.ratio],
    met: ratios[g.ratio] <= g.limit,
  }));
  if (!args.keep) fs.rmSync(dir, {recursive: true, force: true});
  return {
    suites: suiteCount,
    editTarget: project.target,
    affectedSuites: project.affected.length,
    medianMs: {
      plain: plain.ms,
      floor: floor.ms,
      cold: cold.ms,
      first: first.ms,
      cached: cached.ms,
      edit: edit.ms,
      affectedPlain: affectedPlain.ms,
      ...optionalFigures('ms'),
    },
    samplesMs: {
      plain: plain.samplesMs,
      floor: floor.samplesMs,
      cold: cold.samplesMs,
      first: first.samplesMs,
      cached: cached.samplesMs,
      edit: edit.samplesMs,
      affectedPlain: affectedPlain.samplesMs,
      ...optionalFigures('samplesMs'),
    },
    ratios,
    // Each run's peak, in run order: one full GC that leaves much more than usual (still
    // reachable for a moment) lets V8 grow the heap about fourfold, so single runs of
    // plain Jest too peak far above their usual (README, issue 14). Hence the median of
    // the peaks, and the heap kept live (the memory pass) beside them.
    retainedKb,
    samplesRssKb: {plain: plain.samplesRssKb, cold: cold.samplesRssKb, first: first.samplesRssKb},
    peakRssKb: {
      cached: cached.rssKb,
      cold: cold.rssKb,
      first: first.rssKb,
      plain: plain.rssKb,
      floor: floor.rssKb,
      ...optionalFigures('rssKb'),
    },
    // CPU time (user + system) of the main jest process only, not its workers: a figure
    // less sensitive than wall time to other load on the machine. Plain runs in band on
    // machines where Jest picks one worker (2 CPUs), so there it covers the whole run.
    mainCpuMs: {
      plain: plain.cpuMs,
      floor: floor.cpuMs,
      cold: cold.cpuMs,
      first: first.cpuMs,
      cached: cached.cpuMs,
      edit: edit.cpuMs,
      affectedPlain: affectedPlain.cpuMs,
      ...optionalFigures('cpuMs'),
    },
    ...(storeBytesPerSuite && {storeBytesPerSuite}),
    ...(remote && {remoteDelayMs: REMOTE_DELAY_MS}),
    goals,
  };
}

const fmtS = ms => `${(ms / 1000).toFixed(2)} s`;
const fmtMb = kb => (kb === null || kb === undefined ? 'n/a' : `${(kb / 1024).toFixed(0)} MB`);

function goalMark(row, ratio) {
  const goal = row.goals.find(g => g.ratio === ratio);
  return goal ? ` (<= ${goal.limit} ${goal.met ? 'met' : 'MISSED'})` : '';
}

function table(rows) {
  const header = [
    'suites',
    'plain',
    'floor',
    'cold',
    'first',
    'cached',
    'edit',
    'affected plain',
    'cached/plain',
    'cached/floor',
    'cold/plain',
    'first/plain',
    'edit/(floor+affected)',
    'peak RSS plain',
    'peak RSS cold',
    'peak RSS cached',
  ];
  const body = rows.map(r => [
    String(r.suites),
    fmtS(r.medianMs.plain),
    fmtS(r.medianMs.floor),
    fmtS(r.medianMs.cold),
    fmtS(r.medianMs.first),
    fmtS(r.medianMs.cached),
    fmtS(r.medianMs.edit),
    `${fmtS(r.medianMs.affectedPlain)} (${r.affectedSuites})`,
    r.ratios.cachedPlain.toFixed(3) + goalMark(r, 'cachedPlain'),
    r.ratios.cachedFloor.toFixed(2) + goalMark(r, 'cachedFloor'),
    r.ratios.coldPlain.toFixed(2) + goalMark(r, 'coldPlain'),
    r.ratios.firstPlain.toFixed(2) + goalMark(r, 'firstPlain'),
    r.ratios.edit.toFixed(2) + goalMark(r, 'edit'),
    fmtMb(r.peakRssKb.plain),
    fmtMb(r.peakRssKb.cold) + goalMark(r, 'coldRssOverPlainMb'),
    fmtMb(r.peakRssKb.cached),
  ]);
  const lines = [header, ...body];
  const widths = header.map((_, i) => Math.max(...lines.map(l => l[i].length)));
  const fmt = l => `| ${l.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [fmt(header), `|${widths.map(w => '-'.repeat(w + 2)).join('|')}|`, ...body.map(fmt)].join('\n');
}

const fmtKb = bytes => `${(bytes / 1024).toFixed(1)} kB`;

/** The figures of --coverage and --remote, for the rows that have them: lines after the table. */
function optionalLines(rows) {
  const lines = [];
  const withCoverage = rows.filter(r => r.ratios.cachedCovPlainCov !== undefined);
  if (withCoverage.length > 0) {
    lines.push('', 'Coverage (--coverage, babel provider): plainCov Jest\'s own runner, cachedCov this runner, every suite replayed:');
    for (const r of withCoverage) {
      const {medianMs: ms, storeBytesPerSuite: store} = r;
      lines.push(
        `  ${r.suites} suites: plainCov ${fmtS(ms.plainCov)}, cachedCov ${fmtS(ms.cachedCov)}, ` +
          `cachedCov/plainCov ${r.ratios.cachedCovPlainCov.toFixed(3)}; ` +
          `store per suite: coverage ${fmtKb(store.cachedCov)}, plain cached ${fmtKb(store.cached)}`,
      );
    }
  }
  const withRemote = rows.filter(r => r.ratios.remoteCached !== undefined);
  if (withRemote.length > 0) {
    lines.push(
      '',
      'Remote cache (a second checkout, empty local store, turborepo-remote-cache on 127.0.0.1; ' +
        `remote20ms: ${withRemote[0].remoteDelayMs} ms added per request):`,
    );
    for (const r of withRemote) {
      const ms = r.medianMs;
      lines.push(
        `  ${r.suites} suites: cached (local) ${fmtS(ms.cached)}, remote ${fmtS(ms.remote)}, ` +
          `remote20ms ${fmtS(ms.remote20ms)}; remote/cached ${r.ratios.remoteCached.toFixed(2)}, ` +
          `remote20ms/cached ${r.ratios.remote20msCached.toFixed(2)}`,
      );
    }
  }
  return lines;
}

/** Which runner was measured: the commit, and whether src/ had uncommitted changes. */
function runnerRevision() {
  const git = args => spawnSync('git', args, {cwd: REPO, encoding: 'utf8'});
  const head = git(['rev-parse', '--short', 'HEAD']);
  if (head.status !== 0) return 'unknown';
  const dirty = git(['status', '--porcelain', '--', 'src']).stdout.trim() !== '';
  let built = 0;
  const walk = dir => {
    for (const entry of fs.readdirSync(dir, {withFileTypes: true})) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else built = Math.max(built, fs.statSync(file).mtimeMs);
    }
  };
  walk(path.join(REPO, 'dist'));
  return (
    `${head.stdout.trim()}${dirty ? ' + uncommitted src/ changes' : ''}, ` +
    `dist/ built ${new Date(built).toISOString().slice(0, 19)}Z`
  );
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(path.join(REPO, 'dist', 'index.js'))) {
    throw new Error('bench: dist/ is missing; run `npm run build` (or `npm run bench`)');
  }
  const work = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'jest-runner-cache-bench-')));
  // Stopped from outside: stop the jest process being timed (and its workers) and
  // remove the temp folder.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      stopCurrent();
      for (const service of running) service.stop();
      if (!args.keep) fs.rmSync(work, {recursive: true, force: true});
      console.error(`bench: stopped by ${signal}`);
      process.exit(128 + os.constants.signals[signal]);
    });
  }
  const log = args.quiet ? () => {} : message => console.error(message);
  const jestVersion = require(path.join(REPO, 'node_modules', 'jest', 'package.json')).version;
  log(`bench in ${work}: jest ${jestVersion}, node ${process.version}, ${os.cpus().length} CPUs, ${args.runs} runs each`);
  const loadAtStart = os.loadavg().map(l => l.toFixed(2)).join(' ');
  const revision = runnerRevision();
  const meta = {
    runner: revision,
    jest: jestVersion,
    node: process.version,
    platform: `${os.platform()}/${os.arch()}`,
    cpus: os.cpus().length,
    runs: args.runs,
    seed: args.seed,
  };
  const rows = [];
  try {
    args.runnerDir = snapshotRunner(work);
    for (const n of args.suites) {
      rows.push(await benchSize(n, args, work, log));
      // Each size takes minutes: show (and save) what is done so far.
      if (args.suites.length > 1) log(`\n${[table(rows.slice(-1)), ...optionalLines(rows.slice(-1))].join('\n')}\n`);
      if (args.json) writeJson(args.json, {...meta, partial: rows.length < args.suites.length, sizes: rows});
    }
  } finally {
    if (!args.keep) fs.rmSync(work, {recursive: true, force: true});
    else log(`kept ${work}`);
  }
  const load = os.loadavg().map(l => l.toFixed(2)).join(' ');
  console.log(
    `\njest-runner-cache bench: jest ${jestVersion}, node ${process.version}, ${os.platform()}/${os.arch()}, ` +
      `${os.cpus().length} CPUs (load average at start ${loadAtStart}, at end ${load}); ` +
      `medians of ${args.runs} interleaved runs of whole jest processes; runner at ${revision}\n`,
  );
  console.log(table(rows));
  for (const line of optionalLines(rows)) console.log(line);
  console.log('\nCPU time (user + system) of the main jest process, medians (workers not included):');
  for (const r of rows) {
    const c = r.mainCpuMs;
    if (Object.values(c).some(v => v === null)) continue;
    console.log(
      `  ${r.suites} suites: plain ${fmtS(c.plain)}, floor ${fmtS(c.floor)}, cold ${fmtS(c.cold)}, ` +
        `cached ${fmtS(c.cached)}, edit ${fmtS(c.edit)}, affected plain ${fmtS(c.affectedPlain)}; ` +
        `cached/floor ${(c.cached / c.floor).toFixed(2)}`,
    );
  }
  console.log('\nPeak RSS of the main jest process (median of the measured runs\' peaks):');
  for (const r of rows) {
    const m = r.peakRssKb;
    console.log(
      `  ${r.suites} suites: plain ${fmtMb(m.plain)}, floor ${fmtMb(m.floor)}, cold ${fmtMb(m.cold)}, cached ${fmtMb(m.cached)}`,
    );
    const runs = kbs => kbs.map(kb => (kb === null ? '?' : Math.round(kb / 1024))).join('/');
    console.log(`    each run (MB): plain ${runs(r.samplesRssKb.plain)}, cold ${runs(r.samplesRssKb.cold)}, first ${runs(r.samplesRssKb.first)}`);
    console.log(`    heap kept live (memory pass, median after full GCs): plain ${fmtMb(r.retainedKb.plain)}, cold ${fmtMb(r.retainedKb.cold)}`);
  }
  const goals = rows.flatMap(r => r.goals.map(g => ({suites: r.suites, ...g})));
  if (goals.length > 0) {
    console.log('\nGoals:');
    for (const g of goals) {
      console.log(
        `  ${g.met ? 'met   ' : 'MISSED'} ${g.suites} suites: ${g.label} = ${g.value.toFixed(3)} (goal <= ${g.limit})`,
      );
    }
  }
  if (args.json) {
    writeJson(args.json, {...meta, loadAverage: {start: loadAtStart, end: load}, sizes: rows});
    log(`wrote ${args.json}`);
  }
}

function writeJson(file, out) {
  fs.mkdirSync(path.dirname(file), {recursive: true});
  fs.writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
}

main().catch(error => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
