'use strict';
// Generates the benchmark's TypeScript project, deterministically (a seeded PRNG, so a
// given suite count always yields the same files).
//
// Module graph, in layers (each module exports one number function and a label):
//   src/core/c0..c7      a chain: c<i> imports c<i-1>
//   src/lib/l0..l31      1-2 core modules, half of them also one lower lib module
//   src/features/f0..f63 1-2 lib modules (Zipf-weighted: a few libs are popular, some rare),
//                        a fifth of them also one lower feature
//   __tests__/gNN/sNNNN.test.ts  2 features, a third also one lib directly; 4 cheap tests
//
// The edit target is the lib module imported (transitively) by the share of suites
// closest to 5%. Its source holds `const REV = <n>;` used in live code, so writing a new
// revision is a real code change (not a comment). Edits never repeat a revision (one seen
// before would be replayed from the cache); between edits the bench puts revision 0 back
// for the scenarios that measure an unchanged project.
const fs = require('fs');
const path = require('path');

const CORE = 8;
const LIB = 32;
const FEATURES = 64;
const MOD = 10007;
const TARGET_SHARE = 0.05;

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pickWeighted(rand, weights) {
  const total = weights.reduce((s, w) => s + w, 0);
  let r = rand() * total;
  for (let i = 0; i < weights.length; i++) {
    r -= weights[i];
    if (r < 0) return i;
  }
  return weights.length - 1;
}

function pickDistinct(rand, count, pick) {
  const chosen = new Set();
  let guard = 0;
  while (chosen.size < count && guard++ < 1000) chosen.add(pick());
  return [...chosen];
}

/** The module graph; the same for every suite count. */
function buildModules(seed) {
  const rand = mulberry32(seed);
  const modules = [];
  const add = (layer, name, dir, deps) => {
    const m = {
      index: modules.length,
      layer,
      name,
      rel: `src/${dir}/${name}`,
      deps,
      a: 3 + Math.floor(rand() * 97),
      b: Math.floor(rand() * 1000),
    };
    modules.push(m);
    return m;
  };
  const core = [];
  for (let i = 0; i < CORE; i++) core.push(add(0, `c${i}`, 'core', i > 0 ? [core[i - 1]] : []));
  const lib = [];
  for (let i = 0; i < LIB; i++) {
    const deps = pickDistinct(rand, 1 + Math.floor(rand() * 2), () => core[Math.floor(rand() * CORE)]);
    if (i >= 4 && rand() < 0.5) deps.push(lib[Math.floor(rand() * i)]);
    lib.push(add(1, `l${i}`, 'lib', deps));
  }
  const libWeights = lib.map((_, j) => 1 / Math.pow(j + 1, 0.9));
  const features = [];
  for (let i = 0; i < FEATURES; i++) {
    const deps = pickDistinct(rand, 1 + Math.floor(rand() * 2), () => lib[pickWeighted(rand, libWeights)]);
    if (i >= 8 && rand() < 0.2) deps.push(features[Math.floor(rand() * i)]);
    features.push(add(2, `f${i}`, 'features', deps));
  }
  return {modules, core, lib, features, libWeights};
}

/** The same function the generated module computes, for the tests' expected values. */
function evaluate(m, x, memo) {
  const key = m.index * 100000 + x;
  let v = memo.get(key);
  if (v !== undefined) return v;
  v = x * m.a + m.b;
  for (const d of m.deps) v += evaluate(d, x, memo);
  v %= MOD;
  memo.set(key, v);
  return v;
}

function importPath(fromRel, toRel) {
  let rel = path.posix.relative(path.posix.dirname(fromRel), toRel);
  if (!rel.startsWith('.')) rel = `./${rel}`;
  return rel;
}

function moduleSource(m, revision) {
  const lines = [];
  for (const d of m.deps) lines.push(`import {${d.name}} from '${importPath(m.rel, d.rel)}';`);
  if (lines.length > 0) lines.push('');
  lines.push(
    `const REV = ${revision};`,
    '',
    `export const ${m.name}Label = '${m.name}';`,
    '',
    `export function ${m.name}(x: number): number {`,
    `  if (x < -REV) throw new RangeError('${m.name}: negative input ' + x);`,
    `  let v = x * ${m.a} + ${m.b};`,
  );
  for (const d of m.deps) lines.push(`  v += ${d.name}(x);`);
  lines.push(`  return v % ${MOD};`, '}', '');
  return lines.join('\n');
}

