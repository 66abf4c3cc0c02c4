/**
 * /token/get and /token/stable over real HTTP: only with the admin key, the envelope for
 * WeChat's quota and whitelist answers, force_refresh limits, and the classic source.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startStack, TEST_APP_SECRET, type Stack } from './support/stack.js';
import { ADMIN_KEY, randomAppId, REDIS_URL } from './support/random-account.js';

const ADMIN = { 'x-api-key': ADMIN_KEY };

async function stackFor(env: Record<string, string> = {}): Promise<Stack> {
  const appId = randomAppId();
  const stack = await startStack({ env: { appId, ADMIN_API_KEY: ADMIN_KEY, RATE_LIMIT_PER_MINUTE: '0', ...env } });
  stack.emulator.addApp({ appId, appSecret: TEST_APP_SECRET });
  return stack;
}

function assertFailure(result: { status: number; body: any; text: string }, status: number, msg: RegExp) {
  assert.equal(result.status, status, result.text);
  assert.equal(result.body.code, -1);
  assert.equal(result.body.data, null);
  assert.match(result.body.msg, msg);
}

const stacks: Stack[] = [];
after(async () => {
  for (const stack of stacks) await stack.close();
});
async function track(stack: Promise<Stack>): Promise<Stack> {
  const started = await stack;
  stacks.push(started);
  return started;
}

describe('who may have the token', () => {
  let stack: Stack;
  before(async () => {
    stack = await track(stackFor());
  });

  it('refuses a request without the admin key, or with a wrong one, before calling WeChat', async () => {
    for (const path of ['/token/get', '/token/stable']) {
      assertFailure(await stack.call(path, {}), 403, /X-Api-Key/);
      assertFailure(await stack.call(path, {}, { 'x-api-key': 'not-the-admin-key-at-all' }), 403, /X-Api-Key/);
      assertFailure(await stack.call(path, { force_refresh: true }, { authorization: 'Bearer something' }), 403, /X-Api-Key/);
    }
    assert.deepEqual(stack.emulator.counts(), {});
  });

  it('keeps the routes off when no ADMIN_API_KEY is configured', async () => {
    const off = await track(stackFor({ ADMIN_API_KEY: '' }));
    assertFailure(await off.call('/token/get', {}, ADMIN), 403, /ADMIN_API_KEY/);
    assertFailure(await off.call('/token/stable', {}, ADMIN), 403, /ADMIN_API_KEY/);
    assert.deepEqual(off.emulator.counts(), {});
  });

  it('hands the token to the admin, never into the logs', async () => {
    const first = await stack.call('/token/get', {}, ADMIN);
    assert.equal(first.status, 200, first.text);
    assert.deepEqual(Object.keys(first.body.data).sort(), ['access_token', 'expires_in']);
    assert.equal(first.body.data.expires_in, 7200);
    assert.ok(stack.emulator.isValidAccessToken(first.body.data.access_token));

    const again = await stack.call('/token/get', {}, ADMIN);
    assert.equal(again.body.data.access_token, first.body.data.access_token);
    assert.equal(stack.emulator.counts()['/cgi-bin/stable_token'], 1);

    const logs = stack.logs.join('\n');
    assert.ok(!logs.includes(first.body.data.access_token), 'token not logged');
    assert.ok(!logs.includes(ADMIN_KEY), 'admin key not logged');
    assert.ok(!logs.includes(TEST_APP_SECRET), 'secret not logged');
    assert.ok(!stack.responses.join('\n').includes(TEST_APP_SECRET));
  });
});

describe('/token/stable', () => {
  let stack: Stack;
  before(async () => {
    stack = await track(stackFor());
  });

  it('is the same token as /token/get in the default (stable) mode', async () => {
    const get = await stack.call('/token/get', {}, ADMIN);
    const stable = await stack.call('/token/stable', {}, ADMIN);
    assert.equal(stable.status, 200, stable.text);
    assert.equal(stable.body.data.access_token, get.body.data.access_token);
    assert.equal(stack.emulator.counts()['/cgi-bin/stable_token'], 1);
  });

  it('force_refresh replaces it for every caller, at most once per 30 s', async () => {
    const before = (await stack.call('/token/get', {}, ADMIN)).body.data.access_token;
    const forced = await stack.call('/token/stable', { force_refresh: true }, ADMIN);
    assert.equal(forced.status, 200, forced.text);
    assert.notEqual(forced.body.data.access_token, before);
    assert.ok(!stack.emulator.isValidAccessToken(before), 'WeChat no longer accepts the old one');
    assert.equal((await stack.call('/token/get', {}, ADMIN)).body.data.access_token, forced.body.data.access_token);

    stack.emulator.resetCounts();
    stack.clock.advance(10_000);
    const soon = await stack.call('/token/stable', { force_refresh: true }, ADMIN);
    assert.equal(soon.body.data.access_token, forced.body.data.access_token);
    assert.deepEqual(stack.emulator.counts(), {}, 'a second force inside 30 s reaches no one');
  });

  it('answers the 21st force of the day with a quota error and Retry-After', async () => {
    let last: Awaited<ReturnType<Stack['call']>> | undefined;
    for (let i = 0; i < 25; i++) {
      stack.clock.advance(31_000);
      last = await stack.call('/token/stable', { force_refresh: true }, ADMIN);
      if (last.status !== 200) break;
    }
    assertFailure(last!, 503, /20 a day/);
    assert.ok(Number(last!.headers.get('retry-after')) > 0);
    assert.match(last!.body.hint, /without force_refresh/);
    const plain = await stack.call('/token/stable', {}, ADMIN);
    assert.equal(plain.status, 200, 'the token itself is still served');
  });

  it('checks the body', async () => {
    assertFailure(await stack.call('/token/stable', { force_refresh: 'yes' }, ADMIN), 400, /force_refresh must be a boolean/);
  });
});

describe('WeChat refusing to issue a token', () => {
  let stack: Stack;
  before(async () => {
    stack = await track(stackFor());
  });

  it('45009 becomes a 503 quota envelope with errcode, rid and what to do', async () => {
    stack.emulator.failNext('/cgi-bin/stable_token', 45009);
    const result = await stack.call('/token/get', {}, ADMIN);
    assertFailure(result, 503, /^WeChat API error \[45009\]/);
    assert.equal(result.body.errcode, 45009);
    assert.match(result.body.hint, /quota/);
    assert.match(result.body.requestId, /\S/);
    assert.equal(stack.emulator.counts()['/cgi-bin/stable_token'], 1, 'not retried');
  });

  it('40164 becomes a configuration envelope telling the operator to whitelist the egress IP', async () => {
    stack.emulator.setIpWhitelisted(false);
    const result = await stack.call('/token/get', {}, ADMIN);
    assertFailure(result, 500, /40164.*IP whitelist/);
    assert.equal(result.body.errcode, 40164);
    assert.match(result.body.hint, /203\.0\.113\.7/);
    assert.match(result.body.hint, /fixed egress IP/);
    assert.match(result.body.rid, /^[0-9a-f-]+$/);
    stack.emulator.setIpWhitelisted(true);
    assert.equal((await stack.call('/token/get', {}, ADMIN)).status, 200, 'works as soon as the whitelist is fixed');
  });

  it('an end user is told only that the configuration needs attention; the details go to the log', async () => {
    const fresh = await track(stackFor());
    fresh.emulator.setIpWhitelisted(false);
    const result = await fresh.call('/jssdk/config', { url: 'https://example.com/' });
    fresh.emulator.setIpWhitelisted(true);
    assertFailure(result, 500, /configuration needs attention.*log under this requestId/);
    assert.equal(result.body.errcode, undefined);
    assert.equal(result.body.hint, undefined);
    assert.equal(result.body.rid, undefined);
    assert.doesNotMatch(result.text, /203\.0\.113\.7|whitelist|40164/);
    const line = fresh.logs.map((text) => JSON.parse(text)).find((entry) => entry.reqId === result.body.requestId && entry.msg === 'request failed');
    assert.ok(line, 'the request is logged');
    assert.equal(line.errcode, 40164);
    assert.match(line.hint, /203\.0\.113\.7/);
  });
});

describe('TOKEN_SOURCE=classic', () => {
  it('/token/get uses cgi-bin/token; /token/stable stays a stable_token', async () => {
    const stack = await track(stackFor({ TOKEN_SOURCE: 'classic' }));
    const classic = await stack.call('/token/get', {}, ADMIN);
    const stable = await stack.call('/token/stable', {}, ADMIN);
    assert.equal(classic.status, 200, classic.text);
    assert.equal(stable.status, 200, stable.text);
    assert.notEqual(classic.body.data.access_token, stable.body.data.access_token);
    await stack.call('/token/get', {}, ADMIN);
    await stack.call('/token/stable', {}, ADMIN);
    assert.equal(stack.emulator.counts()['/cgi-bin/token'], 1);
    assert.equal(stack.emulator.counts()['/cgi-bin/stable_token'], 1);
  });
});

describe('with Redis as the store', () => {
  it('renews ahead of expiry: the last minutes are answered from the cache while one refresh runs behind', async () => {
    const stack = await track(stackFor({ REDIS_URL }));
    const first = (await stack.call('/token/get', {}, ADMIN)).body.data;
    assert.equal(first.expires_in, 7200);

    stack.clock.advance((7200 - 200) * 1000);
    const late = await stack.call('/token/get', {}, ADMIN);
    assert.deepEqual(late.body.data, { access_token: first.access_token, expires_in: 200 });
    await stack.fn.composed.services.credentials.idle();

    const renewed = (await stack.call('/token/get', {}, ADMIN)).body.data;
    assert.notEqual(renewed.access_token, first.access_token);
    assert.equal(renewed.expires_in, 7200);
    assert.equal(stack.emulator.counts()['/cgi-bin/stable_token'], 2);
    assert.ok(stack.emulator.isValidAccessToken(first.access_token), 'the old one still works for the rest of its life');
  });
});
