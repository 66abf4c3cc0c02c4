/**
 * The openapi group over real HTTP against the emulator: the day's counts reset with the token
 * and with the AppSecret under the shared monthly allowance, an API's quota, a failed call's
 * record by its rid, reset_appsecret's 501, WeChat's 45009 as a 503 naming clear_quota, and no
 * AppSecret or token in any answer or log line.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import * as v from 'valibot';
import { groups } from '../src/apis/index.js';
import { defineGroup, forward } from '../src/apis/group.js';
import { openapi } from '../src/apis/openapi/index.js';
import { startStack, TEST_APP_ID, TEST_APP_SECRET, type Stack } from './support/stack.js';
import { assertFailure } from './support/api-assertions.js';
import { ADMIN_KEY } from './support/random-account.js';

const ADMIN = { 'x-api-key': ADMIN_KEY };
/** A route over an API with a daily quota of 2, so a test can spend it. */
const probeEndpoint = { method: 'POST', path: '/cgi-bin/probe' } as const;
const probe = defineGroup({
  name: 'probe',
  description: 'an API with a small daily quota',
  routes: [forward(probeEndpoint, { path: '/probe/call', summary: 'calls the probe', body: v.object({}) })],
  endpoints: { probe: probeEndpoint },
});

let stack: Stack;
before(async () => {
  stack = await startStack({
    env: { ADMIN_API_KEY: ADMIN_KEY, RATE_LIMIT_PER_MINUTE: '0', TOKEN_SOURCE: 'classic' },
    groups: [...groups, probe],
    parts: { probe: () => ({ endpoints: [{ ...probeEndpoint, token: 'global', dailyQuota: 2, answer: () => ({ errcode: 0, errmsg: 'ok' }) }] }) },
  });
});
after(() => stack.close());
beforeEach(() => stack.emulator.reset());

const admin = (path: string, body: unknown = {}) => stack.call(path, body, ADMIN);

async function spendProbe() {
  assert.equal((await admin('/probe/call')).status, 200);
  assert.equal((await admin('/probe/call')).status, 200);
  return admin('/probe/call');
}

describe('a spent daily quota and /openapi/clear_quota', () => {
  it('answers 45009 as a 503 that says to reset with /openapi/clear_quota, and the reset lets calls through again', async () => {
    const spent = await spendProbe();
    assertFailure(spent, 503, /^WeChat API error \[45009\]/, 45009);
    assert.match(spent.body.hint, /\/openapi\/clear_quota/);
    assert.match(spent.body.rid, /^[0-9a-f]+-[0-9a-f]+-[0-9a-f]+$/);

    const quota = await admin('/openapi/get_quota', { cgi_path: '/cgi-bin/probe' });
    assert.equal(quota.status, 200, quota.text);
    assert.deepEqual(quota.body.data, { errcode: 0, errmsg: 'ok', quota: { daily_limit: 2, used: 2, remain: 0 } });

    const cleared = await admin('/openapi/clear_quota');
    assert.equal(cleared.status, 200, cleared.text);
    assert.deepEqual(cleared.body.data, { errcode: 0, errmsg: 'ok' });
    assert.deepEqual((await admin('/openapi/get_quota', { cgi_path: '/cgi-bin/probe' })).body.data.quota, { daily_limit: 2, used: 0, remain: 2 });
    assert.equal((await admin('/probe/call')).status, 200);
  });

  it("takes CloudBase's body with the function's own appid, and refuses another account's before calling WeChat", async () => {
    assert.equal((await admin('/openapi/clear_quota', { appid: TEST_APP_ID })).status, 200);
    stack.emulator.resetCounts();
    const other = await admin('/openapi/clear_quota', { appid: 'wx0000000000000000' });
    assertFailure(other, 400, /appid/);
    assert.deepEqual(stack.emulator.counts(), {});
  });

  it('allows 10 resets a calendar month, shared with clear_quota_v2, then 48006 until the next month', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await admin('/openapi/clear_quota')).status, 200);
    for (let i = 0; i < 5; i++) assert.equal((await admin('/openapi/clear_quota_v2')).status, 200);
    const refused = await admin('/openapi/clear_quota');
    assertFailure(refused, 503, /\[48006\]/, 48006);
    assert.match(refused.body.hint, /10 times per calendar month/);
    assertFailure(await admin('/openapi/clear_quota_v2'), 503, /\[48006\]/, 48006);
    stack.clock.advance(7 * 86_400_000); // 24 November → 1 December
    assert.equal((await admin('/openapi/clear_quota_v2')).status, 200);
    assert.equal((await admin('/openapi/clear_quota')).status, 200);
  });

  it('clear_quota_v2 resets the token fetches themselves, with the AppSecret and without a token', async () => {
    stack.emulator.resetCounts();
    const cleared = await admin('/openapi/clear_quota_v2');
    assert.equal(cleared.status, 200, cleared.text);
    assert.deepEqual(cleared.body.data, { errcode: 0, errmsg: 'ok' });
    assert.deepEqual(stack.emulator.counts(), { '/cgi-bin/clear_quota/v2': 1 }, 'no token fetched');
  });
});

