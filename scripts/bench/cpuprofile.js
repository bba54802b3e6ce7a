#!/usr/bin/env node
// Summarizes a V8 .cpuprofile (from `node --cpu-prof ...`): top functions by self time,
// self time by file, and inclusive (total) time of the functions of jest-runner-cache's
// own code (dist/ or src/).
//
//   node scripts/bench/cpuprofile.js <file.cpuprofile> [--top 25] [--match jest-runner-cache/]
'use strict';
const fs = require('fs');

function parseArgs(argv) {
  // Matched against the shortened url: own code shows as jest-runner-cache/dist/...
  const args = {file: undefined, top: 25, match: 'jest-runner-cache/'};
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--top') args.top = Number(argv[++i]);
    else if (argv[i] === '--match') args.match = argv[++i];
    else args.file = argv[i];
  }
  if (!args.file) {
    console.error('usage: node scripts/bench/cpuprofile.js <file.cpuprofile> [--top 25] [--match text]');
    process.exit(2);
  }
  return args;
}

function shortUrl(url) {
  if (!url) return '(native)';
  let s = url.replace(/^file:\/\//, '');
  const nm = s.lastIndexOf('/node_modules/');
  if (nm >= 0) s = s.slice(nm + '/node_modules/'.length);
  const own = s.indexOf('/dist/');
  if (own >= 0 && !url.includes('/node_modules/')) s = `jest-runner-cache${s.slice(own)}`;
  return s;
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  const profile = JSON.parse(fs.readFileSync(args.file, 'utf8'));
  const nodes = new Map(profile.nodes.map(n => [n.id, n]));
  // Self time per node: the sampled time deltas, attributed to the sampled node.
  const self = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    self.set(id, (self.get(id) || 0) + (profile.timeDeltas[i] || 0) / 1000);
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children || []) parent.set(c, n.id);

  const label = n => {
    const cf = n.callFrame;
    const name = cf.functionName || '(anonymous)';
    return cf.url ? `${name}  ${shortUrl(cf.url)}:${cf.lineNumber + 1}` : name;
  };

  const byFunction = new Map();
  const byFile = new Map();
  for (const [id, ms] of self) {
    const n = nodes.get(id);
    const key = label(n);
    byFunction.set(key, (byFunction.get(key) || 0) + ms);
    const file = n.callFrame.url ? shortUrl(n.callFrame.url) : `(${n.callFrame.functionName || 'native'})`;
    byFile.set(file, (byFile.get(file) || 0) + ms);
  }

  // Inclusive time of our own functions: each sample counts once per distinct own frame
  // on its stack (recursion counted once).
  const inclusive = new Map();
  for (const [id, ms] of self) {
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const n = nodes.get(cur);
      if (!n.callFrame.url || !shortUrl(n.callFrame.url).includes(args.match)) continue;
      const key = label(n);
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) || 0) + ms);
    }
  }

  const print = (title, map) => {
    console.log(`\n${title}`);
    const rows = [...map].sort((a, b) => b[1] - a[1]).slice(0, args.top);
    for (const [key, ms] of rows) {
      console.log(`${ms.toFixed(1).padStart(9)} ms ${((100 * ms) / total).toFixed(1).padStart(5)}%  ${key}`);
    }
  };
  console.log(`${args.file}: ${total.toFixed(0)} ms sampled`);
  print('Top functions by self time:', byFunction);
  print('Self time by file:', byFile);
  print(`Inclusive (total) time of own functions (file matches "${args.match}"):`, inclusive);
}

main();
