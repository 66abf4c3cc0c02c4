/**
 * SIGTERM, as CloudBase sends when it retires an instance: the function stops accepting
 * connections, lets the request it is serving finish with a real answer, closes its pooled
 * connections (Redis included), and exits 0.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEmulator, type RunningEmulator } from '../src/emulator/index.js';
import { get } from 'node:http';
import { spawnFunction, type SpawnedFunction } from './support/spawned.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const APP_ID = 'wx1234567890abcdef';
const APP_SECRET = 'S3cretS3cretS3cretS3cretS3cret42';
const UPSTREAM_DELAY_MS = 1500;

/** A GET on a connection of its own: resolves with the status, rejects with the connection error. */
const freshGet = (url: string) =>
  new Promise<number>((resolve, reject) => {
    get(url, { agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  });

let emulator: RunningEmulator;
let fn: SpawnedFunction | undefined;

before(async () => {
  emulator = await startEmulator({ port: 0, host: '127.0.0.1', apps: [{ appId: APP_ID, appSecret: APP_SECRET }] });
});

after(async () => {
  fn?.kill();
  await emulator.close();
});

test('SIGTERM: the in-flight code exchange completes, new connections are refused, Redis is closed, exit code 0', async () => {
  fn = await spawnFunction(process.execPath, ['--import', 'tsx', 'src/deploy.ts'], {
    cwd: root,
    env: {
      NODE_ENV: 'production',
      appId: APP_ID,
      appSecret: APP_SECRET,
      WECHAT_API_BASE_URL: emulator.url,
      PORT: '0',
      HOST: '127.0.0.1',
      REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    },
  });
  const health = (await (await fetch(`${fn.url}/`)).json()) as any;
  assert.equal(health.data.features.redis, 'on');

  // WeChat takes its time with this exchange, so the request is still open when SIGTERM arrives.
  emulator.emulator.setDelay('/sns/oauth2/access_token', UPSTREAM_DELAY_MS);
  const code = emulator.emulator.issueCode({ appId: APP_ID, scope: 'snsapi_base', user: 'alice' });
  const inFlight = fetch(`${fn.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer header.payload.signature' },
    body: JSON.stringify({ code }),
  });
  const deadline = Date.now() + 5000;
  while (!emulator.emulator.counts()['/sns/oauth2/access_token']) {
    assert.ok(Date.now() < deadline, 'the exchange never reached the emulator');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }

  const signalledAt = Date.now();
  fn.child.kill('SIGTERM');
  await fn.waitForLine((line) => line.includes('stopping: finishing in-flight requests'));

  // A new caller (on a new connection, not one pooled from before) is turned away at once rather than accepted and cut off.
  await assert.rejects(freshGet(`${fn.url}/`), (error: NodeJS.ErrnoException) => {
    assert.equal(error.code, 'ECONNREFUSED');
    return true;
  });

  const response = await inFlight;
  assert.equal(response.status, 200);
  const body = (await response.json()) as any;
  assert.equal(body.code, 0);
  assert.match(body.data.openid, /^o/);

  const exit = await fn.exited;
  assert.deepEqual(exit, { code: 0, signal: null });
  // It waited for the request instead of dropping it, and did not hang on the idle keep-alive connection afterwards.
  const took = Date.now() - signalledAt;
  assert.ok(took < UPSTREAM_DELAY_MS + 3000, `exit took ${took} ms`);
  // "stopped" is logged only after the server and the pooled connections (Redis, upstream) closed.
  assert.ok(fn.stdout.some((line) => line.includes('"msg":"stopped"')), fn.stdout.join('\n'));
  assert.deepEqual(fn.stderr, []);
});
