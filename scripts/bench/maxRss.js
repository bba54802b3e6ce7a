'use strict';
// Preloaded into the measured jest process (`node -r scripts/bench/maxRss.js jest.js ...`):
// at exit, writes this process's own peak resident set size (kilobytes) and CPU time
// (user + system, ms) as JSON to the file named by JEST_BENCH_MAXRSS_FILE. The variable is removed from the environment at once, so the
// workers jest forks (which inherit `-r` through execArgv) write nothing: what is measured
// is the main jest process, where the runner lives. (GNU time's %M would not do: the
// rusage of a reaped child includes the peak of its own reaped children, the workers.)
const fs = require('fs');

const out = process.env.JEST_BENCH_MAXRSS_FILE;
if (out) {
  delete process.env.JEST_BENCH_MAXRSS_FILE;
  process.on('exit', () => {
    try {
      const usage = process.resourceUsage();
      const cpuMs = (usage.userCPUTime + usage.systemCPUTime) / 1000;
      fs.writeFileSync(out, JSON.stringify({maxRssKb: usage.maxRSS, cpuMs}));
    } catch {
      // a missing figure is reported as such by the bench
    }
  });
}
