/**
 * Three separate function processes sharing one Redis, as a platform scales the function out.
 * From cold, a burst across all three makes exactly one token fetch and one ticket fetch; and
 * when the instance holding the refresh lock dies mid-refresh, the others take over once the
 * lock expires and every request they received succeeds.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Agent } from 'undici';
import { startEmulator, type RunningEmulator } from '../src/emulator/index.js';
import { startInstances, type Instance } from './support/instances.js';
import { ADMIN_KEY, randomAppId, randomSecret, REDIS_URL } from './support/random-account.js';

const LOCK_TTL_MS = 2500;
const PER_ROUTE = 300;

let emu: RunningEmulator;
const dispatcher = new Agent({ connections: 1000, keepAliveTimeout: 5000 });
const running: Instance[] = [];

before(async () => {
  // The real clock: child processes cannot share a manual one.
  emu = await startEmulator({ port: 0, host: '127.0.0.1' });
});
after(async () => {
  await Promise.all(running.map((instance) => instance.kill()));
  await dispatcher.close();
  await emu.close();
});

async function threeInstances(): Promise<{ appId: string; instances: Instance[] }> {
  const appId = randomAppId();
  const appSecret = randomSecret();
  emu.emulator.addApp({ appId, appSecret });
  const instances = await startInstances(3, {
    appId,
    appSecret,
    WECHAT_API_BASE_URL: emu.url,
    WECHAT_OPEN_BASE_URL: emu.url,
    PORT: '0',
    HOST: '127.0.0.1',
    AUTH_MODE: 'none',
    ADMIN_API_KEY: ADMIN_KEY,
    REDIS_URL,
    TOKEN_LOCK_TTL_MS: String(LOCK_TTL_MS),
    RATE_LIMIT_PER_MINUTE: '0',
    LOG_LEVEL: 'info',
    // The burst is about one fetch for all, not speed: on a loaded machine 600 requests from cold
    // can take longer than the default 5 s request deadline.
    WECHAT_TIMEOUT_MS: '20000',
  });
  running.push(...instances);
  return { appId, instances };
}

interface Outcome {
  route: string;
  status: number;
  body: any;
}

async function call(base: string, route: '/token/get' | '/jssdk/config'): Promise<Outcome> {
  const body = route === '/token/get' ? {} : { url: 'https://shop.example.com/item?id=7#top', jsApiList: ['scanQRCode'] };
  const response = await fetch(base + route, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': ADMIN_KEY },
    body: JSON.stringify(body),
    // @ts-expect-error undici's dispatcher option, so 600 requests do not queue on a small pool
    dispatcher,
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = text;
  }
  return { route, status: response.status, body: parsed };
}

/** PER_ROUTE requests to each route, spread over the instances, all at once. */
function burst(instances: Instance[]): Promise<Outcome[]> {
  const requests: Array<Promise<Outcome>> = [];
  for (let i = 0; i < PER_ROUTE; i++) {
    requests.push(call(instances[i % instances.length].url, '/token/get'));
    requests.push(call(instances[(i + 1) % instances.length].url, '/jssdk/config'));
  }
  return Promise.all(requests);
}

/** Each instance's log without the per-request lines: which one fetched what, and when. */
function whatHappened(instances: Instance[]): string {
  return instances.map((instance, n) => `instance ${n}:\n${instance.output.filter((line) => !line.includes('"msg":"request"')).join('\n')}`).join('\n');
}

function assertAllSucceeded(outcomes: Outcome[], appId: string): void {
  const failed = outcomes.filter((o) => o.status !== 200 || o.body?.code !== 0);
  assert.deepEqual(failed.slice(0, 3), [], `${failed.length} of ${outcomes.length} failed`);
  const tokens = new Set(outcomes.filter((o) => o.route === '/token/get').map((o) => o.body.data.access_token));
  assert.equal(tokens.size, 1, 'every instance handed out the same token');
  assert.ok(emu.emulator.isValidAccessToken([...tokens][0]));
  for (const o of outcomes.filter((o) => o.route === '/jssdk/config')) {
    assert.equal(o.body.data.appId, appId);
    assert.match(o.body.data.signature, /^[0-9a-f]{40}$/);
  }
}

describe('three instances sharing Redis', () => {
  it(`${PER_ROUTE} concurrent /token/get and ${PER_ROUTE} /jssdk/config from cold: all succeed, one token fetch, one ticket fetch`, async () => {
    const { appId, instances } = await threeInstances();
    emu.emulator.resetCounts();
    const started = performance.now();
    const outcomes = await burst(instances);
    const elapsed = performance.now() - started;
    assertAllSucceeded(outcomes, appId);
    const counts = emu.emulator.counts();
    assert.equal(counts['/cgi-bin/stable_token'], 1, `one token fetch across all instances\n${whatHappened(instances)}`);
    assert.equal(counts['/cgi-bin/ticket/getticket'], 1, `one ticket fetch across all instances\n${whatHappened(instances)}`);
    assert.equal(counts['/cgi-bin/token'] ?? 0, 0);
    process.stdout.write(`# cold burst: ${outcomes.length} requests over 3 instances in ${Math.round(elapsed)} ms\n`);
    await Promise.all(instances.map((instance) => instance.stop()));
  });

  it('the lock holder killed mid-refresh: the survivors take over after the lock expires and every request to them succeeds', async () => {
    const { appId, instances } = await threeInstances();
    const [holder, ...survivors] = instances;
    emu.emulator.resetCounts();
    // Hold the first token fetch at WeChat, so the holder is inside its refresh when it dies.
    emu.emulator.setDelay('/cgi-bin/stable_token', 3000);
    const doomed = call(holder.url, '/token/get').catch((error: unknown) => error);
    const deadline = Date.now() + 5000;
    while ((emu.emulator.counts()['/cgi-bin/stable_token'] ?? 0) < 1) {
      assert.ok(Date.now() < deadline, 'the holder started its fetch');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const started = performance.now();
    // Whether the burst reaches the survivors before or after the kill, they find the dead holder's lock.
    const outcomes = burst(survivors);
    await holder.kill();
    emu.emulator.setDelay('/cgi-bin/stable_token', 0);

    const results = await outcomes;
    const elapsed = performance.now() - started;
    assert.ok(!((await doomed) as Outcome)?.status, 'the killed instance answered nothing');
    assertAllSucceeded(results, appId);
    const counts = emu.emulator.counts();
    assert.equal(counts['/cgi-bin/stable_token'], 2, `the dead holder’s fetch and one takeover\n${whatHappened(survivors)}`);
    assert.equal(counts['/cgi-bin/ticket/getticket'], 1, whatHappened(survivors));
    assert.ok(elapsed < LOCK_TTL_MS * 3, `recovered in ${Math.round(elapsed)} ms (lock TTL ${LOCK_TTL_MS} ms)`);
    process.stdout.write(`# holder killed: ${results.length} requests to the survivors in ${Math.round(elapsed)} ms\n`);
    await Promise.all(survivors.map((instance) => instance.stop()));
  });
});
