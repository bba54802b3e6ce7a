#!/usr/bin/env node
// Installs the older Jest releases the version-matrix tests run (jest-versions/*), each
// from its own lockfile with every Jest package pinned: an npm alias in the root
// package.json cannot pin an old release's own caret dependencies. Skipped when installed.
const {execFileSync} = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..', 'jest-versions');
for (const version of fs.readdirSync(root)) {
  const dir = path.join(root, version);
  if (fs.existsSync(path.join(dir, 'node_modules', '.package-lock.json'))) continue;
  process.stdout.write(`installing Jest ${version} for the version tests (${path.relative(process.cwd(), dir)})\n`);
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], {cwd: dir, stdio: 'inherit'});
}
