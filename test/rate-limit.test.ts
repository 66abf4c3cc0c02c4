/**
 * End-user routes are limited per caller (RATE_LIMIT_PER_MINUTE), so one page stuck in a loop
 * cannot spend the account's WeChat quota. The caller is the signed-in user, or the client's
 * address when there is no user. Windows follow the injected clock; with Redis every instance
 * counts against the same number.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../src/clock.js';
import { createDevSignin } from '../src/dev/signin.js';
import { createRateLimit } from '../src/function/rate-limit.js';
import type { Store } from '../src/store/store.js';
import { startStack, type CallResult, type Stack } from './support/stack.js';

const START = Date.UTC(2026, 10, 24, 4, 0, 0); // on a minute boundary

function assertLimited(result: CallResult, retryAfter: number): void {
  assert.equal(result.status, 429, result.text);
  assert.equal(result.body.code, -1);
  assert.equal(result.body.data, null);
  assert.match(result.body.msg, /Too many requests from this caller: the limit is \d+ per minute/);
  assert.equal(result.headers.get('retry-after'), String(retryAfter));
}

async function signedIn(clock: ManualClock, limit: string, extra: Record<string, string> = {}) {
  const signin = createDevSignin({ clock, ttlSeconds: 24 * 3600 });
  const stack = await startStack({ clock, env: { ...signin.env, RATE_LIMIT_PER_MINUTE: limit, ...extra } });
  const as = async (user: string) => ({ authorization: `Bearer ${(await signin.issue(user)).access_token}` });
  return { stack, signin, as };
}

describe('per signed-in user', () => {
  let stack: Stack;
  let as: (user: string) => Promise<Record<string, string>>;
  before(async () => {
    ({ stack, as } = await signedIn(new ManualClock(START), '3'));
  });
  after(() => stack.close());

  it('answers 429 with Retry-After past the limit, before anything reaches WeChat', async () => {
    const alice = await as('alice');
    stack.emulator.resetCounts();
    for (let i = 0; i < 3; i++) {
      const result = await stack.call('/oauth/token', { code: stack.code('snsapi_base', `alice-${i}`) }, alice);
      assert.equal(result.status, 200, result.text);
    }
    assertLimited(await stack.call('/oauth/token', { code: stack.code('snsapi_base', 'alice-3') }, alice), 60);
    assert.equal(stack.emulator.counts()['/sns/oauth2/access_token'], 3, 'the refused request cost no WeChat call');
    // Every end-user route shares the caller's allowance, in every path form.
    assertLimited(await stack.call('/oauth/config', {}, alice), 60);
    assertLimited(await stack.call('/v1/functions/oa/oauth/config?webfn=true', {}, alice), 60);
    const line = stack.logs.map((l) => JSON.parse(l)).find((l) => l.status === 429);
    assert.equal(line.user, 'alice');
  });

  it('does not hold one user’s loop against another', async () => {
    assert.equal((await stack.call('/oauth/config', {}, await as('bob'))).status, 200);
  });

  it('serves the user again when the window the clock is in ends', async () => {
    const alice = await as('alice');
    stack.clock.advance(45_000);
    assertLimited(await stack.call('/oauth/config', {}, alice), 15);
    stack.clock.advance(15_000);
    assert.equal((await stack.call('/oauth/config', {}, alice)).status, 200);
  });

  it('leaves the health check alone', async () => {
    for (let i = 0; i < 6; i++) assert.equal((await stack.raw('/')).status, 200);
  });
});

describe('admin routes', () => {
  it('are not counted against the end-user limit', async () => {
    const key = 'rate-limit-admin-key-0123456789abcdef';
    const { stack } = await signedIn(new ManualClock(START), '1', { ADMIN_API_KEY: key });
    try {
      for (let i = 0; i < 4; i++) {
        const result = await stack.call('/token/get', {}, { 'x-api-key': key });
        assert.equal(result.status, 200, result.text);
      }
    } finally {
      await stack.close();
    }
  });
});

describe('callers without a user id', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ clock: new ManualClock(START), env: { AUTH_MODE: 'none', RATE_LIMIT_PER_MINUTE: '2' } });
  });
  after(() => stack.close());

  it('are counted by the X-Forwarded-For hop the proxy appended, not by what the client claims', async () => {
    const client = { 'x-forwarded-for': '198.51.100.1, 203.0.113.10' };
    const other = { 'x-forwarded-for': '198.51.100.1, 203.0.113.11' };
    assert.equal((await stack.call('/oauth/config', {}, client)).status, 200);
    assert.equal((await stack.call('/oauth/config', {}, client)).status, 200);
    assertLimited(await stack.call('/oauth/config', {}, client), 60);
    assert.equal((await stack.call('/oauth/config', {}, other)).status, 200);
    // Made-up earlier hops do not open a new allowance for the same client.
    for (const forged of ['10.0.0.1', '10.0.0.2', '192.0.2.77']) {
      assertLimited(await stack.call('/oauth/config', {}, { 'x-forwarded-for': `${forged}, 203.0.113.10` }), 60);
    }
  });

  it('fall back to the socket address, and a made-up header does not open a new allowance', async () => {
    assert.equal((await stack.call('/oauth/config', {}, {})).status, 200);
    assert.equal((await stack.call('/oauth/config', {}, { 'x-forwarded-for': 'not-an-ip' })).status, 200);
    assertLimited(await stack.call('/oauth/config', {}, { 'x-forwarded-for': `random-${randomUUID()}` }), 60);
    assertLimited(await stack.call('/oauth/config', {}, {}), 60);
  });
});

describe('RATE_LIMIT_PER_MINUTE=0', () => {
  it('turns the limit off', async () => {
    const { stack, as } = await signedIn(new ManualClock(START), '0');
    try {
      const carol = await as('carol');
      for (let i = 0; i < 150; i++) assert.equal((await stack.call('/oauth/config', {}, carol)).status, 200);
      assert.equal((await stack.raw('/')).body.data.features.rateLimit, 'off');
    } finally {
      await stack.close();
    }
  });
});

describe('with Redis, across instances', () => {
  let one: Awaited<ReturnType<typeof signedIn>>;
  let two: Stack;
  before(async () => {
    const clock = new ManualClock(START);
    one = await signedIn(clock, '4', { REDIS_URL: 'redis://127.0.0.1:6379' });
    two = await startStack({ clock, env: { ...one.signin.env, RATE_LIMIT_PER_MINUTE: '4', REDIS_URL: 'redis://127.0.0.1:6379' } });
  });
  after(async () => {
    await one.stack.close();
    await two.close();
  });

  it('counts one user’s requests to every instance against one limit', async () => {
    // A user id unique to this run, so counters left in Redis by an earlier run cannot interfere.
    const user = await one.as(`dave-${randomUUID().slice(0, 8)}`);
    assert.equal((await one.stack.call('/oauth/config', {}, user)).status, 200);
    assert.equal((await two.call('/oauth/config', {}, user)).status, 200);
    assert.equal((await one.stack.call('/oauth/config', {}, user)).status, 200);
    assert.equal((await two.call('/oauth/config', {}, user)).status, 200);
    assertLimited(await one.stack.call('/oauth/config', {}, user), 60);
    assertLimited(await two.call('/oauth/config', {}, user), 60);
  });
});

describe('a store that fails', () => {
  it('lets requests through rather than refusing every user', async () => {
    const broken: Store = {
      get: async () => undefined,
      set: async () => {},
      setIfAbsent: async () => true,
      deleteIf: async () => true,
      delete: async () => {},
      increment: async () => {
        throw new Error('store down');
      },
      close: async () => {},
    };
    const limit = createRateLimit({ store: broken, clock: new ManualClock(START), perMinute: 1 });
    for (let i = 0; i < 3; i++) await limit.check('user', { kind: 'user', userId: 'erin' }, undefined);
  });
});
