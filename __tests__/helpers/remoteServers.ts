import * as fs from 'fs';
import * as http from 'http';
import type {AddressInfo} from 'net';
import * as path from 'path';
import {makeTempDir} from './fixtureProject';

// The server the bench starts too (plain JavaScript, shared).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const turbo = require('../../scripts/turboServer') as {
  freePort(): Promise<number>;
  startTurboServer(options: {storage: string; token: string; signing?: boolean}): Promise<TurboServer>;
};

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

export const freePort: () => Promise<number> = turbo.freePort;

/** Starts `turborepo-remote-cache` with its local storage in a temp folder (scripts/turboServer.js). */
export function startTurboServer(token: string, options: {signing?: boolean} = {}): Promise<TurboServer> {
  return turbo.startTurboServer({storage: makeTempDir('jrc-turbo-'), token, signing: options.signing});
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
