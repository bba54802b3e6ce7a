// turborepo-remote-cache (the devDependency) on 127.0.0.1 with its local-disk backend: the
// remote cache server of the tests (__tests__/helpers/remoteServers.ts) and of the bench
// (scripts/bench/remote.js).
'use strict';
const {spawn} = require('child_process');
const fs = require('fs');
const http = require('http');
const path = require('path');

const REPO = path.resolve(__dirname, '..');

/** Listens on a port picked by the OS on 127.0.0.1; resolves to that port. */
function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server.address().port));
  });
}

/** A port nothing listens on (picked by the OS, then freed). */
async function freePort() {
  const server = http.createServer();
  const port = await listen(server);
  await new Promise(resolve => server.close(resolve));
  return port;
}

/**
 * Starts the server storing into `storage`, accepting `token`. `signing` makes it keep
 * each artifact's x-artifact-tag (it stores and serves tags only when it has a signature
 * key of its own; it never checks them). Resolves once it answers; stop() sends the
 * signal at once (a signal handler may call it without waiting) and resolves on exit.
 */
async function startTurboServer({storage, token, signing = false}) {
  fs.mkdirSync(storage, {recursive: true});
  const port = await freePort();
  const env = {
    ...process.env,
    HOST: '127.0.0.1',
    PORT: String(port),
    STORAGE_PROVIDER: 'local',
    STORAGE_PATH: storage,
    STORAGE_PATH_USE_TMP_FOLDER: 'false',
    TURBO_TOKEN: token,
    LOG_LEVEL: 'warn',
    NODE_ENV: 'production',
  };
  if (signing) env.TURBO_REMOTE_CACHE_SIGNATURE_KEY = 'the-server-only-needs-one-to-keep-tags';
  const child = spawn(process.execPath, [path.join(REPO, 'node_modules/turborepo-remote-cache/dist/cli.js')], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', chunk => (stderr += chunk));
  const exited = new Promise(resolve => child.on('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  for (let waited = 0; ; waited += 100) {
    try {
      await fetch(`${url}/v8/artifacts/0`);
      break;
    } catch {
      if (child.exitCode !== null || waited > 30_000) {
        child.kill();
        throw new Error(`turborepo-remote-cache did not start: ${stderr}`);
      }
      await new Promise(resolve => setTimeout(resolve, 100));
    }
  }
  return {
    url,
    storage,
    stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill();
      return exited;
    },
  };
}

module.exports = {freePort, listen, startTurboServer};
