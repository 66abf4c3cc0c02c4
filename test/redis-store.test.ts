/**
 * The Redis store and its memory fallback against real redis-servers: the shared one for the
 * operations, one of the test's own to stop and restart (under traffic through the function,
 * with no failed request).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { ManualClock } from '../src/clock.js';
import { createLogger } from '../src/log.js';
import { FallbackStore } from '../src/store/fallback.js';
import { MemoryStore } from '../src/store/memory.js';
import { RedisStore } from '../src/store/redis.js';
import { credentialKeys } from '../src/wechat/credentials.js';
import { startStack, TEST_APP_SECRET, type Stack } from './support/stack.js';
import { startOwnRedis, type OwnRedis } from './support/redis-server.js';
import { freePort } from './support/ports.js';
import { ADMIN_KEY, randomAppId, REDIS_URL } from './support/random-account.js';
import { logLines } from './support/log-lines.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function collectingLogger() {
  const { lines, destination } = logLines();
  return { lines, logger: createLogger({ level: 'debug', destination, secrets: [TEST_APP_SECRET] }) };
}

describe('RedisStore', () => {
  let store: RedisStore;
  let raw: Redis;
  const prefix = `test:${randomBytes(6).toString('hex')}:`;
  before(async () => {
    store = new RedisStore(REDIS_URL, { keyPrefix: prefix });
    assert.equal(await store.connect(), true, `Redis at ${REDIS_URL}`);
    raw = new Redis(REDIS_URL);
  });
  after(async () => {
    const keys = await raw.keys(`${prefix}*`);
    if (keys.length) await raw.del(...keys);
    await store.close();
    raw.disconnect();
  });

  it('sets with a TTL and reads back', async () => {
    await store.set('k:a', 'value', 60_000);
    assert.equal(await store.get('k:a'), 'value');
    assert.equal(await store.get('k:missing'), undefined);
    const ttl = await raw.pttl(`${prefix}k:a`);
    assert.ok(ttl > 59_000 && ttl <= 60_000, String(ttl));
    const withTtl = await store.getWithTtl('k:a');
    assert.equal(withTtl?.value, 'value');
    assert.ok(withTtl!.ttlMs > 59_000);
  });

  it('setIfAbsent lets one owner in until the key expires', async () => {
    assert.equal(await store.setIfAbsent('k:lock', 'owner-1', 150), true);
    assert.equal(await store.setIfAbsent('k:lock', 'owner-2', 150), false);
    assert.equal(await store.get('k:lock'), 'owner-1');
    await sleep(200);
    assert.equal(await store.setIfAbsent('k:lock', 'owner-2', 150), true);
  });

  it('deleteIf deletes only the expected value', async () => {
    await store.set('k:cas', 'mine', 60_000);
    assert.equal(await store.deleteIf('k:cas', 'theirs'), false);
    assert.equal(await store.get('k:cas'), 'mine');
    assert.equal(await store.deleteIf('k:cas', 'mine'), true);
    assert.equal(await store.get('k:cas'), undefined);
    assert.equal(await store.deleteIf('k:cas', 'mine'), false);
  });

  it('extendIf renews a lock only for its owner', async () => {
    assert.equal(await store.setIfAbsent('k:held', 'owner-1', 200), true);
    assert.equal(await store.extendIf('k:held', 'owner-2', 60_000), false);
    assert.ok((await raw.pttl(`${prefix}k:held`)) <= 200);
    assert.equal(await store.extendIf('k:held', 'owner-1', 60_000), true);
    assert.ok((await raw.pttl(`${prefix}k:held`)) > 59_000);
    assert.equal(await store.extendIf('k:absent', 'owner-1', 60_000), false);
    assert.equal(await store.get('k:absent'), undefined, 'nothing created');
  });

  it('increment counts, and the window starts at the first increment', async () => {
    assert.equal(await store.increment('k:n', 60_000), 1);
    await sleep(20);
    assert.equal(await store.increment('k:n', 60_000), 2);
    assert.equal(await store.increment('k:n', 60_000), 3);
    const ttl = await raw.pttl(`${prefix}k:n`);
    assert.ok(ttl <= 60_000 - 20 && ttl > 50_000, `TTL not reset by later increments: ${ttl}`);
    await store.delete('k:n');
    assert.equal(await store.get('k:n'), undefined);
  });

  it('keeps every key of one account in one Redis Cluster slot (one hash tag: the AppID)', () => {
    const appId = 'wx0123456789abcdef';
    const keys = credentialKeys(appId);
    const all = [keys.token('stable'), keys.token('classic'), keys.tokenLock('stable'), keys.tokenLock('classic'), keys.ticket, keys.ticketLock, keys.forceGate, keys.forceDay(20_000)];
    for (const key of all) {
      // Redis hashes only what is between the first { and the next }.
      const open = key.indexOf('{');
      const close = key.indexOf('}', open + 1);
      assert.equal(key.slice(open + 1, close), appId, key);
    }
    assert.equal(new Set(all).size, all.length);
  });

  it('fails fast when Redis is not there: no queue, no hang', async (t) => {
    const dead = new RedisStore(`redis://127.0.0.1:${await freePort()}`);
    t.after(() => dead.close());
    assert.equal(await dead.connect(200), false);
    // Each call is refused at once for want of a connection, not queued until one comes back
    // (a queued call would settle only on a reconnect, which never succeeds here).
    const refusedUnconnected = (error: unknown) => /writ(e)?able|enableOfflineQueue|closed/i.test(String((error as Error)?.message));
    await assert.rejects(dead.get('x'), refusedUnconnected);
    await assert.rejects(dead.set('x', 'y', 1000), refusedUnconnected);
    await assert.rejects(dead.setIfAbsent('x', 'y', 1000), refusedUnconnected);
  });
});

describe('FallbackStore', () => {
  let redis: OwnRedis;
  before(async () => {
    redis = await startOwnRedis();
  });
  after(async () => {
    await redis.stop();
  });

  it('serves from memory while Redis is down, warns once, and goes back to Redis when it returns', async (t) => {
    const clock = new ManualClock();
    const primary = new RedisStore(redis.url, { maxReconnectDelayMs: 100 });
    assert.equal(await primary.connect(), true);
    const { lines, logger } = collectingLogger();
    const store = new FallbackStore(primary, new MemoryStore(clock), logger, { retryIntervalMs: 20 });
    // Closed even when an assertion fails: a reconnecting client would keep the test process alive.
    t.after(() => store.close());
    await store.set('seen', 'before-outage', 60_000);
    const elsewhere = new Redis(redis.url);
    await elsewhere.set('written-elsewhere', 'by-another-instance', 'PX', 60_000);
    elsewhere.disconnect();
    assert.equal(await store.get('written-elsewhere'), 'by-another-instance');

    await redis.stop();
    for (let i = 0; i < 50; i++) {
      assert.equal(await store.get('seen'), 'before-outage', 'what this instance wrote');
      assert.equal(await store.get('written-elsewhere'), 'by-another-instance', 'what it read from Redis before the outage');
      assert.equal(await store.setIfAbsent(`lock-${i}`, 'me', 10_000), true);
      assert.equal(await store.increment('counter', 60_000), i + 1);
    }
    assert.equal(store.usingMemory, true);
    const warnings = lines.filter((line) => line.includes('Redis is unreachable'));
    assert.equal(warnings.length, 1, 'one warning per outage, not one per operation');
    assert.equal(JSON.parse(warnings[0]).level, 40);

    await redis.start();
    const deadline = Date.now() + 5000;
    while (store.usingMemory || (await store.get('seen')) !== undefined) {
      // Back on Redis, which restarted empty.
      assert.ok(Date.now() < deadline, `recovered within 5 s: ${primary.client.status} ${store.usingMemory} ${await store.get('seen')}`);
      await sleep(20);
    }
    assert.ok(lines.some((line) => line.includes('Redis is reachable again')));
    await store.set('after', 'recovery', 60_000);
    const observer = new Redis(redis.url);
    assert.equal(await observer.get('after'), 'recovery', 'writes reach Redis again');
    observer.disconnect();
  });
});

describe('the function with Redis stopped and restarted under traffic', () => {
  let redis: OwnRedis;
  let stack: Stack;
  before(async () => {
    redis = await startOwnRedis();
    const appId = randomAppId();
    stack = await startStack({ env: { appId, REDIS_URL: redis.url, ADMIN_API_KEY: ADMIN_KEY, RATE_LIMIT_PER_MINUTE: '0', LOG_LEVEL: 'info' } });
    stack.emulator.addApp({ appId, appSecret: TEST_APP_SECRET });
  });
  after(async () => {
    await stack.close();
    await redis.stop();
  });

  it('answers every request while Redis goes away and comes back', async () => {
    const results: Array<{ status: number; phase: string; token?: string }> = [];
    let phase = 'up';
    let running = true;
    const worker = async (n: number) => {
      while (running) {
        const jssdk = n % 2 === 0;
        const result = jssdk
          ? await stack.call('/jssdk/config', { url: 'https://example.com/page?x=1' })
          : await stack.call('/token/get', {}, { 'x-api-key': ADMIN_KEY });
        results.push({ status: result.status, phase, token: jssdk ? undefined : result.body?.data?.access_token });
      }
    };
    const workers = Array.from({ length: 8 }, (_, n) => worker(n));

    // Each phase lasts until it has seen enough requests (at least a minimum time), however loaded the machine.
    const enough = async (minMs: number, what = () => true) => {
      const since = results.length;
      const started = Date.now();
      while (Date.now() - started < minMs || results.length - since < 40 || !what()) {
        assert.ok(Date.now() - started < 10_000, `phase ${phase} made progress`);
        await sleep(20);
      }
    };
    try {
      await enough(200);
      phase = 'down';
      await redis.stop();
      await enough(500);
      phase = 'restarted';
      await redis.start();
      await enough(300, () => stack.logs.some((line) => line.includes('Redis is reachable again')));
    } finally {
      running = false;
      await Promise.all(workers);
    }

    const failed = results.filter((r) => r.status !== 200);
    assert.deepEqual(failed, [], 'no failed request');
    for (const p of ['up', 'down', 'restarted']) assert.ok(results.filter((r) => r.phase === p).length >= 40, `traffic while ${p}`);
    assert.equal(new Set(results.filter((r) => r.token).map((r) => r.token)).size, 1, 'the same token throughout');
    assert.equal(stack.logs.filter((line) => line.includes('Redis is unreachable')).length, 1, 'warned once');
    const counts = stack.emulator.counts();
    assert.ok((counts['/cgi-bin/stable_token'] ?? 0) <= 2, 'the outage did not make the function hammer WeChat');
    const byPhase = ['up', 'down', 'restarted'].map((p) => `${p} ${results.filter((r) => r.phase === p).length}`).join(', ');
    process.stdout.write(`# redis outage: ${results.length} requests (${byPhase}), ${failed.length} failed, ${counts['/cgi-bin/stable_token']} token fetches\n`);
  });
});

describe('the function with Redis down at start', () => {
  it('starts, serves from memory, and moves to Redis once it appears', async (t) => {
    const redis = await startOwnRedis();
    await redis.stop();
    const appId = randomAppId();
    const stack = await startStack({ env: { appId, REDIS_URL: redis.url, ADMIN_API_KEY: ADMIN_KEY, RATE_LIMIT_PER_MINUTE: '0' } });
    t.after(async () => {
      await stack.close();
      await redis.stop();
    });
    stack.emulator.addApp({ appId, appSecret: TEST_APP_SECRET });

    const first = await stack.call('/token/get', {}, { 'x-api-key': ADMIN_KEY });
    assert.equal(first.status, 200, first.text);
    assert.ok(stack.logs.some((line) => line.includes('Redis did not answer at start')));

    await redis.start();
    const observer = new Redis(redis.url);
    t.after(() => observer.disconnect());
    const key = credentialKeys(appId).token('stable');
    const deadline = Date.now() + 5000;
    while ((await observer.get(key)) === null) {
      assert.ok(Date.now() < deadline, 'the token reached Redis');
      const again = await stack.call('/token/get', {}, { 'x-api-key': ADMIN_KEY });
      assert.equal(again.status, 200, again.text);
      assert.equal(again.body.data.access_token, first.body.data.access_token, 'stable_token: the same token');
      await sleep(50);
    }
  });
});
