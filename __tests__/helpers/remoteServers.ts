import {spawn} from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import type {AddressInfo} from 'net';
import * as path from 'path';
import {makeTempDir, REPO} from './fixtureProject';

/** A server on 127.0.0.1 the tests started; stop() ends it. */
export interface TestServer {
  url: string;
  stop(): Promise<void>;
}

/** The real remote cache server, with the folder its local-disk backend writes into. */
export interface TurboServer extends TestServer {
  /** `<storage>/<team>/<hash>` holds each artifact (and `<hash>.tag` its tag when signing is on). */
  storage: string;
}

/** A port nothing listens on (picked by the OS, then freed). */
export async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const {port} = server.address() as AddressInfo;
  await new Promise(resolve => server.close(resolve));
  return port;
}

/**
 * Starts `turborepo-remote-cache` (the devDependency) as a child process with its local
 * storage in a temp folder. `signing` makes it keep each artifact's x-artifact-tag (it
 * stores and serves tags only when it has a signature key of its own; it never checks them).
 */
export async function startTurboServer(token: string, options: {signing?: boolean} = {}): Promise<TurboServer> {
  const storage = makeTempDir('jrc-turbo-');
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
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
  if (options.signing) env.TURBO_REMOTE_CACHE_SIGNATURE_KEY = 'the-server-only-needs-one-to-keep-tags';
  const child = spawn(process.execPath, [path.join(REPO, 'node_modules/turborepo-remote-cache/dist/cli.js')], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', chunk => (stderr += chunk));
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<void>(resolve => child.on('exit', () => resolve()));
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
    stop: async () => {
      child.kill();
      await exited;
    },
  };
}

/** A tiny HTTP server of the tests that answers every request with `handle`. */
export async function startServer(handle: http.RequestListener): Promise<TestServer> {
  const server = http.createServer(handle);
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const {port} = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise(resolve => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Every artifact file of a turbo server's storage (tags excluded). */
export function artifactFiles(storage: string): string[] {
  if (!fs.existsSync(storage)) return [];
  return (fs.readdirSync(storage, {recursive: true}) as string[])
    .map(name => path.join(storage, name))
    .filter(file => fs.statSync(file).isFile() && !file.endsWith('.tag'));
}