function suiteSource(suite, memo, rand) {
  const lines = [];
  for (const m of suite.imports) lines.push(`import {${m.name}} from '${importPath(suite.rel, m.rel)}';`);
  lines.push('', `describe('${suite.name}', () => {`);
  const [first, second] = suite.imports;
  for (const m of suite.imports) {
    const xs = [Math.floor(rand() * 50), 50 + Math.floor(rand() * 50)];
    lines.push(`  test('${m.name} at fixed points', () => {`);
    for (const x of xs) lines.push(`    expect(${m.name}(${x})).toBe(${evaluate(m, x, memo)});`);
    lines.push('  });', '');
  }
  let total = 0;
  for (let x = 0; x < 40; x++) total = (total + evaluate(first, x, memo) + evaluate(second, x, memo)) % MOD;
  lines.push(
    `  test('sums ${first.name} and ${second.name} over a range', () => {`,
    '    let total = 0;',
    `    for (let x = 0; x < 40; x++) total = (total + ${first.name}(x) + ${second.name}(x)) % ${MOD};`,
    `    expect(total).toBe(${total});`,
    '  });',
    '',
  );
  const rows = Array.from({length: 12}, () => Math.floor(rand() * 1000));
  const sorted = [...rows].sort((p, q) => p - q);
  lines.push(
    "  test('sorts a small table', () => {",
    `    const rows = ${JSON.stringify(rows)};`,
    `    expect([...rows].sort((p, q) => p - q)).toEqual(${JSON.stringify(sorted)});`,
    '  });',
    '});',
    '',
  );
  return lines.join('\n');
}

/** Transitive closure (module indexes) of a list of modules. */
function closureOf(roots) {
  const seen = new Set();
  const stack = [...roots];
  while (stack.length > 0) {
    const m = stack.pop();
    if (seen.has(m.index)) continue;
    seen.add(m.index);
    stack.push(...m.deps);
  }
  return seen;
}

// Generated files get one whole-second mtime a minute in the past, as a checkout would
// have (the runner does not persist hashes of files modified in the last 2 s); putting
// the original target back restores that mtime too, so the file is again exactly what
// Jest's haste map and the runner's hash table saw (same mtime, size and inode).
const GENERATED_AT = Math.floor(Date.now() / 1000) - 60;

function writeFile(file, content) {
  fs.mkdirSync(path.dirname(file), {recursive: true});
  fs.writeFileSync(file, content);
  fs.utimesSync(file, GENERATED_AT, GENERATED_AT);
}

/**
 * Writes the project into `dir` and returns its description: suite paths (relative to
 * dir), the edit target and the suites it affects.
 */
function generateProject(dir, suiteCount, {seed = 20240604, floorRunner}) {
  const graph = buildModules(seed);
  const rand = mulberry32(seed ^ 0x5bd1e995);
  const memo = new Map();
  const suites = [];
  for (let i = 0; i < suiteCount; i++) {
    const name = `s${String(i).padStart(4, '0')}`;
    const rel = `__tests__/g${String(Math.floor(i / 100)).padStart(2, '0')}/${name}.test.ts`;
    const imports = pickDistinct(rand, 2, () => graph.features[Math.floor(rand() * FEATURES)]);
    if (rand() < 0.33) imports.push(graph.lib[pickWeighted(rand, graph.libWeights)]);
    suites.push({name, rel, imports});
  }
  for (const suite of suites) suite.reach = closureOf(suite.imports);

  // The edit target: the lib module whose importers are closest to 5% of the suites.
  let target = null;
  let best = Infinity;
  for (const m of graph.lib) {
    const count = suites.filter(s => s.reach.has(m.index)).length;
    const distance = Math.abs(count / suiteCount - TARGET_SHARE);
    if (count > 0 && distance < best) {
      best = distance;
      target = m;
    }
  }
  const affected = suites.filter(s => s.reach.has(target.index)).map(s => s.rel);

  for (const m of graph.modules) writeFile(path.join(dir, `${m.rel}.ts`), moduleSource(m, 0));
  for (const suite of suites) writeFile(path.join(dir, suite.rel), suiteSource(suite, memo, rand));

  const base = "  testEnvironment: 'node',\n  transform: {'^.+\\\\.ts$': '@swc/jest'},\n";
  writeFile(path.join(dir, 'package.json'), `${JSON.stringify({name: 'bench-project', private: true}, null, 2)}\n`);
  writeFile(
    path.join(dir, 'tsconfig.json'),
    `${JSON.stringify({compilerOptions: {target: 'es2022', module: 'commonjs', strict: true}}, null, 2)}\n`,
  );
  writeFile(path.join(dir, 'jest.plain.config.js'), `module.exports = {\n${base}};\n`);
  writeFile(path.join(dir, 'jest.cache.config.js'), `module.exports = {\n${base}  runner: 'jest-runner-cache',\n};\n`);
  writeFile(
    path.join(dir, 'jest.floor.config.js'),
    `module.exports = {\n${base}  runner: ${JSON.stringify(floorRunner)},\n};\n`,
  );

  let revision = 0;
  let current = 0;
  const targetFile = path.join(dir, `${target.rel}.ts`);
  return {
    dir,
    suites: suites.map(s => s.rel),
    target: `${target.rel}.ts`,
    affected,
    /** Writes a never-before-seen revision of the target module. */
    editTarget() {
      revision += 1;
      current = revision;
      fs.writeFileSync(targetFile, moduleSource(target, revision));
      return revision;
    },
    /** Puts the original source (revision 0) back, if an edit changed it. */
    restoreTarget() {
      if (current === 0) return;
      current = 0;
      writeFile(targetFile, moduleSource(target, 0));
    },
  };
}

module.exports = {generateProject};
