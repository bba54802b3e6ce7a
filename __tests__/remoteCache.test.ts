import {spawnSync} from 'child_process';
import {createHash} from 'crypto';
import * as fs from 'fs';
import type * as http from 'http';
import * as path from 'path';
import {FixtureProject, makeTempDir, REPO, type RunResult} from './helpers/fixtureProject';
import {
  artifactFiles,
  freePort,
  startServer,
  startTurboServer,
  type TestServer,
  type TurboServer,
} from './helpers/remoteServers';

// The remote cache (issue 12): machines share passes through a Turborepo remote cache
// server (the real `turborepo-remote-cache` with its local-disk backend, on 127.0.0.1).
// Each "machine" is a checkout of the `store` fixture in its own folder with its own Jest
// cacheDirectory. Faults come from small misbehaving servers of these tests.

const SUITES = ['s1', 's2', 's3', 's4', 's5', 's6'];
const TOKEN = 'sekret-token-4711';
const TEAM = 'jrc-team';
/** Short, so that the fault runs stay quick; the report's remoteMs is checked against it. */
const TIMEOUT_MS = 1500;
/** For a healthy server: on a loaded 2-core machine its first answers can take seconds. */
const HEALTHY_TIMEOUT_MS = 20_000;

const suiteFiles = SUITES.map(suite => `${suite}.test.ts`);
const allOutcomes = (outcome: string) => Object.fromEntries(suiteFiles.map(file => [file, outcome]));

// The fixtures' test code reads JRC_EXEC_LOG, which makes its value a runtime input: the
// machines share the log's path so that their keys agree.
const execLog = path.join(makeTempDir(), 'executed.log');
const newMachine = () => new FixtureProject('store', {execLog});

function remoteEnv(url: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    JEST_RUNNER_CACHE_REMOTE_URL: url,
    JEST_RUNNER_CACHE_REMOTE_TOKEN: TOKEN,
    JEST_RUNNER_CACHE_REMOTE_TEAM: TEAM,
    JEST_RUNNER_CACHE_REMOTE_TIMEOUT_MS: String(HEALTHY_TIMEOUT_MS),
    ...extra,
  };
}

function expectPassed(run: RunResult): void {
  if (run.code !== 0) throw new Error(`jest exited with ${run.code}; its output:\n${run.stderr}`);
  expect(run.stderr).toMatch(/Tests:\s+6 passed, 6 total/);
}

const remoteWarnings = (run: RunResult) =>
  run.stderr.split('\n').filter(line => line.startsWith('jest-runner-cache: remote cache'));

const remoteHits = (run: RunResult) =>
  run.suites.filter(suite => suite.remote).map(suite => suite.path).sort();

function remoteMs(project: FixtureProject): number {
  return JSON.parse(fs.readFileSync(project.reportFile, 'utf8')).timings.remoteMs;
}

function explain(project: FixtureProject, testFile: string): string {
  const result = spawnSync(
    process.execPath,
    [path.join(REPO, 'dist/cli.js'), 'explain', project.file(testFile), '--cacheDirectory', project.cacheDir],
    {cwd: project.dir, env: {...process.env, JRC_EXEC_LOG: execLog}, encoding: 'utf8'},
  );
  expect(result.status).toBe(0);
  return result.stdout;
}