describe('/openapi/get_quota', () => {
  it("reports the token fetches' quota", async () => {
    await admin('/probe/call'); // fetches a classic token
    const quota = await admin('/openapi/get_quota', { cgi_path: '/cgi-bin/token' });
    assert.deepEqual(quota.body.data.quota, { daily_limit: 2000, used: 1, remain: 1999 });
  });

  it("answers 76021 for a path WeChat does not have", async () => {
    assertFailure(await admin('/openapi/get_quota', { cgi_path: '/cgi-bin/no/such/api' }), 404, /\[76021\]/, 76021);
  });

  it('refuses a path without its leading slash, a full URL or an sns/ path before calling WeChat', async () => {
    stack.emulator.resetCounts();
    for (const cgi_path of ['cgi-bin/token', 'https://api.weixin.qq.com/cgi-bin/token', '/sns/userinfo', '']) {
      assertFailure(await admin('/openapi/get_quota', { cgi_path }), 400, /cgi_path/);
    }
    assertFailure(await admin('/openapi/get_quota', {}), 400, /cgi_path/);
    assert.deepEqual(stack.emulator.counts(), {});
  });
});

describe('/openapi/get_rid', () => {
  it("tells what WeChat recorded of a failed call, and forgets it after 7 days", async () => {
    const spent = await spendProbe();
    const found = await admin('/openapi/get_rid', { rid: spent.body.rid });
    assert.equal(found.status, 200, found.text);
    const { request } = found.body.data;
    assert.equal(JSON.parse(request.response_body).errcode, 45009);
    assert.match(request.request_url, /^\/cgi-bin\/probe/);
    assert.equal(typeof request.invoke_time, 'number');
    stack.clock.advance(8 * 86_400_000);
    assertFailure(await admin('/openapi/get_rid', { rid: spent.body.rid }), 404, /\[76001\]/, 76001);
  });

  it('masks the AppSecret WeChat echoes from a clear_quota_v2 call', async () => {
    for (let i = 0; i < 10; i++) await admin('/openapi/clear_quota_v2');
    const refused = await admin('/openapi/clear_quota_v2');
    assert.equal(refused.body.errcode, 48006);
    assert.match(stack.emulator.failure(refused.body.rid)!.request_url, new RegExp(TEST_APP_SECRET), 'WeChat keeps the URL as it was sent');
    const found = await admin('/openapi/get_rid', { rid: refused.body.rid });
    assert.equal(found.status, 200, found.text);
    assert.match(found.body.data.request.request_url, /appsecret=\*\*\*/);
    assert.ok(!found.text.includes(TEST_APP_SECRET));
  });

  it('answers 76001 for an unknown rid, and refuses one that is not a rid before calling WeChat', async () => {
    assertFailure(await admin('/openapi/get_rid', { rid: '61725984-6126f6f9-040f19c4' }), 404, /\[76001\]/, 76001);
    stack.emulator.resetCounts();
    for (const rid of ['', 'x&access_token=1', 'a'.repeat(65)]) assertFailure(await admin('/openapi/get_rid', { rid }), 400, /rid/);
    assert.deepEqual(stack.emulator.counts(), {});
  });
});

