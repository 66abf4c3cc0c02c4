/**
 * SIGTERM to the process group under load, in every way the function runs: the local run
 * (`npm start`, through tsx), `cli start`, and the deploy bundle. WeChat hangs, so calls are in
 * flight, and nobody reads stdout, so it is full. The process must still be gone within the
 * 10 s bound: nothing on the way out may wait on a pipe nobody reads.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { buildDeploy } from '../scripts/build-deploy.js';
import { freePort } from './support/ports.js';
import { TEST_APP_ID, TEST_APP_SECRET } from './support/stack.js';

const root = fileURLToPath(new URL('..', import.meta.url));

let wechat: Server;
let wechatUrl: string;
let bundleDir: string;

before(async () => {
  // A WeChat that takes every call and never answers.
  wechat = createServer(() => undefined);
  wechat.listen(0, '127.0.0.1');
  await once(wechat, 'listening');
  wechatUrl = `http://127.0.0.1:${(wechat.address() as AddressInfo).port}`;
  bundleDir = await mkdtemp(path.join(tmpdir(), 'offiaccount-stop-'));
  const built = await buildDeploy(path.join(bundleDir, 'build'));
  await cp(built.outDir, path.join(bundleDir, 'deploy'), { recursive: true });
});

after(async () => {
  wechat.closeAllConnections();
  wechat.close();
  if (bundleDir) await rm(bundleDir, { recursive: true, force: true });
});

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** True while any process of the group is alive. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Fires a request and forgets it: the answer, if any, is not read. */
function fire(port: number, method: string, pathname: string, body?: string): void {
  const req = request({ host: '127.0.0.1', port, method, path: pathname, agent: false, headers: { 'content-type': 'application/json', authorization: 'Bearer a.b.c' } });
  req.on('error', () => undefined);
  req.on('response', (res) => res.resume());
  req.end(body);
}

async function stopUnderLoad(command: string, args: string[], cwd: string): Promise<void> {
  const port = await freePort();
  const child: ChildProcess = spawn(command, args, {
    cwd,
    // Its own process group, so the signal goes to every process of the run (npm, sh, node), as a terminal's Ctrl-C or a container stop does.
    detached: true,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      appId: TEST_APP_ID,
      appSecret: TEST_APP_SECRET,
      WECHAT_API_BASE_URL: wechatUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      RATE_LIMIT_PER_MINUTE: '0',
      WECHAT_TIMEOUT_MS: '4000',
    },
    // stdout is a pipe this test never reads: it fills, as when a log collector stalls.
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  child.stdout!.pause();
  const pgid = child.pid!;
  try {
    while (!(await accepts(port))) await pause(50);
    // Calls WeChat holds, then enough answered requests that their log lines fill stdout.
    for (let i = 0; i < 50; i++) fire(port, 'POST', '/oauth/refresh', '{"refresh_token":"r"}');
    for (let i = 0; i < 1500; i++) fire(port, 'GET', '/');
    await pause(500);
    process.kill(-pgid, 'SIGTERM');
    while (groupAlive(pgid)) await pause(100);
  } finally {
    if (groupAlive(pgid)) process.kill(-pgid, 'SIGKILL');
  }
}

describe('SIGTERM under load with a full stdout', { timeout: 120_000 }, () => {
  it('ends the local run (npm start)', { timeout: 30_000 }, async () => {
    await stopUnderLoad('npm', ['start', '--silent'], root);
  });

  it('ends cli start', { timeout: 30_000 }, async () => {
    await stopUnderLoad(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'start'], root);
  });

  it('ends the deploy bundle', { timeout: 30_000 }, async () => {
    await stopUnderLoad(path.join(bundleDir, 'deploy', 'scf_bootstrap'), [], path.join(bundleDir, 'deploy'));
  });
});