describe('sharing passes through turborepo-remote-cache', () => {
  let server: TurboServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  test('machine A uploads; machine B replays everything with no test code run, and keeps it when the server is gone', async () => {
    server = await startTurboServer(TOKEN);
    const a = newMachine();
    const first = await a.run([], {env: remoteEnv(server.url)});
    expectPassed(first);
    expect(first.executed).toEqual(SUITES);
    expect(remoteWarnings(first)).toEqual([]);
    const artifacts = artifactFiles(server.storage);
    expect(artifacts.length).toBeGreaterThanOrEqual(SUITES.length);
    expect(artifacts.every(file => path.basename(path.dirname(file)) === TEAM)).toBe(true);
    // No artifact names machine A's folders: a checkout anywhere else can use them.
    for (const file of artifacts) {
      const text = fs.readFileSync(file, 'utf8');
      expect(text).not.toContain(a.dir);
      expect(text).not.toContain(a.cacheDir);
    }

    const b = newMachine();
    expect(b.dir).not.toBe(a.dir);
    const replayed = await b.run([], {env: remoteEnv(server.url)});
    expectPassed(replayed);
    expect(replayed.executed).toEqual([]);
    expect(replayed.outcomes).toEqual(allOutcomes('hit-action'));
    expect(remoteHits(replayed)).toEqual(suiteFiles);
    expect(replayed.stderr).toContain('(cached) s1.test.ts (remote)');
    expect(remoteWarnings(replayed)).toEqual([]);
    expect(explain(b, 's1.test.ts')).toMatch(/last pass fetched from the remote cache/);
    expect(explain(a, 's1.test.ts')).toMatch(/last pass stored /);

    await server.stop();
    server = undefined;
    const offline = await b.run([], {env: remoteEnv(`http://127.0.0.1:${await freePort()}`)});
    expectPassed(offline);
    expect(offline.executed).toEqual([]);
    expect(offline.outcomes).toEqual(allOutcomes('hit-action'));
    expect(remoteHits(offline)).toEqual([]);
    // Every suite hit locally: the server was never asked, so nothing went wrong.
    expect(remoteWarnings(offline)).toEqual([]);
    for (const run of [first, replayed, offline]) expect(run.stdout + run.stderr).not.toContain(TOKEN);
  });

  test('read mode replays but uploads nothing', async () => {
    server = await startTurboServer(TOKEN);
    const a = newMachine();
    const run = await a.run([], {env: remoteEnv(server.url, {JEST_RUNNER_CACHE_REMOTE_MODE: 'read'})});
    expectPassed(run);
    expect(run.executed).toEqual(SUITES);
    expect(remoteWarnings(run)).toEqual([]);
    expect(artifactFiles(server.storage)).toEqual([]);
    // The same run in readwrite mode does upload: the check above can fail.
    const other = newMachine();
    expectPassed(await other.run([], {env: remoteEnv(server.url)}));
    expect(artifactFiles(server.storage).length).toBeGreaterThan(0);

    const reader = newMachine();
    const replayed = await reader.run([], {env: remoteEnv(server.url, {JEST_RUNNER_CACHE_REMOTE_MODE: 'read'})});
    expectPassed(replayed);
    expect(remoteHits(replayed)).toEqual(suiteFiles);
  });
});

