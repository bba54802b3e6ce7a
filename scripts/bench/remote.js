// The bench's remote cache (`--remote`): the real `turborepo-remote-cache` server (the
// devDependency, with its local-disk backend) on 127.0.0.1, started as the tests start it
// (__tests__/helpers/remoteServers.ts), and a proxy in front of it that delays every
// request by a fixed time, for a server that is not on this machine.
'use strict';
const http = require('http');
const {listen, startTurboServer} = require('../turboServer');

const TOKEN = 'bench-token';
const TEAM = 'bench-team';

/** Starts turborepo-remote-cache storing into `storage` (see scripts/turboServer.js). */
function startRemoteServer(storage) {
  return startTurboServer({storage, token: TOKEN});
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
