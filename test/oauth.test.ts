/**
 * The five web-authorization routes over real HTTP against the emulator.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startStack, TEST_APP_SECRET, type Stack } from './support/stack.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

let stack: Stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack.close();
});

function assertFailure(result: { status: number; body: any }, status: number, errcode?: number) {
  assert.equal(result.status, status, JSON.stringify(result.body));
  assert.equal(result.body.code, -1);
  assert.equal(result.body.data, null);
  assert.equal(typeof result.body.msg, 'string');
  if (errcode !== undefined) {
    assert.equal(result.body.errcode, errcode);
    assert.match(result.body.msg, new RegExp(`^WeChat API error \\[${errcode}\\]: `));
    assert.doesNotMatch(result.body.msg, /rid:/, 'the rid is split off msg');
    assert.match(result.body.rid, /^[0-9a-f]+(-[0-9a-f]+)+$/);
  }
}

describe('/oauth/config', () => {
  it('returns the AppID and where the authorize page is', async () => {
    const result = await stack.call('/oauth/config');
    assert.equal(result.status, 200);
    assert.deepEqual(result.body.code, 0);
    assert.equal(result.body.msg, 'success');
    assert.equal(result.body.data.appId, stack.config.appId);
    assert.equal(result.body.data.authorizeUrl, `${stack.emulatorUrl}/connect/oauth2/authorize`);
  });

  it('accepts an empty body, as the seed page sends for config', async () => {
    const result = await stack.raw('/oauth/config', { method: 'POST' });
    assert.equal(result.status, 200);
    assert.equal(result.body.data.appId, stack.config.appId);
  });
});

describe('/oauth/token', () => {
  it('exchanges a snsapi_base code for the openid and tokens', async () => {
    const result = await stack.call('/oauth/token', { code: stack.code('snsapi_base', 'alice') });
    assert.equal(result.status, 200);
    const data = result.body.data;
    assert.match(data.openid, /^o[\w-]{27}$/);
    assert.ok(data.access_token.length > 20);
    assert.ok(data.refresh_token.length > 20);
    assert.equal(data.expires_in, 7200);
    assert.equal(data.scope, 'snsapi_base');
  });

  it('gives the same user the same openid on every sign-in', async () => {
    const first = await stack.call('/oauth/token', { code: stack.code('snsapi_base', 'bob') });
    const second = await stack.call('/oauth/token', { code: stack.code('snsapi_userinfo', 'bob') });
    assert.equal(first.body.data.openid, second.body.data.openid);
    assert.equal(second.body.data.scope, 'snsapi_userinfo');
  });

  it('passes is_snapshotuser through for Moments snapshot visitors', async () => {
    const result = await stack.call('/oauth/token', { code: stack.code('snsapi_base', 'snap', { snapshot: true }) });
    assert.equal(result.status, 200);
    assert.equal(result.body.data.is_snapshotuser, 1);
  });

  it('answers a page refresh with the first result instead of 40163, with one upstream call', async () => {
    stack.emulator.resetCounts();
    const code = stack.code('snsapi_base', 'carol');
    const first = await stack.call('/oauth/token', { code });
    const again = await stack.call('/oauth/token', { code });
    assert.equal(again.status, 200);
    assert.deepEqual(again.body.data, first.body.data);
    assert.equal(stack.emulator.counts()['/sns/oauth2/access_token'], 1);
  });

  it('sends a double submit upstream once', async () => {
    stack.emulator.resetCounts();
    const code = stack.code('snsapi_base', 'dave');
    const results = await Promise.all(Array.from({ length: 5 }, () => stack.call('/oauth/token', { code })));
    for (const result of results) assert.equal(result.status, 200);
    assert.equal(new Set(results.map((r) => r.body.data.access_token)).size, 1);
    assert.equal(stack.emulator.counts()['/sns/oauth2/access_token'], 1);
  });

  it('lets WeChat judge a code presented again after its 5-minute life', async () => {
    const code = stack.code('snsapi_base', 'erin');
    assert.equal((await stack.call('/oauth/token', { code })).status, 200);
    stack.clock.advance(5 * MINUTE + 1000);
    const late = await stack.call('/oauth/token', { code });
    assert.equal(late.status, 400);
    assert.ok([40163, 40029, 42003].includes(late.body.errcode), `got ${late.body.errcode}`);
  });

  it('reports a code used elsewhere as 40163, the caller’s fault', async () => {
    const code = stack.code('snsapi_base', 'frank');
    // Someone else (another server, a replayed link) exchanged it first.
    const direct = await fetch(
      `${stack.emulatorUrl}/sns/oauth2/access_token?appid=${stack.config.appId}&secret=${TEST_APP_SECRET}&code=${code}&grant_type=authorization_code`,
    );
    assert.ok((await direct.json()).openid);
    const result = await stack.call('/oauth/token', { code });
    assertFailure(result, 400, 40163);
    assert.match(result.body.hint, /already exchanged/);
  });

  it('reports an unknown code as 40029 with a hint to authorize again', async () => {
    const result = await stack.call('/oauth/token', { code: 'nosuchcode0000000000000000000000' });
    assertFailure(result, 400, 40029);
    assert.equal(result.body.msg, 'WeChat API error [40029]: invalid code');
    assert.match(result.body.hint, /authorize page again/);
  });

  it('reports an expired code', async () => {
    const code = stack.code('snsapi_base', 'gina');
    stack.clock.advance(5 * MINUTE + 1000);
    const result = await stack.call('/oauth/token', { code });
    assert.equal(result.status, 400);
    assert.ok([40029, 42003].includes(result.body.errcode));
  });

  it('sends a hostile code to WeChat as one value, not as extra parameters', async () => {
    const result = await stack.call('/oauth/token', { code: 'x&appid=evil&secret=nope#frag' });
    // Were the value spliced into the URL, the emulator would see appid=evil and answer 40013.
    assertFailure(result, 400, 40029);
  });
});

describe('/oauth/refresh', () => {
  it('renews the access token with the refresh token', async () => {
    const token = (await stack.call('/oauth/token', { code: stack.code('snsapi_userinfo', 'hana') })).body.data;
    const result = await stack.call('/oauth/refresh', { refresh_token: token.refresh_token });
    assert.equal(result.status, 200);
    assert.equal(result.body.data.openid, token.openid);
    assert.equal(result.body.data.expires_in, 7200);
    assert.equal(result.body.data.scope, 'snsapi_userinfo');
    assert.ok(result.body.data.access_token);
    const verify = await stack.call('/oauth/verify', { access_token: result.body.data.access_token, openid: token.openid });
    assert.deepEqual(verify.body.data, { valid: true });
  });

  it('rejects an unknown refresh token with 40030', async () => {
    assertFailure(await stack.call('/oauth/refresh', { refresh_token: 'not-a-refresh-token' }), 400, 40030);
  });

  it('rejects a refresh token older than 30 days with 42002', async () => {
    const token = (await stack.call('/oauth/token', { code: stack.code('snsapi_base', 'ivan') })).body.data;
    stack.clock.advance(30 * DAY + MINUTE);
    const result = await stack.call('/oauth/refresh', { refresh_token: token.refresh_token });
    assertFailure(result, 400, 42002);
    assert.match(result.body.hint, /30 days/);
  });
});

describe('/oauth/userinfo', () => {
  it('returns the profile under snsapi_userinfo', async () => {
    const token = (await stack.call('/oauth/token', { code: stack.code('snsapi_userinfo', 'alice') })).body.data;
    const result = await stack.call('/oauth/userinfo', { access_token: token.access_token, openid: token.openid });
    assert.equal(result.status, 200);
    const profile = result.body.data;
    assert.equal(profile.openid, token.openid);
    assert.ok(profile.nickname.length > 0);
    assert.match(profile.headimgurl, /^https?:\/\//);
    assert.ok(Array.isArray(profile.privilege));
  });

  it('returns the post-2021 placeholder profile as a success', async () => {
    const token = (await stack.call('/oauth/token', { code: stack.code('snsapi_userinfo', 'quiet', { profile: 'placeholder' }) })).body.data;
    const result = await stack.call('/oauth/userinfo', { access_token: token.access_token, openid: token.openid, lang: 'en' });
    assert.equal(result.status, 200);
    assert.equal(result.body.data.nickname, '微信用户');
    assert.equal(result.body.data.sex, 0);
  });

  it('refuses under snsapi_base with 48001 and says which scope is needed', async () => {
    const token = (await stack.call('/oauth/token', { code: stack.code('snsapi_base', 'alice') })).body.data;
    const result = await stack.call('/oauth/userinfo', { access_token: token.access_token, openid: token.openid });
    assertFailure(result, 403, 48001);
    assert.match(result.body.hint, /snsapi_userinfo/);
  });

  it('reports an expired user token as the caller’s to refresh', async () => {
    const token = (await stack.call('/oauth/token', { code: stack.code('snsapi_userinfo', 'jack') })).body.data;
    stack.clock.advance(7200 * 1000 + 1000);
    const result = await stack.call('/oauth/userinfo', { access_token: token.access_token, openid: token.openid });
    assert.equal(result.status, 401);
    assert.equal(result.body.errcode, 42001);
    assert.match(result.body.hint, /\/oauth\/refresh/);
  });

  it('rejects a lang WeChat does not know', async () => {
    const result = await stack.call('/oauth/userinfo', { access_token: 'a', openid: 'b', lang: 'fr' });
    assertFailure(result, 400);
    assert.match(result.body.msg, /lang must be one of/);
  });
});

describe('/oauth/verify', () => {
  it('says valid for a live token and not valid for an expired one', async () => {
    const token = (await stack.call('/oauth/token', { code: stack.code('snsapi_base', 'kate') })).body.data;
    const live = await stack.call('/oauth/verify', { access_token: token.access_token, openid: token.openid });
    assert.deepEqual(live.body, { code: 0, msg: 'success', data: { valid: true } });
    const wrongUser = await stack.call('/oauth/verify', { access_token: token.access_token, openid: 'o' + 'x'.repeat(27) });
    assert.deepEqual(wrongUser.body.data, { valid: false });
    stack.clock.advance(7200 * 1000 + 1000);
    const expired = await stack.call('/oauth/verify', { access_token: token.access_token, openid: token.openid });
    assert.deepEqual(expired.body.data, { valid: false });
  });

  it('says not valid for a made-up token', async () => {
    const result = await stack.call('/oauth/verify', { access_token: 'made-up', openid: 'o' + 'y'.repeat(27) });
    assert.deepEqual(result.body.data, { valid: false });
  });
});
