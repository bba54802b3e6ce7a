'use strict';
// Preloaded into the measured jest process (`node -r scripts/bench/maxRss.js jest.js ...`):
// at exit, writes this process's own peak resident set size (kilobytes) and CPU time
// (user + system, ms) as JSON to the file named by JEST_BENCH_MAXRSS_FILE. The variable is
// removed from the environment at once, so the workers jest forks (which inherit `-r`
// through execArgv) write nothing: what is measured is the main jest process, where the
// runner lives. (GNU time's %M would not do: the rusage of a reaped child includes the
// peak of its own reaped children, the workers.)
//
// With JEST_BENCH_RETAINED set as well (the bench's untimed memory pass), a full GC every
// RETAINED_EVERY_MS, and the heaps left after them are written too (`retainedKb`, of
// which the bench takes the median): what the process holds on to, which a peak RSS hides
// under garbage V8 chose to collect late (one run's peak may be twice the next one's, for
// plain Jest as for the runner). The median, not the largest: a GC that falls while a
// suite's module registry is being set up or torn down now and then leaves five times the
// usual.
const fs = require('fs');
const v8 = require('v8');
const vm = require('vm');

const RETAINED_EVERY_MS = 2000;
const out = process.env.JEST_BENCH_MAXRSS_FILE;
if (out) {
  delete process.env.JEST_BENCH_MAXRSS_FILE;
  const retained = [];
  if (process.env.JEST_BENCH_RETAINED) {
    delete process.env.JEST_BENCH_RETAINED;
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc');
    const sample = () => {
      gc();
      retained.push(Math.round(process.memoryUsage().heapUsed / 1024));
    };
    setInterval(sample, RETAINED_EVERY_MS).unref();
    process.on('beforeExit', sample);
  }
  process.on('exit', () => {
    try {
      const usage = process.resourceUsage();
      const cpuMs = (usage.userCPUTime + usage.systemCPUTime) / 1000;
      fs.writeFileSync(out, JSON.stringify({maxRssKb: usage.maxRSS, cpuMs, retainedKb: retained}));
    } catch {
      // a missing figure is reported as such by the bench
    }
  });
}
