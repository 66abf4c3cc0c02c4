/**
 * The account group over real HTTP against the emulator: CloudBase's /account/shorturl reaching
 * WeChat's refusal of the retired API with a hint to the short keys, and the short keys
 * themselves (stored, read back, expiring on the clock), validated before any WeChat call.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startStack, TEST_APP_SECRET, type Stack } from './support/stack.js';
import { assertFailure } from './support/api-assertions.js';
import { ADMIN_KEY } from './support/random-account.js';

const ADMIN = { 'x-api-key': ADMIN_KEY };
let stack: Stack;
before(async () => {
  stack = await startStack({ env: { ADMIN_API_KEY: ADMIN_KEY, RATE_LIMIT_PER_MINUTE: '0' } });
});
after(() => stack.close());
beforeEach(() => stack.emulator.resetCounts());

const admin = (path: string, body: unknown = {}) => stack.call(path, body, ADMIN);

describe('/account/shorturl', () => {
  it("forwards CloudBase's body to the retired long2short and answers WeChat's refusal with a hint naming /account/shorten_gen", async () => {
    const result = await admin('/account/shorturl', { long_url: 'https://example.com/a?b=c' });
    assertFailure(result, 410, /^WeChat API error \[45103\]/, 45103);
    assert.match(result.body.hint, /\/account\/shorten_gen/);
    assert.ok(result.body.rid);
    assert.deepEqual(stack.emulator.counts(), { '/cgi-bin/shorturl': 1, '/cgi-bin/stable_token': 1 });
  });

  it('gives the same way out whatever WeChat refuses it with', async () => {
    stack.emulator.failNext('/cgi-bin/shorturl', 48001);
    const result = await admin('/account/shorturl', { long_url: 'https://example.com/' });
    assertFailure(result, 403, /\[48001\]/, 48001);
    assert.match(result.body.hint, /\/account\/shorten_gen/);
  });

  it('refuses a long_url that is not an http(s) URL before calling WeChat', async () => {
    for (const body of [{}, { long_url: 'ftp://example.com' }, { long_url: 'example.com' }, { long_url: 42 }]) {
      assertFailure(await admin('/account/shorturl', body), 400, /long_url/);
    }
    assert.deepEqual(stack.emulator.counts(), {});
  });
});

describe('/account/shorten_gen and /account/shorten_fetch', () => {
  it('stores long data under a 15-character key and reads it back until it expires', async () => {
    const data = JSON.stringify({ campaign: 'winter', 城市: '深圳' });
    const gen = await admin('/account/shorten_gen', { long_data: data, expire_seconds: 3600 });
    assert.equal(gen.status, 200, gen.text);
    assert.match(gen.body.data.short_key, /^[0-9a-zA-Z]{15}$/);
    const key = gen.body.data.short_key;

    stack.clock.advance(600_000);
    const fetched = await admin('/account/shorten_fetch', { short_key: key });
    assert.equal(fetched.status, 200, fetched.text);
    assert.equal(fetched.body.data.long_data, data);
    assert.equal(fetched.body.data.expire_seconds, 3000);
    assert.equal(typeof fetched.body.data.create_time, 'number');

    stack.clock.advance(3000_000);
    const expired = await admin('/account/shorten_fetch', { short_key: key });
    assertFailure(expired, 400, /\[40035\]/, 40035);
    assert.match(expired.body.hint, /unknown or expired/);
  });

  it('keeps a key 30 days when no expire_seconds is given', async () => {
    const key = (await admin('/account/shorten_gen', { long_data: 'x' })).body.data.short_key;
    assert.equal((await admin('/account/shorten_fetch', { short_key: key })).body.data.expire_seconds, 2_592_000);
  });

  it("refuses bodies WeChat would refuse, naming the field, before calling WeChat", async () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ['/account/shorten_gen', {}, /long_data/],
      ['/account/shorten_gen', { long_data: '' }, /long_data/],
      ['/account/shorten_gen', { long_data: '中'.repeat(1366) }, /long_data must be at most 4096 bytes/],
      ['/account/shorten_gen', { long_data: 'x', expire_seconds: 2_592_001 }, /expire_seconds must be at most 2592000/],
      ['/account/shorten_gen', { long_data: 'x', expire_seconds: 1.5 }, /expire_seconds/],
      ['/account/shorten_gen', { long_data: 'x', expire_seconds: 0 }, /expire_seconds/],
      ['/account/shorten_fetch', {}, /short_key/],
      ['/account/shorten_fetch', { short_key: 'a-b' }, /short_key/],
    ];
    for (const [path, body, msg] of cases) assertFailure(await admin(path, body), 400, msg);
    assert.deepEqual(stack.emulator.counts(), {});
    assert.equal((await admin('/account/shorten_gen', { long_data: '中'.repeat(1365) })).status, 200, '4095 bytes fit');
  });
});

describe('who may use /account/*', () => {
  it('answers only the admin key, and never shows the AppSecret or a token', async () => {
    for (const path of ['/account/shorturl', '/account/shorten_gen', '/account/shorten_fetch']) {
      assertFailure(await stack.call(path, { long_url: 'https://example.com', long_data: 'x', short_key: 'abc' }), 403, /X-Api-Key/);
    }
    assert.deepEqual(stack.emulator.counts(), {});
    for (const text of [...stack.responses, ...stack.logs]) {
      assert.ok(!text.includes(TEST_APP_SECRET), text);
      assert.doesNotMatch(text, /access_token=|"access_token":"/, text);
    }
  });
});
