// The bench's remote cache (`--remote`): the real `turborepo-remote-cache` server (the
// devDependency, with its local-disk backend) on 127.0.0.1, started as the tests start it
// (__tests__/helpers/remoteServers.ts), and a proxy in front of it that delays every
// request by a fixed time, for a server that is not on this machine.
'use strict';
const {spawn} = require('child_process');
const fs = require('fs');
const http = require('http');
const path = require('path');

const REPO = path.resolve(__dirname, '..', '..');
const TOKEN = 'bench-token';
const TEAM = 'bench-team';

/** Listens on a port picked by the OS on 127.0.0.1; resolves to that port. */
function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server.address().port));
  });
}

async function freePort() {
  const server = http.createServer();
  const port = await listen(server);
  await new Promise(resolve => server.close(resolve));
  return port;
}

/**
 * Starts turborepo-remote-cache storing into `storage`. Returns its url, the environment
 * a jest process needs to use it (`envFor(url)`, for the proxy's url too) and stop(),
 * which sends the signal at once (so a signal handler may call it without waiting).
 */
async function startRemoteServer(storage) {
  fs.mkdirSync(storage, {recursive: true});
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(REPO, 'node_modules/turborepo-remote-cache/dist/cli.js')], {
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      STORAGE_PROVIDER: 'local',
      STORAGE_PATH: storage,
      STORAGE_PATH_USE_TMP_FOLDER: 'false',
      TURBO_TOKEN: TOKEN,
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', chunk => (stderr += chunk));
  const exited = new Promise(resolve => child.on('exit', resolve));
  const url = `http://127.0.0.1:${port}`;
  for (let waited = 0; ; waited += 100) {
    try {
      await fetch(`${url}/v8/artifacts/0`);
      break;
    } catch {
      if (child.exitCode !== null || waited > 30_000) {
        child.kill();
        throw new Error(`bench: turborepo-remote-cache did not start: ${stderr}`);
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

/** What a jest process needs to read from and write to the server at `url`. */
function remoteEnv(url) {
  return {
    JEST_RUNNER_CACHE_REMOTE_URL: url,
    JEST_RUNNER_CACHE_REMOTE_TOKEN: TOKEN,
    JEST_RUNNER_CACHE_REMOTE_TEAM: TEAM,
  };
}

/**
 * A proxy on 127.0.0.1 that forwards every request to `target` (a url) after `delayMs`:
 * each request, not each connection, pays the delay, as a round trip to a server
 * elsewhere would. The request body waits in the paused request stream meanwhile.
 */
async function startDelayProxy(target, delayMs) {
  const upstream = new URL(target);
  const agent = new http.Agent({keepAlive: true});
  const server = http.createServer((req, res) => {
    setTimeout(() => {
      const forward = http.request(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers: {...req.headers, host: upstream.host},
          agent,
        },
        answer => {
          res.writeHead(answer.statusCode, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', error => {
        if (!res.headersSent) res.writeHead(502);
        res.end(String(error));
      });
      req.pipe(forward);
    }, delayMs);
  });
  const port = await listen(server);
  return {
    url: `http://127.0.0.1:${port}`,
    stop() {
      const closed = new Promise(resolve => server.close(resolve));
      server.closeAllConnections();
      agent.destroy();
      return closed;
    },
  };
}

module.exports = {startRemoteServer, startDelayProxy, remoteEnv};