describe('signed artifacts (x-artifact-tag, as Turborepo signs them)', () => {
  const KEY = 'the-signature-key';
  let server: TurboServer;
  let proxy: TestServer | undefined;

  beforeAll(async () => {
    server = await startTurboServer(TOKEN, {signing: true});
    const a = newMachine();
    const first = await a.run([], {env: remoteEnv(server.url, {JEST_RUNNER_CACHE_REMOTE_SIGNATURE_KEY: KEY})});
    expectPassed(first);
    expect(fs.readdirSync(path.join(server.storage, TEAM)).some(name => name.endsWith('.tag'))).toBe(true);
  });
  afterAll(async () => {
    await server.stop();
    await proxy?.stop();
  });

  /** A fresh machine that only reads from the server, so the artifacts stay as they are. */
  const readWith = (url: string, key: string) =>
    newMachine().run([], {
      env: remoteEnv(url, {JEST_RUNNER_CACHE_REMOTE_SIGNATURE_KEY: key, JEST_RUNNER_CACHE_REMOTE_MODE: 'read'}),
    });

  test('the same key replays', async () => {
    const run = await readWith(server.url, KEY);
    expectPassed(run);
    expect(remoteHits(run)).toEqual(suiteFiles);
    expect(run.executed).toEqual([]);
  });

  test('another key rejects every artifact: all suites run, one warning', async () => {
    const run = await readWith(server.url, 'another-key');
    expectPassed(run);
    expect(run.executed).toEqual(SUITES);
    expect(remoteHits(run)).toEqual([]);
    expect(remoteWarnings(run)).toEqual([expect.stringMatching(/artifacts? ignored \(first: an artifact with a wrong signature\)/)]);
  });

  test('unsigned artifacts are never replayed with a key set', async () => {
    // Serves the server's artifacts without their tags.
    proxy = await startServer((req, res) => {
      const key = path.basename(new URL(req.url!, 'http://x').pathname);
      const file = path.join(server.storage, TEAM, key);
      if (req.method !== 'GET' || !fs.existsSync(file)) return void res.writeHead(404).end();
      res.writeHead(200, {'content-type': 'application/octet-stream'}).end(fs.readFileSync(file));
    });
    const run = await readWith(proxy.url, KEY);
    expectPassed(run);
    expect(run.executed).toEqual(SUITES);
    expect(remoteWarnings(run)).toEqual([expect.stringMatching(/first: an unsigned artifact/)]);
    // Without a key, the same artifacts replay: the signature is what refused them.
    const unkeyed = await newMachine().run([], {env: remoteEnv(proxy.url, {JEST_RUNNER_CACHE_REMOTE_MODE: 'read'})});
    expect(remoteHits(unkeyed)).toEqual(suiteFiles);
  });

  test('a tampered artifact (resealed, so only the signature can tell) is rejected; the others replay', async () => {
    let tampered = 0;
    for (const file of artifactFiles(server.storage)) {
      const text = fs.readFileSync(file, 'utf8');
      if (!text.includes('s1 reads value 1')) continue;
      const body = text.slice(text.indexOf('\n') + 1).split('s1 reads value 1').join('s1 reads value ONE');
      fs.writeFileSync(file, `JRC1 ${createHash('sha256').update(body).digest('hex')}\n${body}`);
      tampered++;
    }
    expect(tampered).toBeGreaterThan(0);
    const run = await readWith(server.url, KEY);
    expectPassed(run);
    expect(run.executed).toEqual(['s1']);
    expect(run.stderr).not.toContain('value ONE');
    expect(remoteHits(run)).toEqual(suiteFiles.filter(file => file !== 's1.test.ts'));
    expect(remoteWarnings(run)).toEqual([expect.stringMatching(/first: an artifact with a wrong signature/)]);
  });
});

describe('faults are misses: the run passes, every suite runs, one warning line, bounded time', () => {
  const project = newMachine();
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  const answer =
    (status: number, body: string | Buffer = '') =>
    (_req: http.IncomingMessage, res: http.ServerResponse) =>
      res.writeHead(status, {'content-type': 'application/octet-stream'}).end(body);

  const faults: [string, http.RequestListener | 'down'][] = [
    ['server down (nothing listens)', 'down'],
    ['connections reset', req => req.socket.destroy()],
    ['hanging (never answers)', () => undefined],
    ['slow (answers after the timeout)', (_req, res) => setTimeout(() => res.writeHead(404).end(), TIMEOUT_MS * 3)],
    ['401', answer(401)],
    ['403', answer(403)],
    ['404 for everything, uploads too', answer(404)],
    ['500', answer(500, 'Internal Server Error')],
    ['503', answer(503)],
    ['garbage bodies', answer(200, Buffer.from([0, 159, 146, 150, 10, 255, 1, 2, 3, 10, 123, 125]))],
    [
      'truncated bodies',
      (_req, res) => {
        res.writeHead(200, {'content-length': '5000'});
        res.write('JRC1 0123456789abcdef\n{"kind":"inp');
        setTimeout(() => res.socket?.destroy(), 20);
      },
    ],
  ];

  test.each(faults)('%s', async (_name, fault) => {
    let url: string;
    if (fault === 'down') url = `http://127.0.0.1:${await freePort()}`;
    else ({url} = server = await startServer(fault));
    // An empty local store for every fault: each suite is looked up remotely.
    const store = path.join(makeTempDir(), 'store');
    const env = remoteEnv(url, {JEST_RUNNER_CACHE_REMOTE_TIMEOUT_MS: String(TIMEOUT_MS)});
    const run = await project.run([], {env: {...env, JEST_RUNNER_CACHE_DIR: store}});
    expectPassed(run);
    expect(run.executed).toEqual(SUITES);
    expect(run.outcomes).toEqual(allOutcomes('ran'));
    expect(remoteWarnings(run)).toHaveLength(1);
    expect(run.stdout + run.stderr).not.toContain(TOKEN);
    expect(remoteMs(project)).toBeLessThan(TIMEOUT_MS + 1000);
  });
});