describe('/openapi/reset_appsecret', () => {
  it('answers 501 saying WeChat has no such API and where to reset it, calling nothing', async () => {
    stack.emulator.resetCounts();
    const result = await admin('/openapi/reset_appsecret', { appid: TEST_APP_ID });
    assertFailure(result, 501, /no API to reset the AppSecret/);
    assert.match(result.body.hint, /Official Accounts platform .*Basic Configuration/);
    assert.deepEqual(stack.emulator.counts(), {});
  });
});

describe('who may use /openapi/*', () => {
  it('answers only the admin key, and no route of the group can be opened to end users', async () => {
    stack.emulator.resetCounts();
    for (const route of openapi.routes) {
      assertFailure(await stack.call(route.path, {}), 403, /X-Api-Key/);
      assert.equal(route.access, 'admin');
      assert.equal(route.openable, false, route.path);
    }
    assert.deepEqual(stack.emulator.counts(), {});
  });

  it('puts neither the AppSecret nor the global token in any answer or log line', async () => {
    const token = (await admin('/token/get')).body.data.access_token as string;
    const seen = [...stack.responses.filter((text) => !text.includes('"access_token"')), ...stack.logs];
    for (const text of seen) {
      assert.ok(!text.includes(TEST_APP_SECRET), text);
      assert.ok(!text.includes(token), text);
      assert.doesNotMatch(text, /(access_token|appsecret|secret)=(?!\*\*\*)/, text);
    }
    assert.ok(stack.logs.length > 0);
  });
});

describe("the emulator's API management, as WeChat answers calls the routes never make", () => {
  const wechat = async (path: string, body: unknown) =>
    (await fetch(stack.emulatorUrl + path, { method: 'POST', body: JSON.stringify(body) })).json() as Promise<{ errcode: number; access_token?: string }>;

  it("checks clear_quota/v2's appid and AppSecret, from the query or the body", async () => {
    const v2 = (query: string, body: unknown = {}) => wechat(`/cgi-bin/clear_quota/v2?${query}`, body);
    assert.equal((await v2(`appsecret=${TEST_APP_SECRET}`)).errcode, 41002);
    assert.equal((await v2('appid=wx0000000000000000&appsecret=x')).errcode, 40013);
    assert.equal((await v2(`appid=${TEST_APP_ID}`)).errcode, 41004);
    assert.equal((await v2(`appid=${TEST_APP_ID}&appsecret=wrong`)).errcode, 40125);
    assert.equal((await v2('', { appid: TEST_APP_ID, appsecret: TEST_APP_SECRET })).errcode, 0);
  });

  it("resets with a token only the token's own account, and tells bad cgi_paths apart", async () => {
    const { access_token: token } = (await wechat('/cgi-bin/stable_token', { grant_type: 'client_credential', appid: TEST_APP_ID, secret: TEST_APP_SECRET }));
    const call = (path: string, body: unknown) => wechat(`${path}?access_token=${token}`, body);
    assert.equal((await call('/cgi-bin/clear_quota', {})).errcode, 41002);
    assert.equal((await call('/cgi-bin/clear_quota', { appid: 'wx0000000000000000' })).errcode, 40013);
    assert.equal((await call('/cgi-bin/openapi/quota/get', { cgi_path: 'cgi-bin/token' })).errcode, 76003);
    assert.equal((await call('/cgi-bin/openapi/quota/get', { cgi_path: '/sns/userinfo' })).errcode, 76022);
  });
});
