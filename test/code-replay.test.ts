/**
 * The repeated-code answer: the same caller gets the first exchange's result, another caller
 * does not, and with Redis a refresh that lands on another instance is answered too.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { silentLogger } from '../src/log.js';
import { startFunction, type RunningFunction } from '../src/server.js';
import { gatewayBearer, startStack, TEST_APP_ID, type Stack } from './support/stack.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('a code presented by another signed-in user', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ env: { AUTH_MODE: 'gateway' } });
  });
  after(() => stack.close());

  it('is not answered from the first user’s exchange', async () => {
    const alice = gatewayBearer('alice-uid');
    const mallory = gatewayBearer('mallory-uid');
    const code = stack.code('snsapi_userinfo', 'alice');
    const first = await stack.call('/oauth/token', { code }, alice);
    assert.equal(first.status, 200);
    const again = await stack.call('/oauth/token', { code }, alice);
    assert.deepEqual(again.body.data, first.body.data, 'the same user refreshing the page gets the result again');
    const stolen = await stack.call('/oauth/token', { code }, mallory);
    assert.equal(stolen.status, 400);
    assert.equal(stolen.body.errcode, 40163);
    assert.ok(!stolen.text.includes(first.body.data.access_token) && !stolen.text.includes(first.body.data.refresh_token));
  });

  /** A gateway-verified token whose claims carry no usable string `sub`. */
  const tokenWith = (claims: object, signature = 'c2ln') => {
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
    return { authorization: `Bearer ${part({ alg: 'RS256' })}.${part({ exp: 4102444800, ...claims })}.${signature}` };
  };

  it('keeps callers without a string sub apart: each is its own caller, bound to its whole token', async () => {
    const callers = [
      tokenWith({ sub: 42 }, 'one'),
      tokenWith({ sub: 42 }, 'two'),
      tokenWith({ sub: '' }),
      tokenWith({ sub: { id: 'x' } }),
      { authorization: 'Bearer opaque-token-of-one-caller' },
      { authorization: 'Bearer opaque-token-of-another' },
    ];
    const code = stack.code('snsapi_userinfo', 'alice');
    const [owner, ...others] = callers;
    const first = await stack.call('/oauth/token', { code }, owner);
    assert.equal(first.status, 200, first.text);
    assert.deepEqual((await stack.call('/oauth/token', { code }, owner)).body.data, first.body.data, 'the same token refreshing the page is answered');
    for (const other of others) {
      const stolen = await stack.call('/oauth/token', { code }, other);
      assert.equal(stolen.status, 400, JSON.stringify(other));
      assert.equal(stolen.body.errcode, 40163);
      assert.ok(!stolen.text.includes(first.body.data.access_token) && !stolen.text.includes(first.body.data.refresh_token));
    }
    // A state issued to one such caller does not verify for another.
    const { state } = (await stack.call('/oauth/state', {}, owner)).body.data;
    for (const other of others) {
      const refused = await stack.call('/oauth/token', { code: stack.code(), state }, other);
      assert.equal(refused.status, 400, JSON.stringify(other));
      assert.match(refused.body.msg, /state was not issued by this function/);
    }
  });

  it('compares long subs whole: two that share their first 200 characters are two callers', async () => {
    const prefix = 'p'.repeat(200);
    const code = stack.code('snsapi_base', 'alice');
    const first = await stack.call('/oauth/token', { code }, gatewayBearer(`${prefix}-alice`));
    assert.equal(first.status, 200);
    const other = await stack.call('/oauth/token', { code }, gatewayBearer(`${prefix}-mallory`));
    assert.equal(other.body.errcode, 40163);
    const { state } = (await stack.call('/oauth/state', {}, gatewayBearer(`${prefix}-alice`))).body.data;
    assert.equal((await stack.call('/oauth/token', { code: stack.code(), state }, gatewayBearer(`${prefix}-mallory`))).status, 400);
  });
});

describe('with Redis, across instances', () => {
  let stack: Stack;
  let second: RunningFunction;
  let redis: Redis;
  before(async () => {
    stack = await startStack({ env: { REDIS_URL } });
    second = await startFunction({ config: stack.config, clock: stack.clock, logger: silentLogger });
    redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
  });
  after(async () => {
    redis.disconnect();
    await second.close();
    await stack.close();
  });

  const callSecond = async (body: unknown) => {
    const response = await fetch(`${second.url}/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: response.status, body: await response.json() };
  };

  it('answers a refresh that lands on another instance with the first result, one upstream call', async () => {
    stack.emulator.resetCounts();
    const code = stack.code('snsapi_base', 'roaming');
    const first = await stack.call('/oauth/token', { code });
    assert.equal(first.status, 200);
    const elsewhere = await callSecond({ code });
    assert.equal(elsewhere.status, 200, JSON.stringify(elsewhere.body));
    assert.deepEqual(elsewhere.body.data, first.body.data);
    assert.equal(stack.emulator.counts()['/sns/oauth2/access_token'], 1);
  });

  it('keeps the shared result unreadable without the code, and only for the code’s 5 minutes', async () => {
    const code = stack.code('snsapi_base', 'sealed');
    const first = (await stack.call('/oauth/token', { code })).body.data;
    const keys = await redis.keys(`oa:{${TEST_APP_ID}}:code:*`);
    assert.ok(keys.length > 0, 'results are shared through Redis');
    for (const key of keys) {
      assert.ok(!key.includes(code), 'the key does not hold the code');
      const value = (await redis.get(key)) ?? '';
      assert.ok(!value.includes(first.access_token) && !value.includes(first.openid), 'the value is encrypted');
      const ttl = await redis.pttl(key);
      assert.ok(ttl > 0 && ttl <= 5 * 60_000, `ttl ${ttl}`);
    }
  });
});
